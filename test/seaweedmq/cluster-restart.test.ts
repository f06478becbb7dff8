/**
 * The whole SeaweedFS (master, volume, filer and broker) is stopped and started again on its data
 * directory. Records acknowledged with acks=-1 and committed offsets must all be there afterwards,
 * through the gateway that stayed up and through a new one, and new records must continue the
 * offsets instead of reusing them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { javaConsume, javaHarness, javaListOffsets, type JavaHarness } from '../support/clients/java.js';
import { createTopic } from '../support/clients/topics.js';
import { javaGroupTools, produceSequence, type JavaGroupTools } from '../support/groups/java-groups.js';
import type { Produced } from '../support/groups/ledger.js';
import { installed } from '../support/groups/suite.js';
import { restartCluster } from './support/cluster.js';
import {
  committed,
  kafkaClient,
  startSeaweedGateway,
  waitFor,
  type SeaweedGateway,
} from './support/gateway.js';
import { cluster, uniqueNamespace } from './support/storage.js';

const java = await javaHarness();
const groupTools = await javaGroupTools();
const TOPIC = 'restart-orders';
const GROUP = 'restart-readers';
const PARTITIONS = 3;
const COUNT = 900;

/** Every record of the topic as "partition@offset=value", read with the Java consumer. */
async function contents(harness: JavaHarness, bootstrap: string): Promise<string[]> {
  const ends = await javaListOffsets(harness, { bootstrap, topic: TOPIC });
  const total = ends.reduce((n, p) => n + p.latest - p.earliest, 0);
  const read = await javaConsume(harness, { bootstrap, topic: TOPIC, expect: total });
  return read.map((r) => `${r.partition}@${r.offset}=${r.value?.toString()}`).sort();
}

const expected = (acked: readonly Produced[]): string[] => acked.map((a) => `${a.p}@${a.o}=${a.n}`).sort();

describe.skipIf(!java.ok || !groupTools.ok)('whole SeaweedFS restarted on its data directory', () => {
  const namespace = uniqueNamespace('whole');
  let gateway: SeaweedGateway;
  const harness = (): JavaHarness => installed(java);
  const tools = (): JavaGroupTools => installed(groupTools);

  beforeAll(async () => {
    gateway = await startSeaweedGateway({ namespace });
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  it('keeps every acknowledged record and committed offset, and continues the offsets', async () => {
    await createTopic(gateway.bootstrap, TOPIC, PARTITIONS);
    const first = await produceSequence(tools(), {
      bootstrap: gateway.bootstrap,
      topic: TOPIC,
      partitions: PARTITIONS,
      count: COUNT,
    });
    expect(first).toHaveLength(COUNT);
    const kafka = kafkaClient(gateway.bootstrap, 'restart-admin');
    const admin = kafka.admin();
    await admin.connect();
    const commits = [0, 1, 2].map((partition) => ({ partition, offset: String(100 + 50 * partition) }));
    try {
      await admin.setOffsets({ groupId: GROUP, topic: TOPIC, partitions: commits });
    } finally {
      await admin.disconnect();
    }

    await restartCluster(cluster());

    // The gateway that stayed up serves everything again once SeaweedFS is back.
    await waitFor(
      'the topic readable through the gateway that stayed up',
      async () => (await contents(harness(), gateway.bootstrap).catch(() => [])).length >= COUNT,
      180_000,
    );
    expect(await contents(harness(), gateway.bootstrap)).toEqual(expected(first));
    const fresh = await startSeaweedGateway({ namespace, config: { nodeId: 2 } });
    try {
      expect(await contents(harness(), fresh.bootstrap)).toEqual(expected(first));
      const offsets = await committed(kafkaClient(fresh.bootstrap, 'restart-check'), GROUP, TOPIC);
      expect(Object.fromEntries(offsets)).toEqual(
        Object.fromEntries(commits.map((c) => [c.partition, c.offset])),
      );
      // New records follow the old ones in every partition.
      const second = await produceSequence(tools(), {
        bootstrap: fresh.bootstrap,
        topic: TOPIC,
        partitions: PARTITIONS,
        count: COUNT,
        start: COUNT,
      });
      for (let p = 0; p < PARTITIONS; p++) {
        const before = first.filter((a) => a.p === p).map((a) => a.o);
        const after = second.filter((a) => a.p === p).map((a) => a.o);
        expect(Math.min(...after)).toBe(Math.max(...before) + 1);
      }
      expect(await contents(harness(), fresh.bootstrap)).toEqual(expected([...first, ...second]));
    } finally {
      await fresh.stop();
    }
  }, 600_000);
});

/**
 * Two gateways on one SeaweedMQ namespace with --group-coordinator naming the first: consumers that
 * bootstrap from either gateway form one consumer group, coordinated by the first, so each record is
 * consumed once across them (without the flag each gateway would run its own group of that name).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  committed,
  kafkaClient,
  positions,
  readGroup,
  startSeaweedGateway,
  waitFor,
  type GroupReader,
  type SeaweedGateway,
} from './support/gateway.js';
import { uniqueNamespace } from './support/storage.js';

const TOPIC = 'shared-orders';
const GROUP = 'shared-group';
const PARTITIONS = 4;
const PER_PARTITION = 10;

describe('one consumer group across two gateways (--group-coordinator)', () => {
  let a: SeaweedGateway;
  let b: SeaweedGateway;

  beforeAll(async () => {
    const namespace = uniqueNamespace('shared');
    a = await startSeaweedGateway({ namespace, config: { nodeId: 1 } });
    b = await startSeaweedGateway({
      namespace,
      config: { nodeId: 2, groupCoordinator: { nodeId: 1, host: '127.0.0.1', port: a.port } },
    });
  });

  afterAll(async () => {
    await b?.stop();
    await a?.stop();
  });

  it('members bootstrapped from different gateways share the partitions and consume each record once', async () => {
    const viaA = kafkaClient(a.bootstrap, 'shared-a');
    const viaB = kafkaClient(b.bootstrap, 'shared-b');
    const admin = viaB.admin();
    await admin.connect();
    const readers: GroupReader[] = [];
    try {
      await admin.createTopics({
        topics: [{ topic: TOPIC, numPartitions: PARTITIONS }],
        waitForLeaders: true,
      });
      const producer = viaB.producer();
      await producer.connect();
      await producer.send({
        topic: TOPIC,
        messages: Array.from({ length: PARTITIONS * PER_PARTITION }, (_, i) => ({
          partition: i % PARTITIONS,
          value: `r${i}`,
        })),
      });
      await producer.disconnect();

      readers.push(await readGroup(viaA, { groupId: GROUP, topic: TOPIC }));
      readers.push(await readGroup(viaB, { groupId: GROUP, topic: TOPIC }));
      const total = PARTITIONS * PER_PARTITION;
      await waitFor(
        `${total} records across both members`,
        () => readers[0]!.seen.length + readers[1]!.seen.length >= total,
        60_000,
      );
      // One group of two members, described the same through either gateway.
      for (const kafka of [viaA, viaB]) {
        const other = kafka.admin();
        await other.connect();
        try {
          const { groups } = await other.describeGroups([GROUP]);
          expect(groups[0]).toMatchObject({ groupId: GROUP, state: 'Stable' });
          expect(groups[0]!.members).toHaveLength(2);
        } finally {
          await other.disconnect();
        }
      }
      const all = [...readers[0]!.seen, ...readers[1]!.seen];
      // Every position once: a second group of the same name would have delivered everything twice.
      expect(positions(all)).toEqual(
        Array.from({ length: PARTITIONS }, (_, p) =>
          Array.from({ length: PER_PARTITION }, (_, o) => `${p}@${o}`),
        ).flat(),
      );
      expect(readers.every((r) => r.seen.length > 0)).toBe(true);
    } finally {
      for (const r of readers) await r.stop();
      await admin.disconnect();
    }
    // The commits are the coordinator's, and reach the same files through either gateway.
    await waitFor(
      'commits at the end of every partition',
      async () =>
        [...(await committed(viaB, GROUP, TOPIC)).values()].every((o) => o === String(PER_PARTITION)),
      30_000,
    );
  });
});

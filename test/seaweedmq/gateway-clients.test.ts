import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  javaConsume,
  javaCreateTopic,
  javaHarness,
  javaProduce,
  type JavaHarness,
  type ProducedRecord,
} from '../support/clients/java.js';
import { kcatClient, kcatConsume, kcatProduce } from '../support/clients/kcat.js';
import { diffRecords, offsetGaps } from '../support/clients/records.js';
import { createTopic } from '../support/clients/topics.js';
import { waitAllProcessed } from '../support/groups/group-events.js';
import {
  describeGroup,
  javaGroupTools,
  produceSequence,
  startJavaGroup,
  type JavaGroupTools,
} from '../support/groups/java-groups.js';
import { account, describeAccounting, processedRecords } from '../support/groups/ledger.js';
import type { LineProcess } from '../support/groups/line-process.js';
import { startSeaweedGateway, type SeaweedGateway } from './support/gateway.js';

// Non-JS clients end to end through a gateway on SeaweedMQ: the official Java client (kafka-clients
// 3.9.2 by default) as idempotent producer, assign() consumer and group consumer, and kcat.

const java = await javaHarness();
const groupTools = await javaGroupTools();
const kcat = await kcatClient();
const PARTITIONS = 4;
const COUNT = 40;
const SLOW = 240_000;

function installed<T>(a: { ok: true; client: T } | { ok: false; reason: string }): T {
  if (!a.ok) throw new Error(a.reason);
  return a.client;
}

describe.skipIf(!java.ok || !groupTools.ok)('Java client and kcat through a gateway on SeaweedMQ', () => {
  let gateway: SeaweedGateway;
  const harness = (): JavaHarness => installed(java);
  const tools = (): JavaGroupTools => installed(groupTools);
  const running: LineProcess[] = [];
  const topic = 'clients-dataset';
  let sent: ProducedRecord[] = [];

  beforeAll(async () => {
    gateway = await startSeaweedGateway();
  });

  afterEach(async () => {
    for (const p of running.splice(0)) {
      p.kill();
      await p.exited;
    }
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  it(
    'an idempotent Java producer writes the data set; Java (assign) and kcat read it back byte for byte',
    async () => {
      const bootstrap = gateway.bootstrap;
      await javaCreateTopic(harness(), { bootstrap, topic, partitions: PARTITIONS });
      // zstd: the gateway decompresses the producer's batches before they become SeaweedMQ messages.
      const produced = await javaProduce(harness(), {
        bootstrap,
        topic,
        count: COUNT,
        partitions: PARTITIONS,
        compression: 'zstd',
        idempotence: true,
        largeValueBytes: 200_000,
      });
      sent = produced.records;
      expect(sent).toHaveLength(COUNT);
      // The data set holds the edge cases the comparison is meant to cover.
      expect(sent.some((r) => r.key === null)).toBe(true);
      expect(sent.some((r) => r.value === null)).toBe(true);
      expect(sent.some((r) => r.key?.length === 0 && r.value?.length === 0)).toBe(true);
      expect(sent.some((r) => r.headers.some(([, v]) => v === null))).toBe(true);
      expect(offsetGaps(sent)).toEqual([]);

      const consumed = await javaConsume(harness(), { bootstrap, topic, expect: COUNT });
      expect(diffRecords(sent, consumed, { timestamps: true })).toEqual([]);
      expect(consumed.every((r) => r.timestampType === 'CreateTime')).toBe(true);

      if (kcat.ok) {
        const viaKcat = await kcatConsume({ bootstrap, topic });
        expect(diffRecords(sent, viaKcat, { timestamps: true })).toEqual([]);
      }
    },
    SLOW,
  );

  it.skipIf(!kcat.ok)(
    'a record kcat produced is read by the Java consumer',
    async () => {
      const bootstrap = gateway.bootstrap;
      expect(sent).toHaveLength(COUNT);
      await kcatProduce({
        bootstrap,
        topic,
        partition: 2,
        compression: 'none',
        messages: [{ key: Buffer.from('kcat-key'), value: Buffer.from('kcat value') }],
        headers: [
          ['origin', 'kcat'],
          ['none', null],
        ],
      });
      const consumed = await javaConsume(harness(), { bootstrap, topic, expect: COUNT + 1 });
      const offset = sent.filter((r) => r.partition === 2).length;
      const added = consumed.filter((r) => r.partition === 2 && r.offset === offset);
      expect(added.map((r) => [r.key?.toString(), r.value?.toString()])).toEqual([
        ['kcat-key', 'kcat value'],
      ]);
      expect(added[0]!.headers.map(([k, v]) => [k, v?.toString() ?? null])).toEqual([
        ['origin', 'kcat'],
        ['none', null],
      ]);
      // The rest is unchanged.
      expect(
        diffRecords(
          sent,
          consumed.filter((r) => r !== added[0]),
          { timestamps: true },
        ),
      ).toEqual([]);
    },
    SLOW,
  );

  it(
    'a Java consumer group of two reads every record exactly once and commits the ends',
    async () => {
      const bootstrap = gateway.bootstrap;
      const seqTopic = 'clients-sequence';
      const group = 'clients-sequence-readers';
      await createTopic(bootstrap, seqTopic, PARTITIONS);
      const produced = await produceSequence(tools(), {
        bootstrap,
        topic: seqTopic,
        partitions: PARTITIONS,
        count: 400,
      });
      expect(produced).toHaveLength(400);
      const proc = startJavaGroup(tools(), { bootstrap, topic: seqTopic, group, members: ['a', 'b'] });
      running.push(proc);
      await waitAllProcessed([proc], produced, 120_000);
      await proc.stop();
      const accounting = account(produced, processedRecords(proc.events));
      const summary = describeAccounting(accounting);
      expect(accounting.lost, summary).toEqual([]);
      expect(accounting.duplicates, summary).toEqual([]);
      expect(accounting.unknown, summary).toEqual([]);
      expect(accounting.wrongValue, summary).toEqual([]);
      expect(proc.events.filter((e) => ['commit-failed', 'error'].includes(e.ev))).toEqual([]);

      const described = await describeGroup(tools(), bootstrap, group);
      expect(described.description.state).toBe('Empty');
      expect(described.offsets.map((o) => o.partition)).toEqual([0, 1, 2, 3]);
      for (const o of described.offsets) {
        expect(o).toMatchObject({ lag: 0, offset: produced.filter((r) => r.p === o.partition).length });
      }
      // The commits are in SeaweedMQ's filer.
      const stored = await gateway.storage.fetchOffsets(group);
      expect(stored.map((o) => [o.partition, Number(o.offset)])).toEqual(
        described.offsets.map((o) => [o.partition, o.offset]),
      );
    },
    SLOW,
  );
});

import { Kafka, logLevel } from 'kafkajs';
import type { Admin, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordBatch } from '../../src/protocol/records/batch.js';
import { MemoryStorage } from '../../src/storage/memory/memory-storage.js';
import type { RunningGateway } from '../support/gateway.js';
import { startGateway } from '../support/gateway.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

describe('kafkajs admin and producer against the gateway', () => {
  let gateway: RunningGateway;
  let admin: Admin;
  let producer: Producer;
  let kafka: Kafka;

  beforeAll(async () => {
    gateway = await startGateway();
    kafka = new Kafka({ brokers: [gateway.bootstrap], clientId: 'e2e-kafkajs', logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await admin.connect();
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await admin?.disconnect();
    await gateway?.stop();
  });

  it('creates topics and reports them in metadata', async () => {
    expect(await admin.createTopics({ topics: [{ topic: 'kjs-a', numPartitions: 3 }] })).toBe(true);
    // A second create of the same topic is refused (kafkajs reports false for TOPIC_ALREADY_EXISTS).
    expect(await admin.createTopics({ topics: [{ topic: 'kjs-a', numPartitions: 3 }] })).toBe(false);
    const meta = await admin.fetchTopicMetadata({ topics: ['kjs-a'] });
    const partitions = meta.topics[0]!.partitions.map((p) => p.partitionId).sort();
    expect(partitions).toEqual([0, 1, 2]);
    expect(await admin.listTopics()).toContain('kjs-a');
  });

  it('produces keys, headers, a null key and a tombstone, and lists offsets', async () => {
    const t0 = Date.now();
    const result = await producer.send({
      topic: 'kjs-a',
      messages: [
        {
          partition: 0,
          key: 'k1',
          value: 'v1',
          headers: { h1: 'x', h2: Buffer.from([0, 1, 2]) },
          timestamp: String(t0),
        },
        { partition: 0, key: null, value: 'no-key', timestamp: String(t0 + 1) },
        { partition: 0, key: 'gone', value: null, timestamp: String(t0 + 2) },
        { partition: 2, key: 'k2', value: Buffer.alloc(0), timestamp: String(t0 + 3) },
      ],
    });
    const byPartition = new Map(result.map((r) => [r.partition, r]));
    expect(byPartition.get(0)?.errorCode).toBe(0);
    expect(byPartition.get(0)?.baseOffset).toBe('0');
    expect(byPartition.get(2)?.baseOffset).toBe('0');

    const offsets = await admin.fetchTopicOffsets('kjs-a');
    const high = new Map(offsets.map((o) => [o.partition, o.high]));
    expect(high.get(0)).toBe('3');
    expect(high.get(1)).toBe('0');
    expect(high.get(2)).toBe('1');
    const low = new Map(offsets.map((o) => [o.partition, o.low]));
    expect(low.get(0)).toBe('0');

    const byTime = await admin.fetchTopicOffsetsByTimestamp('kjs-a', t0 + 1);
    expect(byTime.find((o) => o.partition === 0)?.offset).toBe('1');
  });

  it('stores exactly the records kafkajs sent', async () => {
    const storage = new MemoryStorage();
    const own = await startGateway({ storage });
    const k = new Kafka({ brokers: [own.bootstrap], clientId: 'raw', logLevel: logLevel.NOTHING });
    const p = k.producer();
    await p.connect();
    try {
      await p.send({
        topic: 'raw-check',
        messages: [
          { key: 'a', value: 'b', headers: { h: 'v' } },
          { key: null, value: null },
        ],
      });
      const read = await storage.read('raw-check', 0, 0n, 1 << 20);
      const records = read.batches.flatMap((b) => new RecordBatch(b).records());
      expect(records.map((r) => [r.offset, r.key?.toString() ?? null, r.value?.toString() ?? null])).toEqual([
        [0n, 'a', 'b'],
        [1n, null, null],
      ]);
      expect(records[0]!.headers).toEqual([{ key: 'h', value: Buffer.from('v') }]);
    } finally {
      await p.disconnect();
      await own.stop();
    }
  });

  it('deletes topics', async () => {
    await admin.createTopics({ topics: [{ topic: 'kjs-del', numPartitions: 1 }] });
    await admin.deleteTopics({ topics: ['kjs-del'] });
    expect(await admin.listTopics()).not.toContain('kjs-del');
  });
});

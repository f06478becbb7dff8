import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { RecordBatch } from '../../src/protocol/records/batch.js';
import { buildRecordBatch } from '../../src/protocol/records/builder.js';
import type { SeaweedMqStorage } from '../../src/storage/seaweedmq/index.js';
import { batchOf, expectKafkaError, recordsIn } from '../storage/helpers.js';
import { RecordValueCodec } from './support/record-value.js';
import { fetchRaw, publishRaw } from './support/raw.js';
import { cluster, connectedStorage, readFilerFile } from './support/storage.js';

let storage: SeaweedMqStorage;

beforeAll(async () => {
  storage = await connectedStorage();
});

afterAll(async () => {
  await storage?.close();
});

describe('SeaweedMqStorage against a real SeaweedMQ', () => {
  it('creates, lists, describes and deletes topics', async () => {
    const created = await storage.createTopic({
      name: 'admin-a',
      partitions: 3,
      configs: { 'cleanup.policy': 'delete' },
    });
    expect(created.partitions).toBe(3);
    expect(created.id).toMatch(/^[0-9a-f]{32}$/);
    await expectKafkaError(
      storage.createTopic({ name: 'admin-a', partitions: 1, configs: {} }),
      ErrorCode.TOPIC_ALREADY_EXISTS,
    );
    const described = await storage.describeTopic('admin-a');
    expect(described).toEqual(created);
    expect((await storage.listTopics()).map((t) => t.name)).toContain('admin-a');
    const updated = await storage.setTopicConfigs('admin-a', { 'retention.ms': '1000' });
    expect(updated.configs).toEqual({ 'retention.ms': '1000' });
    await storage.deleteTopic('admin-a');
    expect(await storage.describeTopic('admin-a')).toBeUndefined();
    expect((await storage.listTopics()).map((t) => t.name)).not.toContain('admin-a');
    await expectKafkaError(storage.deleteTopic('admin-a'), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('round-trips records exactly: null vs empty, headers, timestamps, offsets', async () => {
    await storage.createTopic({ name: 'exact', partitions: 2, configs: {} });
    const batch = buildRecordBatch({
      baseTimestamp: 1_700_000_000_000n,
      records: [
        { key: null, value: Buffer.from('v0'), timestamp: 1_700_000_000_000n },
        { key: Buffer.alloc(0), value: null, timestamp: 1_600_000_000_000n },
        { key: Buffer.from('k2'), value: Buffer.alloc(0), timestamp: 1_700_000_000_005n },
        {
          key: Buffer.from('k3'),
          value: Buffer.from('v3'),
          headers: [
            { key: 'h', value: Buffer.from('x') },
            { key: 'n', value: null },
          ],
          timestamp: 1_700_000_000_005n,
        },
      ],
    });
    const r1 = await storage.append('exact', 1, batch);
    expect(r1.baseOffset).toBe(0n);
    const r2 = await storage.append(
      'exact',
      1,
      buildRecordBatch({ records: [{ key: null, value: Buffer.from('v4') }] }),
    );
    expect(r2.baseOffset).toBe(4n);
    expect(await storage.offsets('exact', 1)).toEqual({ logStartOffset: 0n, highWatermark: 5n });
    expect(await storage.offsets('exact', 0)).toEqual({ logStartOffset: 0n, highWatermark: 0n });

    const read = await storage.read('exact', 1, 0n, 1 << 20);
    for (const b of read.batches) expect(new RecordBatch(b).verifyCrc()).toBe(true);
    const records = recordsIn(read);
    expect(records.map((r) => r.offset)).toEqual([0n, 1n, 2n, 3n, 4n]);
    expect(records.map((r) => r.key?.toString() ?? null)).toEqual([null, '', 'k2', 'k3', null]);
    expect(records.map((r) => r.value?.toString() ?? null)).toEqual(['v0', null, '', 'v3', 'v4']);
    expect(records.slice(0, 4).map((r) => r.timestamp)).toEqual([
      1_700_000_000_000n,
      1_600_000_000_000n,
      1_700_000_000_005n,
      1_700_000_000_005n,
    ]);
    expect(records[3]!.headers.map((h) => [h.key, h.value?.toString() ?? null])).toEqual([
      ['h', 'x'],
      ['n', null],
    ]);

    const mid = recordsIn(await storage.read('exact', 1, 3n, 1 << 20));
    expect(mid[0]!.offset).toBe(3n);
    expect((await storage.read('exact', 1, 5n, 1 << 20)).batches).toEqual([]);
    await expectKafkaError(storage.read('exact', 1, 6n, 1 << 20), ErrorCode.OFFSET_OUT_OF_RANGE);
    await expectKafkaError(storage.read('exact', 2, 0n, 1 << 20), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    await expectKafkaError(storage.read('missing', 0, 0n, 1 << 20), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('stamps log-append time when asked', async () => {
    await storage.createTopic({ name: 'lat', partitions: 1, configs: {} });
    const res = await storage.append(
      'lat',
      0,
      buildRecordBatch({ records: [{ key: null, value: Buffer.from('a'), timestamp: 5n }] }),
      {
        logAppendTimeMs: 1_234n,
      },
    );
    expect(res.logAppendTimeMs).toBe(1_234n);
    const [batch] = (await storage.read('lat', 0, 0n, 1 << 20)).batches.map((b) => new RecordBatch(b));
    expect(batch!.timestampType).toBe(1);
    expect(batch!.records()[0]!.timestamp).toBe(1_234n);
  });

  it('finds offsets by timestamp exactly, with timestamps out of order', async () => {
    await storage.createTopic({ name: 'times', partitions: 1, configs: {} });
    const ts = [100n, 300n, 200n, 300n, 50n, 400n];
    await storage.append(
      'times',
      0,
      buildRecordBatch({ records: ts.map((t) => ({ key: null, value: Buffer.from('x'), timestamp: t })) }),
    );
    expect(await storage.offsetForTimestamp('times', 0, 0n)).toEqual({ offset: 0n, timestamp: 100n });
    expect(await storage.offsetForTimestamp('times', 0, 150n)).toEqual({ offset: 1n, timestamp: 300n });
    expect(await storage.offsetForTimestamp('times', 0, 350n)).toEqual({ offset: 5n, timestamp: 400n });
    expect(await storage.offsetForTimestamp('times', 0, 401n)).toBeUndefined();
    expect(await storage.maxTimestamp('times', 0)).toEqual({ offset: 5n, timestamp: 400n });
  });

  it('keeps committed offsets in the layout of SeaweedFS own Kafka gateway', async () => {
    await storage.commitOffsets('g1', [
      { topic: 't1', partition: 0, offset: 42n, leaderEpoch: 3, metadata: 'm', commitTimestampMs: 1000n },
      { topic: 't1', partition: 1, offset: 7n, leaderEpoch: -1, metadata: null, commitTimestampMs: 2000n },
    ]);
    expect(await storage.fetchOffsets('g1')).toEqual([
      { topic: 't1', partition: 0, offset: 42n, leaderEpoch: 3, metadata: 'm', commitTimestampMs: 1000n },
      { topic: 't1', partition: 1, offset: 7n, leaderEpoch: -1, metadata: null, commitTimestampMs: 2000n },
    ]);
    expect(await storage.listOffsetGroups()).toContain('g1');
    const raw = await readFilerFile(
      `/topics/${storage.options.namespace}/.meta/consumer_offsets/g1/t1/0/offset`,
    );
    expect(JSON.parse(raw!.toString())).toMatchObject({
      type: 'offset',
      value: 42,
      committed_at: 1000,
      metadata: 'm',
    });
    await storage.deleteOffsets('g1', [{ topic: 't1', partition: 0 }]);
    expect((await storage.fetchOffsets('g1')).map((o) => o.partition)).toEqual([1]);
    await storage.deleteOffsets('g1', [{ topic: 't1', partition: 1 }]);
    expect(await storage.listOffsetGroups()).not.toContain('g1');
  });

  it('stores key-value metadata', async () => {
    await storage.kvPut('groups', 'a/b', Buffer.from('one'));
    await storage.kvPut('groups', 'c', Buffer.alloc(0));
    expect((await storage.kvGet('groups', 'a/b'))?.toString()).toBe('one');
    expect(await storage.kvGet('groups', 'missing')).toBeUndefined();
    expect([...(await storage.kvList('groups')).keys()].sort()).toEqual(['a/b', 'c']);
    await storage.kvDelete('groups', 'a/b');
    expect(await storage.kvGet('groups', 'a/b')).toBeUndefined();
  });

  it('reads messages another SeaweedMQ publisher wrote as Kafka records', async () => {
    await storage.createTopic({ name: 'foreign', partitions: 1, configs: {} });
    const ns = storage.options.namespace;
    const offsets = await publishRaw(cluster().broker, ns, 'foreign', 0, [
      { key: Buffer.from('k1'), value: Buffer.from('plain value'), ts_ns: '1700000000123456789' },
      { key: Buffer.alloc(0), value: Buffer.from('no key'), ts_ns: '1700000000200000000' },
    ]);
    expect(offsets).toEqual([0n, 1n]);
    const records = recordsIn(await storage.read('foreign', 0, 0n, 1 << 20));
    expect(
      records.map((r) => [r.offset, r.key?.toString() ?? null, r.value?.toString(), r.timestamp]),
    ).toEqual([
      [0n, 'k1', 'plain value', 1_700_000_000_123n],
      [1n, null, 'no key', 1_700_000_000_200n],
    ]);
  });

  it('writes records other SeaweedMQ readers see as key plus envelope columns', async () => {
    await storage.createTopic({ name: 'outward', partitions: 1, configs: {} });
    await storage.append(
      'outward',
      0,
      buildRecordBatch({
        records: [
          {
            key: Buffer.from('k'),
            value: Buffer.from('v'),
            headers: [{ key: 'h', value: Buffer.from('x') }],
            timestamp: 1_700_000_000_042n,
          },
        ],
      }),
    );
    const res = await fetchRaw(cluster().broker, storage.options.namespace, 'outward', 0, 0n);
    expect(res.messages).toHaveLength(1);
    const m = res.messages[0]!;
    expect(m.key.toString()).toBe('k');
    const env = RecordValueCodec.tryDecode(m.value)!;
    expect(env.fields.value?.bytes_value?.toString()).toBe('v');
    expect(env.fields.timestamp?.timestamp_value?.timestamp_micros).toBe('1700000000042000');
    expect(env.fields.headers?.list_value?.values[0]?.record_value?.fields.key?.string_value).toBe('h');
  });

  it('serves small sequential reads from what one FetchMessage read ahead, exactly and in order', async () => {
    await storage.createTopic({ name: 'read-ahead', partitions: 1, configs: {} });
    await storage.append('read-ahead', 0, batchOf(300, 'a'));
    await storage.append('read-ahead', 0, batchOf(300, 'b'));
    const seen: string[] = [];
    let offset = 0n;
    for (let reads = 0; offset < 600n && reads < 1000; reads++) {
      // 1 KiB per read: one or a few records each time, the rest served from the read-ahead window.
      const got = recordsIn(await storage.read('read-ahead', 0, offset, 1024));
      expect(got.length).toBeGreaterThan(0);
      expect(got[0]!.offset).toBe(offset);
      for (const r of got) seen.push(r.value!.toString());
      offset = got[got.length - 1]!.offset + 1n;
    }
    expect(seen).toEqual([
      ...Array.from({ length: 300 }, (_, i) => `v-a-${i}`),
      ...Array.from({ length: 300 }, (_, i) => `v-b-${i}`),
    ]);
    // A seek back reads again from the broker.
    expect(recordsIn(await storage.read('read-ahead', 0, 299n, 1))[0]!.value!.toString()).toBe('v-a-299');
    await storage.deleteTopic('read-ahead');
  });

  it('pipelines concurrent appends on one stream and matches every ack to its record', async () => {
    await storage.createTopic({ name: 'pipelined', partitions: 1, configs: {} });
    const appends = Array.from({ length: 40 }, (_, i) =>
      storage.append(
        'pipelined',
        0,
        buildRecordBatch({
          records: Array.from({ length: 1 + (i % 5) }, (_, j) => ({
            key: null,
            value: Buffer.from(`a${i}-r${j}`),
          })),
        }),
      ),
    );
    const results = await Promise.all(appends);
    const total = results.reduce((n, _, i) => n + 1 + (i % 5), 0);
    expect((await storage.offsets('pipelined', 0)).highWatermark).toBe(BigInt(total));
    const byOffset = new Map(
      recordsIn(await storage.read('pipelined', 0, 0n, 1 << 24)).map((r) => [r.offset, r.value?.toString()]),
    );
    results.forEach((res, i) => {
      for (let j = 0; j < 1 + (i % 5); j++)
        expect(byOffset.get(res.baseOffset + BigInt(j))).toBe(`a${i}-r${j}`);
    });
  });
});

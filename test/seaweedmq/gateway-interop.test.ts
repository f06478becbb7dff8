import type { Admin, Kafka, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kcatClient, kcatConsume } from '../support/clients/kcat.js';
import { configureRaw } from './support/gateway-raw.js';
import { kafkaClient, readGroup, startSeaweedGateway, type SeaweedGateway } from './support/gateway.js';
import { fetchRaw, publishRaw } from './support/raw.js';
import { RecordValueCodec } from './support/record-value.js';
import { cluster } from './support/storage.js';

// Kafka clients and plain SeaweedMQ clients on the same topics, through the gateway: what another
// SeaweedMQ publisher writes, Kafka consumers read; what Kafka producers write, SeaweedMQ readers see
// as the key plus the envelope's columns (docs/seaweedmq.md).

const kcat = await kcatClient();

/** Two messages as another SeaweedMQ publisher writes them: no envelope, time in ns. */
const FOREIGN = [
  { key: Buffer.from('k1'), value: Buffer.from('plain value'), ts_ns: '1700000000123456789' },
  { key: Buffer.alloc(0), value: Buffer.from('no key'), ts_ns: '1700000000200000000' },
];
/** How a Kafka client must see FOREIGN: empty key as null, the time truncated to ms, no headers. */
const FOREIGN_AS_KAFKA = [
  [0, 'k1', 'plain value', 1_700_000_000_123],
  [1, null, 'no key', 1_700_000_000_200],
];

describe('interoperation of SeaweedMQ clients and Kafka clients through the gateway', () => {
  let gateway: SeaweedGateway;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;

  beforeAll(async () => {
    gateway = await startSeaweedGateway();
    kafka = kafkaClient(gateway.bootstrap, 'gw-interop');
    admin = kafka.admin();
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await admin.connect();
    await producer.connect();
    await admin.createTopics({
      topics: ['interop-in', 'interop-out'].map((topic) => ({ topic, numPartitions: 1 })),
      waitForLeaders: true,
    });
    const offsets = await publishRaw(cluster().broker, gateway.namespace, 'interop-in', 0, FOREIGN);
    expect(offsets).toEqual([0n, 1n]);
  });

  afterAll(async () => {
    await producer?.disconnect();
    await admin?.disconnect();
    await gateway?.stop();
  });

  it('kafkajs reads what a SeaweedMQ publisher wrote: key, value and timestamp', async () => {
    const reader = await readGroup(kafka, { groupId: 'interop-in-readers', topic: 'interop-in' });
    try {
      await reader.waitCount(2);
      expect(
        reader.seen.map((r) => [
          r.offset,
          r.key?.toString() ?? null,
          r.value?.toString() ?? null,
          r.timestamp,
        ]),
      ).toEqual(FOREIGN_AS_KAFKA);
      expect(reader.seen.map((r) => r.headers)).toEqual([{}, {}]);
    } finally {
      await reader.stop();
    }
  });

  it.skipIf(!kcat.ok)('kcat reads the same messages', async () => {
    const records = await kcatConsume({ bootstrap: gateway.bootstrap, topic: 'interop-in' });
    expect(
      records.map((r) => [r.offset, r.key?.toString() ?? null, r.value?.toString() ?? null, r.timestamp]),
    ).toEqual(FOREIGN_AS_KAFKA);
    expect(records.map((r) => [r.partition, r.headers])).toEqual([
      [0, []],
      [0, []],
    ]);
  });

  it('a topic another SeaweedMQ client created is listed and read by kafkajs', async () => {
    await configureRaw(cluster().broker, gateway.namespace, 'interop-foreign', 2);
    await publishRaw(cluster().broker, gateway.namespace, 'interop-foreign', 1, FOREIGN.slice(0, 1));
    expect(await admin.listTopics()).toContain('interop-foreign');
    const meta = await admin.fetchTopicMetadata({ topics: ['interop-foreign'] });
    expect(meta.topics[0]!.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1]);
    // Without the gateway's metadata file the id is derived, so it is stable.
    const first = await gateway.storage.describeTopic('interop-foreign');
    expect(first?.id).toMatch(/^[0-9a-f]{32}$/);
    expect((await gateway.storage.describeTopic('interop-foreign'))?.id).toBe(first?.id);
    const reader = await readGroup(kafka, { groupId: 'interop-foreign-readers', topic: 'interop-foreign' });
    try {
      await reader.waitCount(1);
      expect(reader.seen.map((r) => [r.partition, r.offset, r.key?.toString(), r.value?.toString()])).toEqual(
        [[1, 0, 'k1', 'plain value']],
      );
    } finally {
      await reader.stop();
    }
  });

  it('what kafkajs produced reads straight from SeaweedMQ as key plus envelope', async () => {
    await producer.send({
      topic: 'interop-out',
      acks: -1,
      messages: [
        { key: 'k', value: 'v', headers: { h: 'x' }, timestamp: '1700000000042' },
        { key: null, value: null, timestamp: '1700000000043' },
        { key: 'e', value: Buffer.alloc(0), timestamp: '1700000000044' },
      ],
    });
    const res = await fetchRaw(cluster().broker, gateway.namespace, 'interop-out', 0, 0n);
    expect(res.error).toBe('');
    expect(res.messages.map((m) => m.key.toString())).toEqual(['k', '', 'e']);
    const [full, tombstone, empty] = res.messages.map((m) => RecordValueCodec.tryDecode(m.value)!.fields);

    expect(full!.kafka_v?.int32_value).toBe(1);
    expect(full!.value?.bytes_value?.toString()).toBe('v');
    expect(full!.key_is_null).toBeUndefined();
    expect(full!.timestamp?.timestamp_value?.timestamp_micros).toBe('1700000000042000');
    const header = full!.headers?.list_value?.values[0]?.record_value?.fields;
    expect(header?.key?.string_value).toBe('h');
    expect(header?.value?.bytes_value?.toString()).toBe('x');

    // A null key and a null value are told apart from empty ones by the envelope alone.
    expect(tombstone!.key_is_null?.bool_value).toBe(true);
    expect(tombstone!.value).toBeUndefined();
    expect(tombstone!.timestamp?.timestamp_value?.timestamp_micros).toBe('1700000000043000');
    expect(empty!.value?.bytes_value).toHaveLength(0);
    expect(empty!.headers).toBeUndefined();
  });
});

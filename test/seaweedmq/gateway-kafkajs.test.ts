import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ConfigResourceTypes, type Admin, type Kafka, type Message, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  byPosition,
  committed,
  kafkaClient,
  positions,
  readGroup,
  startSeaweedGateway,
  waitFor,
  type SeaweedGateway,
  type SeenRecord,
} from './support/gateway.js';

// kafkajs end to end through a gateway whose store is SeaweedMQ: admin, producer, a consumer group
// with commits, and delete + re-create. Every record must come back exactly as sent.

const TOPIC = 'kjs-orders';
const GROUP = 'kjs-orders-readers';
const PARTITIONS = 3;
const BASE_TS = 1_700_000_000_000;

interface Sent {
  partition: number;
  message: Message;
}

/** The records the test produces: keyed, with headers, explicit timestamps and the edge cases. */
function dataset(): Sent[] {
  const out: Sent[] = [];
  for (let i = 0; i < 24; i++) {
    out.push({
      partition: i % PARTITIONS,
      message: {
        key: `key-${i}`,
        value: `value-${i}`,
        headers: { idx: String(i), bin: Buffer.from([0, i, 255]) },
        // Out of order on purpose: the store must keep each record's own timestamp.
        timestamp: String(BASE_TS + (i % 2 === 0 ? i * 1000 : -i * 1000)),
      },
    });
  }
  out.push({ partition: 0, message: { key: 'tombstone', value: null, timestamp: String(BASE_TS + 1) } });
  out.push({
    partition: 1,
    message: { key: 'empty', value: Buffer.alloc(0), timestamp: String(BASE_TS + 2) },
  });
  out.push({ partition: 2, message: { key: null, value: 'no key', timestamp: String(BASE_TS + 3) } });
  out.push({
    partition: 2,
    message: { key: Buffer.alloc(0), value: 'empty key', headers: { e: '' }, timestamp: String(BASE_TS + 4) },
  });
  return out;
}

const bytes = (v: Message['key'] | Message['value']): Buffer | null =>
  v === null || v === undefined ? null : Buffer.isBuffer(v) ? v : Buffer.from(v);

/** What a reader must see: per partition, offsets 0.. in the order the records were sent. */
function expected(sent: readonly Sent[]): SeenRecord[] {
  const next = new Map<number, number>();
  return sent.map(({ partition, message }) => {
    const offset = next.get(partition) ?? 0;
    next.set(partition, offset + 1);
    const headers: Record<string, Buffer | null> = {};
    for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = bytes(v as string | Buffer);
    return {
      partition,
      offset,
      timestamp: Number(message.timestamp),
      key: bytes(message.key),
      value: bytes(message.value),
      headers,
    };
  });
}

describe('kafkajs through a gateway on SeaweedMQ', () => {
  let gateway: SeaweedGateway;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  const sent = dataset();

  beforeAll(async () => {
    gateway = await startSeaweedGateway();
    kafka = kafkaClient(gateway.bootstrap, 'gw-kafkajs');
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

  it('creates a topic with three partitions and a config', async () => {
    const created = await admin.createTopics({
      topics: [
        {
          topic: TOPIC,
          numPartitions: PARTITIONS,
          configEntries: [{ name: 'retention.ms', value: '86400000' }],
        },
      ],
      waitForLeaders: true,
    });
    expect(created).toBe(true);
    expect(await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1 }] })).toBe(false);
    expect(await admin.listTopics()).toContain(TOPIC);
    const meta = await admin.fetchTopicMetadata({ topics: [TOPIC] });
    expect(meta.topics[0]!.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2]);
    const configs = await admin.describeConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: TOPIC, configNames: ['retention.ms'] }],
      includeSynonyms: false,
    });
    expect(configs.resources[0]!.configEntries.map((c) => [c.configName, c.configValue])).toEqual([
      ['retention.ms', '86400000'],
    ]);
  });

  it('produces keyed records and reports their offsets', async () => {
    // Two sends, so the partitions hold records from more than one produce request.
    const half = Math.floor(sent.length / 2);
    for (const part of [sent.slice(0, half), sent.slice(half)]) {
      const acks = await producer.send({
        topic: TOPIC,
        acks: -1,
        messages: part.map((s) => ({ ...s.message, partition: s.partition })),
      });
      expect(acks.every((a) => a.errorCode === 0)).toBe(true);
    }
    const offsets = await admin.fetchTopicOffsets(TOPIC);
    const want = [0, 1, 2].map((p) => String(sent.filter((s) => s.partition === p).length));
    expect(offsets.sort((a, b) => a.partition - b.partition).map((o) => [o.low, o.high])).toEqual(
      want.map((high) => ['0', high]),
    );
  });

  it('a consumer group reads every record exactly as sent and commits the end offsets', async () => {
    const reader = await readGroup(kafka, { groupId: GROUP, topic: TOPIC });
    try {
      await reader.waitCount(sent.length);
      // Records are per partition in offset order, without gaps or repeats.
      for (let p = 0; p < PARTITIONS; p++) {
        const offsets = reader.seen.filter((r) => r.partition === p).map((r) => r.offset);
        expect(offsets).toEqual([...offsets.keys()]);
      }
      expect(byPosition(reader.seen)).toEqual(byPosition(expected(sent)));
      const tomb = reader.seen.find((r) => r.key?.toString() === 'tombstone')!;
      expect(tomb.value).toBeNull();
      const empty = reader.seen.find((r) => r.key?.toString() === 'empty')!;
      expect(empty.value).toEqual(Buffer.alloc(0));

      const ends = new Map([0, 1, 2].map((p) => [p, String(sent.filter((s) => s.partition === p).length)]));
      let last = new Map<number, string>();
      await waitFor(
        'the group to commit the end of every partition',
        async () => {
          last = await committed(kafka, GROUP, TOPIC);
          return [...ends].every(([p, o]) => last.get(p) === o);
        },
        30_000,
        () => JSON.stringify([...last]),
      );

      const [described] = (await admin.describeGroups([GROUP])).groups;
      expect(described).toMatchObject({ groupId: GROUP, state: 'Stable', protocolType: 'consumer' });
      expect(described!.members).toHaveLength(1);
    } finally {
      await reader.stop();
    }
    const [after] = (await admin.describeGroups([GROUP])).groups;
    expect(after).toMatchObject({ groupId: GROUP, state: 'Empty', members: [] });
    expect((await admin.listGroups()).groups.map((g) => g.groupId)).toContain(GROUP);
    // The commits are in SeaweedMQ's filer, not only in the coordinator's memory.
    const stored = await gateway.storage.fetchOffsets(GROUP);
    expect(stored.map((o) => [o.topic, o.partition, o.offset])).toEqual(
      [0, 1, 2].map((p) => [TOPIC, p, BigInt(sent.filter((s) => s.partition === p).length)]),
    );
  });

  it('a consumer of the same group after the commits gets nothing old, only what is new', async () => {
    const reader = await readGroup(kafka, { groupId: GROUP, topic: TOPIC });
    try {
      await producer.send({ topic: TOPIC, messages: [{ partition: 1, key: 'late', value: 'late' }] });
      await reader.waitCount(1);
      const offset = sent.filter((s) => s.partition === 1).length;
      expect(positions(reader.seen)).toEqual([`1@${offset}`]);
      expect(reader.seen[0]!.value?.toString()).toBe('late');
    } finally {
      await reader.stop();
    }
  });

  /** Deletes `topic`, creates it again with `partitions` and checks it is empty and starts at 0. */
  async function recreateEmpty(topic: string, partitions: number, group: string): Promise<void> {
    await admin.deleteTopics({ topics: [topic], timeout: 30_000 });
    expect(await admin.listTopics()).not.toContain(topic);
    await createEmpty(topic, partitions, group);
  }

  /** Creates `topic` with `partitions` and checks it starts empty at offset 0 for a new group. */
  async function createEmpty(topic: string, partitions: number, group: string): Promise<void> {
    expect(
      await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true }),
    ).toBe(true);
    const offsets = await admin.fetchTopicOffsets(topic);
    expect(offsets.map((o) => [o.partition, o.low, o.high])).toEqual(
      Array.from({ length: partitions }, (_, p) => [p, '0', '0']),
    );
    const reader = await readGroup(kafka, { groupId: group, topic });
    try {
      // Partition 0 exists whatever the producer still remembers of the topic before it was deleted.
      const partition = 0;
      const [ack] = await producer.send({
        topic,
        messages: [{ partition, key: 'fresh', value: 'fresh', timestamp: String(BASE_TS) }],
      });
      expect(ack).toMatchObject({ partition, errorCode: 0, baseOffset: '0' });
      await reader.waitCount(1);
      expect(reader.seen.map((r) => [r.partition, r.offset, r.key?.toString(), r.timestamp])).toEqual([
        [partition, 0, 'fresh', BASE_TS],
      ]);
    } finally {
      await reader.stop();
    }
  }

  it('deletes the topic with its commits; created again (2 partitions) it is empty from offset 0', async () => {
    await recreateEmpty(TOPIC, 2, `${GROUP}-2`);
    // The group's commits for the topic went with it, in the coordinator and in the filer.
    expect(await admin.fetchOffsets({ groupId: GROUP })).toEqual([]);
    expect(await gateway.storage.fetchOffsets(GROUP)).toEqual([]);
  });

  // SeaweedMQ 4.44 keeps each partition's offset counter (per namespace, topic name and ring range) until
  // its broker restarts, so a topic created again with the same partition count would ack records at the
  // old offsets and serve them from 0. The gateway refuses that create with Kafka's "marked for
  // deletion" answer; another partition count gets new ranges and works (docs/seaweedmq.md).
  it('refuses to re-create a deleted topic with the same partition count, and says why', async () => {
    const topic = 'kjs-same-layout';
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true });
    await producer.send({
      topic,
      messages: [0, 1, 2].flatMap((p) => [0, 1].map((i) => ({ partition: p, value: `old-${p}-${i}` }))),
    });
    await admin.deleteTopics({ topics: [topic], timeout: 30_000 });
    await expect(
      gateway.storage.createTopic({ name: topic, partitions: PARTITIONS, configs: {} }),
    ).rejects.toMatchObject({
      code: ErrorCode.TOPIC_ALREADY_EXISTS,
      message: expect.stringMatching(/marked for deletion.*restarts/) as unknown,
    });
    expect(await admin.listTopics()).not.toContain(topic);
    await createEmpty(topic, PARTITIONS + 1, `${GROUP}-same-2`);
  });
});

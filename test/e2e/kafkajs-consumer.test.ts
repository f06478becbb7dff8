import { AssignerProtocol, Kafka, logLevel } from 'kafkajs';
import type { Admin, Consumer, EachMessagePayload, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStorage } from '../../src/storage/memory/memory-storage.js';
import type { RunningGateway } from '../support/gateway.js';
import { startGateway } from '../support/gateway.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

const TOPIC = 'kc-orders';
const GROUP = 'kc-group';
const PARTITIONS = 4;

interface Seen {
  readonly consumer: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly value: string;
}

/** Waits for a condition with a generous bound; never a fixed sleep. */
async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('kafkajs consumer group against the gateway', () => {
  let gateway: RunningGateway;
  const storage = new MemoryStorage();
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  const seen: Seen[] = [];
  const consumers = new Map<string, Consumer>();
  let produced = 0;

  async function produce(count: number): Promise<string[]> {
    const values = Array.from({ length: count }, (_, i) => `m${produced + i}`);
    await producer.send({
      topic: TOPIC,
      messages: values.map((value, i) => ({ partition: (produced + i) % PARTITIONS, key: value, value })),
    });
    produced += count;
    return values;
  }

  async function startConsumer(name: string): Promise<Consumer> {
    const consumer = kafka.consumer({
      groupId: GROUP,
      sessionTimeout: 10_000,
      heartbeatInterval: 500,
      maxWaitTimeInMs: 200,
    });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    await consumer.run({
      // Auto-commit after every batch: what is committed has been processed.
      eachMessage: async ({ partition, message }: EachMessagePayload) => {
        seen.push({
          consumer: name,
          partition,
          offset: BigInt(message.offset),
          value: message.value!.toString(),
        });
      },
    });
    consumers.set(name, consumer);
    return consumer;
  }

  async function stopConsumer(name: string): Promise<void> {
    await consumers.get(name)?.disconnect();
    consumers.delete(name);
  }

  async function committed(): Promise<Map<number, string>> {
    const [offsets] = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
    return new Map(offsets!.partitions.map((p) => [p.partition, p.offset]));
  }

  async function highWatermarks(): Promise<Map<number, string>> {
    return new Map((await admin.fetchTopicOffsets(TOPIC)).map((o) => [o.partition, o.high]));
  }

  async function groupState(): Promise<string> {
    const { groups } = await admin.describeGroups([GROUP]);
    return groups[0]!.state;
  }

  /** Every record consumed exactly once, committed offsets at the end of every partition. */
  async function expectAllConsumedAndCommitted(values: readonly string[], from: number): Promise<void> {
    await waitFor(() => seen.length - from >= values.length, `${values.length} records to be consumed`);
    const slice = seen.slice(from);
    expect(slice.map((s) => s.value).sort()).toEqual([...values].sort());
    const keys = slice.map((s) => `${s.partition}:${s.offset}`);
    expect(new Set(keys).size).toBe(keys.length);
    const high = await highWatermarks();
    await waitFor(async () => {
      const c = await committed();
      return [...high].every(([p, h]) => c.get(p) === h);
    }, 'the commits to reach the high watermarks');
  }

  beforeAll(async () => {
    gateway = await startGateway({ storage });
    kafka = new Kafka({ brokers: [gateway.bootstrap], clientId: 'e2e-consumer', logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    producer = kafka.producer();
    await admin.connect();
    await producer.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] });
  });

  afterAll(async () => {
    for (const name of [...consumers.keys()]) await stopConsumer(name);
    await producer?.disconnect();
    await admin?.disconnect();
    await gateway?.stop();
  });

  it('shares the partitions between two members and consumes every record exactly once', async () => {
    await Promise.all([startConsumer('c1'), startConsumer('c2')]);
    await waitFor(async () => {
      const { groups } = await admin.describeGroups([GROUP]);
      return groups[0]!.state === 'Stable' && groups[0]!.members.length === 2;
    }, 'a Stable group of two members');

    const values = await produce(200);
    await expectAllConsumedAndCommitted(values, 0);

    // Each member owns its own partitions, and together they cover the topic.
    const owners = new Map<number, Set<string>>();
    for (const s of seen) owners.set(s.partition, (owners.get(s.partition) ?? new Set()).add(s.consumer));
    expect([...owners.keys()].sort()).toEqual([0, 1, 2, 3]);
    for (const o of owners.values()) expect(o.size).toBe(1);
    expect(new Set(seen.map((s) => s.consumer))).toEqual(new Set(['c1', 'c2']));
    // The commits went through the storage interface, where a persistent backend keeps them.
    const stored = await storage.fetchOffsets(GROUP);
    const high = await highWatermarks();
    expect(new Map(stored.map((o) => [o.partition, o.offset.toString()]))).toEqual(high);
  });

  it('describes and lists the group as Kafka does', async () => {
    const { groups } = await admin.describeGroups([GROUP]);
    const g = groups[0]!;
    expect(g).toMatchObject({ groupId: GROUP, state: 'Stable', protocolType: 'consumer', errorCode: 0 });
    expect(g.protocol).toBe('RoundRobinAssigner');
    expect(g.members).toHaveLength(2);
    const assigned: number[] = [];
    for (const m of g.members) {
      expect(m.clientId).toBe('e2e-consumer');
      expect(m.clientHost).toBe('/127.0.0.1');
      expect(AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.topics).toEqual([TOPIC]);
      const assignment = AssignerProtocol.MemberAssignment.decode(m.memberAssignment);
      expect(assignment!.assignment[TOPIC]!.length).toBe(2);
      assigned.push(...assignment!.assignment[TOPIC]!);
    }
    expect(assigned.sort()).toEqual([0, 1, 2, 3]);

    const { groups: listed } = await admin.listGroups();
    expect(listed).toContainEqual({ groupId: GROUP, protocolType: 'consumer' });
    // A group with members cannot be deleted.
    await expect(admin.deleteGroups([GROUP])).rejects.toThrow();
  });

  it('moves every partition to the remaining member when one leaves', async () => {
    await stopConsumer('c2');
    await waitFor(async () => {
      const { groups } = await admin.describeGroups([GROUP]);
      return groups[0]!.state === 'Stable' && groups[0]!.members.length === 1;
    }, 'the group to settle with one member');
    const from = seen.length;
    const values = await produce(40);
    await expectAllConsumedAndCommitted(values, from);
    expect(new Set(seen.slice(from).map((s) => s.consumer))).toEqual(new Set(['c1']));
  });

  it('resumes a restarted consumer exactly after the last commit', async () => {
    await stopConsumer('c1');
    await waitFor(async () => (await groupState()) === 'Empty', 'the group to be Empty');
    const before = await committed();
    // Produced while nobody consumes: exactly these must come next.
    const values = await produce(20);
    const from = seen.length;
    await startConsumer('c3');
    await expectAllConsumedAndCommitted(values, from);
    const firsts = new Map<number, bigint>();
    for (const s of seen.slice(from)) if (!firsts.has(s.partition)) firsts.set(s.partition, s.offset);
    for (const [p, offset] of firsts) expect(offset.toString()).toBe(before.get(p));
  });

  it('resets offsets to the earliest and a new consumer reads everything again', async () => {
    await stopConsumer('c3');
    await waitFor(async () => (await groupState()) === 'Empty', 'the group to be Empty');
    await admin.resetOffsets({ groupId: GROUP, topic: TOPIC, earliest: true });
    // kafkajs commits its "earliest" marker (-2), which consumers resolve when they start.
    const reset = await committed();
    expect([...reset.values()]).toEqual(Array(PARTITIONS).fill('-2'));

    const from = seen.length;
    await startConsumer('c4');
    await waitFor(() => seen.length - from >= produced, 'every record to be consumed again');
    expect(
      seen
        .slice(from)
        .map((s) => s.value)
        .sort(),
    ).toEqual(
      seen
        .slice(0, from)
        .map((s) => s.value)
        .sort(),
    );
  });

  it('deletes the group once it is empty, with its committed offsets', async () => {
    await stopConsumer('c4');
    await waitFor(async () => (await groupState()) === 'Empty', 'the group to be Empty');
    await admin.deleteGroups([GROUP]);
    const { groups } = await admin.listGroups();
    expect(groups.map((g) => g.groupId)).not.toContain(GROUP);
    expect([...(await committed()).values()]).toEqual(Array(PARTITIONS).fill('-1'));
    expect(await groupState()).toBe('Dead');
  });
});

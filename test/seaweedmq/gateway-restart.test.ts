import type { Kafka } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  committed,
  kafkaClient,
  positions,
  readGroup,
  startSeaweedGateway,
  waitFor,
  type SeaweedGateway,
} from './support/gateway.js';
import { uniqueNamespace } from './support/storage.js';

// Committed offsets live in SeaweedMQ's filer, not in the gateway: a gateway started afresh on the
// same namespace serves them, and the group resumes exactly where it committed.

const TOPIC = 'restart-orders';
const GROUP = 'restart-readers';
const PARTITIONS = 3;
const PER_PARTITION = 10;
/** What the group commits through gateway A: partway, the end, and partway. */
const COMMITS = new Map([
  [0, 4],
  [1, PER_PARTITION],
  [2, 7],
]);

const value = (p: number, i: number): string => `v-${p}-${i}`;

async function produce(kafka: Kafka, from: number, to: number): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    const messages = [];
    for (let p = 0; p < PARTITIONS; p++) {
      for (let i = from; i < to; i++) messages.push({ partition: p, key: `k-${i}`, value: value(p, i) });
    }
    await producer.send({ topic: TOPIC, acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
}

describe('gateway restart on SeaweedMQ', () => {
  const namespace = uniqueNamespace('gwr');
  const running: SeaweedGateway[] = [];

  afterAll(async () => {
    for (const g of running) await g.stop();
  });

  it('a group resumes at its committed offsets on a new gateway over the same namespace', async () => {
    // Gateway A: create, produce, consume everything, commit only part of it.
    const a = await startSeaweedGateway({ namespace });
    running.push(a);
    const kafkaA = kafkaClient(a.bootstrap, 'restart-a');
    const admin = kafkaA.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        topics: [{ topic: TOPIC, numPartitions: PARTITIONS }],
        waitForLeaders: true,
      });
    } finally {
      await admin.disconnect();
    }
    await produce(kafkaA, 0, PER_PARTITION);
    const first = await readGroup(kafkaA, { groupId: GROUP, topic: TOPIC, autoCommit: false });
    try {
      await first.waitCount(PARTITIONS * PER_PARTITION);
      await first.consumer.commitOffsets(
        [...COMMITS].map(([partition, offset]) => ({ topic: TOPIC, partition, offset: String(offset) })),
      );
    } finally {
      await first.stop();
    }
    const want = new Map([...COMMITS].map(([p, o]) => [p, String(o)]));
    expect(await committed(kafkaA, GROUP, TOPIC)).toEqual(want);
    await a.stop();
    running.splice(running.indexOf(a), 1);

    // Gateway B: a new gateway object that builds its own store from the config, as the CLI does.
    const b = await startSeaweedGateway({ namespace, via: 'config' });
    running.push(b);
    const kafkaB = kafkaClient(b.bootstrap, 'restart-b');
    expect(await committed(kafkaB, GROUP, TOPIC)).toEqual(want);
    const adminB = kafkaB.admin();
    await adminB.connect();
    try {
      const [group] = (await adminB.describeGroups([GROUP])).groups;
      expect(group).toMatchObject({ groupId: GROUP, state: 'Empty', protocolType: 'consumer', members: [] });
      expect((await adminB.listGroups()).groups.map((g) => g.groupId)).toContain(GROUP);
    } finally {
      await adminB.disconnect();
    }

    // Two more records per partition through B; the group gets exactly what is past its commits.
    await produce(kafkaB, PER_PARTITION, PER_PARTITION + 2);
    const end = PER_PARTITION + 2;
    const expected: string[] = [];
    for (const [p, from] of COMMITS) for (let o = from; o < end; o++) expected.push(`${p}@${o}`);
    const second = await readGroup(kafkaB, { groupId: GROUP, topic: TOPIC });
    try {
      await second.waitCount(expected.length);
      let last = new Map<number, string>();
      await waitFor(
        'the group to commit the end of every partition through B',
        async () => {
          last = await committed(kafkaB, GROUP, TOPIC);
          return [0, 1, 2].every((p) => last.get(p) === String(end));
        },
        30_000,
        () => JSON.stringify([...last]),
      );
      // Nothing below a commit came again, nothing past it was skipped.
      expect(positions(second.seen)).toEqual(expected);
      for (const r of second.seen) expect(r.value?.toString()).toBe(value(r.partition, r.offset));
    } finally {
      await second.stop();
    }
  });
});

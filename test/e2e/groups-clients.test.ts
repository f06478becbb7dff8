import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTarget, uniqueTopic, type Target } from '../support/clients/target.js';
import { createTopic } from '../support/clients/topics.js';
import { allEvents, tailEvents, waitAllProcessed, waitUntil } from '../support/groups/group-events.js';
import {
  describeGroup,
  javaGroupTools,
  produceSequence,
  type JavaGroupTools,
} from '../support/groups/java-groups.js';
import { account, describeAccounting, processedRecords, type Produced } from '../support/groups/ledger.js';
import type { LineProcess } from '../support/groups/line-process.js';
import {
  goClients,
  pythonClient,
  startMember,
  type MemberClient,
  type MemberClients,
} from '../support/groups/other-clients.js';
import { doubleOwnership, ownershipIntervals } from '../support/groups/ownership.js';

// Group consumers of other client families against the broker under test: librdkafka (through
// confluent-kafka-python), franz-go and IBM/sarama. Two members join and split the partitions,
// consume everything and commit; after a clean stop a restarted member resumes exactly at the
// committed offsets: a run limited to N records processes exactly the next N, and the run after it
// exactly the rest.

const [java, go, python] = await Promise.all([javaGroupTools(), goClients(), pythonClient()]);
const where: MemberClients = {
  goBin: go.ok ? go.client : undefined,
  python: python.ok ? python.client : undefined,
};
const PARTITIONS = 4;
const WAIT = 90_000;
const SLOW = 300_000;

const CASES: Array<{ client: MemberClient; assignor: string; ok: boolean }> = [
  { client: 'confluent-kafka-python', assignor: 'range', ok: python.ok },
  { client: 'confluent-kafka-python', assignor: 'cooperative-sticky', ok: python.ok },
  { client: 'franz-go', assignor: 'cooperative-sticky', ok: go.ok },
  { client: 'sarama', assignor: 'range', ok: go.ok },
];

function tools(): JavaGroupTools {
  if (!java.ok) {
    throw new Error(java.reason);
  }
  return java.client;
}

/** Each member's current partitions, from its own assignment/revocation events. */
function owners(events: ReturnType<typeof allEvents>): Map<string, number[]> {
  const now = new Map<string, number[]>();
  for (const i of ownershipIntervals(events).filter((x) => x.to === Infinity)) {
    now.set(
      i.member,
      [...(now.get(i.member) ?? []), i.p].sort((a, b) => a - b),
    );
  }
  return now;
}

describe.skipIf(!java.ok)('consumer groups: librdkafka, franz-go and Sarama', () => {
  let target: Target;
  const running: LineProcess[] = [];

  beforeAll(async () => {
    target = await startTarget();
  });

  afterEach(async () => {
    for (const p of running.splice(0)) {
      p.kill();
      await p.exited;
    }
  });

  afterAll(async () => {
    await target?.stop();
  });

  it.each(CASES)(
    '$client ($assignor): two members share the work, commit, and a restart resumes exactly where they stopped',
    async ({ client, assignor, ok }) => {
      if (!ok) {
        return;
      }
      const topic = uniqueTopic(`grp-${client}`);
      const group = `${topic}-g`;
      await createTopic(target.bootstrap, topic, PARTITIONS);
      const produce = (count: number, start: number): Promise<Produced[]> =>
        produceSequence(tools(), {
          bootstrap: target.bootstrap,
          topic,
          partitions: PARTITIONS,
          count,
          start,
        });
      const member = (name: string, stopAfter?: number): LineProcess => {
        const proc = startMember(client, where, {
          bootstrap: target.bootstrap,
          topic,
          group,
          member: name,
          assignor,
          stopAfter,
        });
        running.push(proc);
        return proc;
      };

      const first = await produce(400, 0);
      const m1 = member('m1');
      const m2 = member('m2');
      const both = [m1, m2];
      await waitAllProcessed(both, first, WAIT);
      // Both members hold partitions, disjointly, covering the topic.
      await waitUntil(
        'm1 and m2 share all partitions',
        () => {
          const now = owners(allEvents(both));
          const all = [...(now.get('m1') ?? []), ...(now.get('m2') ?? [])].sort((a, b) => a - b);
          return (
            (now.get('m1') ?? []).length > 0 && (now.get('m2') ?? []).length > 0 && all.join() === '0,1,2,3'
          );
        },
        WAIT,
        () => tailEvents(both),
      );
      const second = await produce(200, 400);
      await waitAllProcessed(both, second, WAIT);
      await m2.stop();
      await m1.stop();
      const shared = allEvents(both);
      let accounting = account([...first, ...second], processedRecords(shared));
      expect(accounting.lost, describeAccounting(accounting)).toEqual([]);
      expect(accounting.duplicates, describeAccounting(accounting)).toEqual([]);
      expect(accounting.wrongValue, describeAccounting(accounting)).toEqual([]);
      expect(doubleOwnership(ownershipIntervals(shared))).toEqual([]);
      expect(shared.filter((e) => ['commit-failed', 'error'].includes(e.ev))).toEqual([]);

      // Resume: exactly the next 120 records, then exactly the remaining 80.
      const third = await produce(200, 600);
      const limited = member('m1', 120);
      const limitedExit = await limited.waitExit(WAIT);
      expect(limitedExit.code, limited.stderrTail()).toBe(0);
      const limitedRecords = processedRecords(limited.events);
      expect(limitedRecords).toHaveLength(120);
      expect(limitedRecords.every((r) => Number(r.v) >= 600)).toBe(true);
      const rest = member('m1');
      await waitAllProcessed([limited, rest], third, WAIT);
      await rest.stop();
      const restRecords = processedRecords(rest.events);
      expect(restRecords).toHaveLength(80);
      accounting = account(third, [...limitedRecords, ...restRecords]);
      expect(accounting.lost, describeAccounting(accounting)).toEqual([]);
      expect(accounting.duplicates, describeAccounting(accounting)).toEqual([]);

      const described = await describeGroup(tools(), target.bootstrap, group);
      expect(described.description.state).toBe('Empty');
      expect(described.offsets.map((o) => [o.partition, o.lag])).toEqual([
        [0, 0],
        [1, 0],
        [2, 0],
        [3, 0],
      ]);
    },
    SLOW,
  );
});

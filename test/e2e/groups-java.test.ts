import { describe, expect, it } from 'vitest';
import { uniqueTopic } from '../support/clients/target.js';
import { groupSuite, installed } from '../support/groups/suite.js';
import { createTopic } from '../support/clients/topics.js';
import {
  allEvents,
  memberEvents,
  tailEvents,
  waitAllProcessed,
  waitStable,
} from '../support/groups/group-events.js';
import {
  describeGroup,
  javaGroupTools,
  produceSequence,
  startJavaGroup,
  type JavaGroupTools,
} from '../support/groups/java-groups.js';
import { account, describeAccounting, processedRecords, type Produced } from '../support/groups/ledger.js';
import type { LineProcess } from '../support/groups/line-process.js';
import { doubleOwnership, ownershipIntervals } from '../support/groups/ownership.js';

// The Java consumer (kafka-clients 3.9.2) in a group, against the broker under test: the eager range
// assignor, the incremental cooperative-sticky assignor, and static membership. Members commit what
// they processed after each poll and in their revocation callback, so clean rebalances must neither
// lose nor repeat a record.

const tools = await javaGroupTools();
const PARTITIONS = 6;
const SLOW = 300_000;
const WAIT = 90_000;

function java(): JavaGroupTools {
  return installed(tools);
}

describe.skipIf(!tools.ok)('consumer groups: Java client', () => {
  const suite = groupSuite();
  const running = suite.running;

  async function setup(prefix: string): Promise<{ topic: string; group: string; produced: Produced[] }> {
    const topic = uniqueTopic(prefix);
    await createTopic(suite.target().bootstrap, topic, PARTITIONS);
    const produced = await produceSequence(java(), {
      bootstrap: suite.target().bootstrap,
      topic,
      partitions: PARTITIONS,
      count: 600,
    });
    expect(produced).toHaveLength(600);
    return { topic, group: `${topic}-g`, produced };
  }

  function exactlyOnce(processes: readonly LineProcess[], produced: readonly Produced[]): void {
    const events = allEvents(processes);
    const accounting = account(produced, processedRecords(events));
    const summary = describeAccounting(accounting);
    expect(accounting.lost, summary).toEqual([]);
    expect(accounting.duplicates, summary).toEqual([]);
    expect(accounting.unknown, summary).toEqual([]);
    expect(accounting.wrongValue, summary).toEqual([]);
    expect(doubleOwnership(ownershipIntervals(events))).toEqual([]);
    expect(events.filter((e) => ['commit-failed', 'error', 'fenced'].includes(e.ev))).toEqual([]);
  }

  it(
    'range: three members split six partitions, a clean leave hands partitions over exactly once',
    async () => {
      const { topic, group, produced } = await setup('grp-range');
      const proc = startJavaGroup(java(), {
        bootstrap: suite.target().bootstrap,
        topic,
        group,
        members: ['a', 'b', 'c'],
        assignor: 'range',
        watchIntervalMs: 300,
      });
      running.push(proc);
      const stable = await waitStable(proc, ['a', 'b', 'c'], PARTITIONS, WAIT);
      expect(stable.d.assignor).toBe('range');
      // Range gives each member a contiguous block of two partitions, in member-id order.
      const blocks = stable.d.members.map((m) => m.parts).sort((x, y) => (x[0] ?? 0) - (y[0] ?? 0));
      expect(blocks).toEqual([
        [0, 1],
        [2, 3],
        [4, 5],
      ]);
      await waitAllProcessed([proc], produced, WAIT);

      const mark = proc.events.length;
      proc.send('remove c');
      await proc.waitFor('c closed', (e) => e.m === 'c' && e.ev === 'closed', WAIT, mark);
      await waitStable(proc, ['a', 'b'], PARTITIONS, WAIT, mark);
      const more = await produceSequence(java(), {
        bootstrap: suite.target().bootstrap,
        topic,
        partitions: PARTITIONS,
        count: 300,
        start: 600,
      });
      await waitAllProcessed([proc], more, WAIT);
      // Eager protocol: the survivors gave up everything and got a new generation.
      for (const m of ['a', 'b']) {
        const revoked = memberEvents(proc.events.slice(mark), m, ['revoked']);
        expect(revoked.length, tailEvents([proc])).toBeGreaterThan(0);
      }
      await proc.stop();
      exactlyOnce([proc], [...produced, ...more]);

      const described = await describeGroup(java(), suite.target().bootstrap, group);
      expect(described.description.state).toBe('Empty');
      expect(described.description.members).toEqual([]);
      expect(described.offsets.map((o) => o.partition)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(described.offsets.every((o) => o.lag === 0 && o.offset === o.end)).toBe(true);
      // Each commit carried the committing member's name as metadata.
      expect(described.offsets.every((o) => ['a', 'b', 'c'].includes(o.metadata ?? ''))).toBe(true);
    },
    SLOW,
  );

  it(
    'cooperative-sticky: members that join or leave move only the partitions that must move',
    async () => {
      const { topic, group, produced } = await setup('grp-coop');
      const proc = startJavaGroup(java(), {
        bootstrap: suite.target().bootstrap,
        topic,
        group,
        members: ['a', 'b'],
        assignor: 'cooperative-sticky',
        watchIntervalMs: 300,
      });
      running.push(proc);
      const first = await waitStable(proc, ['a', 'b'], PARTITIONS, WAIT);
      expect(first.d.assignor).toBe('cooperative-sticky');
      await waitAllProcessed([proc], produced, WAIT);
      const before = new Map(first.d.members.map((m) => [m.client, m.parts]));

      let mark = proc.events.length;
      proc.send('add c');
      const withC = await waitStable(proc, ['a', 'b', 'c'], PARTITIONS, WAIT, mark);
      // Sticky: a and b each keep two of their three partitions and give exactly one to c.
      for (const m of withC.d.members.filter((x) => x.client !== 'c')) {
        expect(m.parts).toHaveLength(2);
        expect(m.parts.every((p) => before.get(m.client)?.includes(p))).toBe(true);
        const revoked = memberEvents(proc.events.slice(mark), m.client, ['revoked']);
        expect(revoked.flatMap((e) => e.parts as number[])).toHaveLength(1);
      }

      mark = proc.events.length;
      proc.send('remove b');
      await proc.waitFor('b closed', (e) => e.m === 'b' && e.ev === 'closed', WAIT, mark);
      const withoutB = await waitStable(proc, ['a', 'c'], PARTITIONS, WAIT, mark);
      // Incremental: a and c keep what they had and only gain b's partitions; nobody else revokes.
      for (const m of withoutB.d.members) {
        const had = withC.d.members.find((x) => x.client === m.client)?.parts ?? [];
        expect(had.every((p) => m.parts.includes(p))).toBe(true);
        expect(memberEvents(proc.events.slice(mark), m.client, ['revoked', 'lost'])).toEqual([]);
      }

      const more = await produceSequence(java(), {
        bootstrap: suite.target().bootstrap,
        topic,
        partitions: PARTITIONS,
        count: 300,
        start: 600,
      });
      await waitAllProcessed([proc], more, WAIT);
      await proc.stop();
      exactlyOnce([proc], [...produced, ...more]);
    },
    SLOW,
  );

  it(
    'static membership: a restarted member takes its old place without a rebalance; a duplicate is fenced',
    async () => {
      const { topic, group, produced } = await setup('grp-static');
      const common = {
        bootstrap: suite.target().bootstrap,
        topic,
        group,
        assignor: 'range' as const,
        static: true,
        // Long enough that the restart happens well within it.
        sessionTimeoutMs: 45_000,
      };
      const main = startJavaGroup(java(), { ...common, members: ['s1', 's2'], watchIntervalMs: 300 });
      running.push(main);
      const s3 = startJavaGroup(java(), { ...common, members: ['s3'], label: 'java static s3' });
      running.push(s3);
      const stable = await waitStable(main, ['s1', 's2', 's3'], PARTITIONS, WAIT);
      expect(stable.d.members.map((m) => m.instance).sort()).toEqual(['s1', 's2', 's3']);
      await waitAllProcessed([main, s3], produced, WAIT);
      const firstAssignment = memberEvents(s3.events, 's3', ['assigned']).at(-1);
      const generation = firstAssignment?.gen as number;
      expect(firstAssignment?.owned).toEqual(stable.d.members.find((m) => m.client === 's3')?.parts);
      const mark = main.events.length;

      // A static member's close sends no LeaveGroup: the group keeps its place until the session ends.
      await s3.stop();
      const restarted = startJavaGroup(java(), {
        ...common,
        members: ['s3'],
        label: 'java static s3 (restarted)',
      });
      running.push(restarted);
      const again = await restarted.waitFor('restarted s3 assigned', (e) => e.ev === 'assigned', WAIT);
      expect(again.gen).toBe(generation);
      expect(again.owned).toEqual(firstAssignment?.owned);
      expect(again.memberId).not.toBe(firstAssignment?.memberId);
      await waitStable(main, ['s1', 's2', 's3'], PARTITIONS, WAIT, mark);

      // A second process with the same group.instance.id replaces the running one, which is fenced.
      const duplicate = startJavaGroup(java(), {
        ...common,
        members: ['s3'],
        label: 'java static s3 (duplicate)',
      });
      running.push(duplicate);
      const taken = await duplicate.waitFor('duplicate s3 assigned', (e) => e.ev === 'assigned', WAIT);
      expect(taken.gen).toBe(generation);
      await restarted.waitFor('restarted s3 fenced', (e) => e.ev === 'fenced', WAIT);

      const more = await produceSequence(java(), {
        bootstrap: suite.target().bootstrap,
        topic,
        partitions: PARTITIONS,
        count: 300,
        start: 600,
      });
      await waitAllProcessed([main, duplicate], more, WAIT);
      // s1 and s2 never noticed: no revocation, no new assignment, same generation throughout.
      for (const m of ['s1', 's2']) {
        expect(memberEvents(main.events.slice(mark), m, ['revoked', 'assigned', 'lost'])).toEqual([]);
      }
      await duplicate.stop();
      await main.stop();
      const processes = [main, s3, restarted, duplicate];
      const accounting = account([...produced, ...more], processedRecords(allEvents(processes)));
      expect(accounting.lost, describeAccounting(accounting)).toEqual([]);
      expect(accounting.duplicates, describeAccounting(accounting)).toEqual([]);
    },
    SLOW,
  );
});

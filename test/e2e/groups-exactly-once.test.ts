import { describe, expect, it } from 'vitest';
import { uniqueTopic } from '../support/clients/target.js';
import { groupSuite, installed } from '../support/groups/suite.js';
import { createTopic } from '../support/clients/topics.js';
import {
  allEvents,
  processedPositions,
  waitAllProcessed,
  waitStable,
  waitUntil,
} from '../support/groups/group-events.js';
import {
  acknowledged,
  describeGroup,
  javaGroupTools,
  startJavaGroup,
  startSequenceProducer,
  type Assignor,
  type JavaGroupTools,
} from '../support/groups/java-groups.js';
import {
  account,
  committedAt,
  describeAccounting,
  processedRecords,
  unexplainedDuplicates,
  type KilledMember,
} from '../support/groups/ledger.js';
import type { LineProcess } from '../support/groups/line-process.js';
import { doubleOwnership, ownedAt, ownershipIntervals } from '../support/groups/ownership.js';

// Delivery accounting across rebalances. A producer writes sequence-numbered records to 6 partitions
// for the whole test while the group changes: 3 members (one JVM each), a 4th joins, one leaves
// cleanly, one is killed with SIGKILL and must be expired by the session timeout. Members commit after
// processing, and commit in their revocation callback, so:
//   - no acknowledged record may go unprocessed;
//   - a record may be processed twice only if the killed member processed it above its partition's
//     last commit (its uncommitted work) and one survivor processed it again after taking over.
// Every other duplicate is a coordinator bug (lost commit, stale generation accepted, or one
// partition given to two members).

const tools = await javaGroupTools();
const PARTITIONS = 6;
const RATE = Number(process.env.GROUPS_EOS_RATE ?? 250);
const PRODUCE_MS = Number(process.env.GROUPS_EOS_PRODUCE_MS ?? 45_000);
const ASSIGNOR = (process.env.GROUPS_EOS_ASSIGNOR ?? 'range') as Assignor;
const SESSION_TIMEOUT_MS = 10_000;
const WAIT = 120_000;

function java(): JavaGroupTools {
  return installed(tools);
}

describe.skipIf(!tools.ok)('consumer groups: delivery accounting across rebalances', () => {
  const suite = groupSuite();
  const running = suite.running;

  it(
    `${ASSIGNOR}: join, clean leave and a killed member lose nothing and repeat only the killed member's uncommitted work`,
    async () => {
      const topic = uniqueTopic('grp-eos');
      const group = `${topic}-g`;
      await createTopic(suite.target().bootstrap, topic, PARTITIONS);
      const producer = startSequenceProducer(java(), {
        bootstrap: suite.target().bootstrap,
        topic,
        partitions: PARTITIONS,
        rate: RATE,
        durationMs: PRODUCE_MS,
      });
      running.push(producer);
      const member = (name: string, watch = false): LineProcess => {
        const proc = startJavaGroup(java(), {
          bootstrap: suite.target().bootstrap,
          topic,
          group,
          members: [name],
          assignor: ASSIGNOR,
          sessionTimeoutMs: SESSION_TIMEOUT_MS,
          maxPollRecords: 50,
          // Widens each member's processed-but-uncommitted window so the kill lands inside one.
          batchDelayMs: 50,
          watchIntervalMs: watch ? 250 : undefined,
          maxRuntimeMs: PRODUCE_MS + 240_000,
          label: `java member ${name}`,
        });
        running.push(proc);
        return proc;
      };
      const processedBy = (proc: LineProcess): number => proc.events.filter((e) => e.ev === 'rec').length;

      // m1 stays throughout and also watches the group through DescribeGroups.
      const m1 = member('m1', true);
      const m2 = member('m2');
      const m3 = member('m3');
      await waitStable(m1, ['m1', 'm2', 'm3'], PARTITIONS, WAIT);
      await waitUntil(
        'every member processed records',
        () => [m1, m2, m3].every((p) => processedBy(p) > 0),
        WAIT,
      );

      let mark = m1.events.length;
      const m4 = member('m4');
      await waitStable(m1, ['m1', 'm2', 'm3', 'm4'], PARTITIONS, WAIT, mark);
      await waitUntil('m4 processed records', () => processedBy(m4) > 0, WAIT);

      mark = m1.events.length;
      m2.send('remove m2');
      await m2.waitFor('m2 closed', (e) => e.ev === 'closed', WAIT);
      await waitStable(m1, ['m1', 'm3', 'm4'], PARTITIONS, WAIT, mark);
      await m2.stop();

      // Kill m3 while it is busy: right after it logged a record it has not committed yet.
      const busy = processedBy(m3);
      await waitUntil('m3 processing', () => processedBy(m3) > busy + 20, WAIT);
      mark = m1.events.length;
      const killedAt = Date.now();
      m3.kill();
      await m3.exited;
      await waitStable(m1, ['m1', 'm4'], PARTITIONS, WAIT, mark);

      const producerExit = await producer.waitExit(PRODUCE_MS + 120_000);
      expect(producerExit.code, producer.stderrTail()).toBe(0);
      const produced = acknowledged(producer.events);
      const done = producer.events.find((e) => e.ev === 'done');
      expect(done?.failed).toBe(0);
      expect(produced.length).toBe(done?.sent);
      const members = [m1, m2, m3, m4];
      await waitAllProcessed(members, produced, WAIT);
      await m4.stop();
      await m1.stop();

      const events = allEvents(members);
      const intervals = ownershipIntervals(events, new Map([['m3', killedAt]]));
      const killed: KilledMember = {
        member: 'm3',
        owned: ownedAt(intervals, 'm3', killedAt - 1),
        committed: committedAt(events, killedAt),
      };
      const accounting = account(produced, processedRecords(events));
      const summary = describeAccounting(accounting);
      const excused =
        accounting.duplicates.length - unexplainedDuplicates(accounting.duplicates, [killed]).length;
      console.info(
        `[groups-eos ${ASSIGNOR}] ${summary}; m3 owned [${killed.owned.join(',')}] when killed, ` +
          `${excused} duplicates from its uncommitted work; seen ${processedPositions(members).size} positions`,
      );
      expect(killed.owned.length).toBeGreaterThan(0);
      expect(accounting.lost, summary).toEqual([]);
      expect(accounting.unknown, summary).toEqual([]);
      expect(accounting.wrongValue, summary).toEqual([]);
      expect(unexplainedDuplicates(accounting.duplicates, [killed]), summary).toEqual([]);
      expect(doubleOwnership(intervals)).toEqual([]);
      expect(events.filter((e) => ['commit-failed', 'error', 'fenced'].includes(e.ev))).toEqual([]);

      // Everything processed is committed: no lag left anywhere.
      const described = await describeGroup(java(), suite.target().bootstrap, group);
      expect(described.description.state).toBe('Empty');
      expect(described.offsets.map((o) => [o.partition, o.lag])).toEqual(
        [...Array(PARTITIONS).keys()].map((p) => [p, 0]),
      );
    },
    PRODUCE_MS + 8 * 60_000,
  );
});

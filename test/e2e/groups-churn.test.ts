import { describe, expect, it } from 'vitest';
import { uniqueTopic } from '../support/clients/target.js';
import { groupSuite, installed } from '../support/groups/suite.js';
import { createTopic } from '../support/clients/topics.js';
import { waitAllProcessed, waitStable } from '../support/groups/group-events.js';
import {
  acknowledged,
  javaGroupTools,
  startJavaGroup,
  startSequenceProducer,
  type Assignor,
  type JavaGroupTools,
} from '../support/groups/java-groups.js';
import { account, describeAccounting, processedRecords } from '../support/groups/ledger.js';
import { doubleOwnership, ownershipIntervals, unownedGaps } from '../support/groups/ownership.js';

// Churn under load: five Java members (threads of one JVM) join and leave, one change at a time, for
// CHURN_MS while a producer writes continuously. After every change the group must come back to
// Stable with exactly the live members owning all partitions (DescribeGroups through the AdminClient);
// a joining member must get its assignment and a leaving one must finish closing (nobody stuck); and,
// from the members' own assignment/revocation logs, a partition may be without an owner only inside
// the rebalance of one change. All leaves are clean, so nothing is lost or processed twice.

const tools = await javaGroupTools();
const PARTITIONS = 6;
const MEMBERS = ['w1', 'w2', 'w3', 'w4', 'w5'];
const CHURN_MS = Number(process.env.GROUPS_CHURN_MS ?? 60_000);
const ASSIGNOR = (process.env.GROUPS_CHURN_ASSIGNOR ?? 'cooperative-sticky') as Assignor;
const SEED = Number(process.env.GROUPS_CHURN_SEED ?? 4);
const WAIT = 90_000;
/**
 * How long after the watcher saw Stable a new owner may still be logging its assignment callback
 * (it runs in the member's next poll, after SyncGroup returned).
 */
const CALLBACK_GRACE_MS = 3000;

function java(): JavaGroupTools {
  return installed(tools);
}

/** Deterministic choices (mulberry32), so a failing sequence can be replayed with GROUPS_CHURN_SEED. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Step {
  action: string;
  sentAt: number;
  stableAt: number;
}

describe.skipIf(!tools.ok)('consumer groups: churn under load', () => {
  const suite = groupSuite();
  const running = suite.running;

  it(
    `${ASSIGNOR}: the group returns to Stable after every join and leave, no partition orphaned beyond one rebalance`,
    async () => {
      const topic = uniqueTopic('grp-churn');
      const group = `${topic}-g`;
      await createTopic(suite.target().bootstrap, topic, PARTITIONS);
      const producer = startSequenceProducer(java(), {
        bootstrap: suite.target().bootstrap,
        topic,
        partitions: PARTITIONS,
        rate: 200,
        durationMs: CHURN_MS + 300_000,
      });
      running.push(producer);
      const pool = startJavaGroup(java(), {
        bootstrap: suite.target().bootstrap,
        topic,
        group,
        members: ['w1', 'w2'],
        assignor: ASSIGNOR,
        sessionTimeoutMs: 10_000,
        watchIntervalMs: 200,
        maxRuntimeMs: CHURN_MS + 400_000,
        label: 'java churn pool',
      });
      running.push(pool);

      const live = new Set(['w1', 'w2']);
      const steps: Step[] = [];
      const startedAt = Date.now();
      steps.push({
        action: 'start w1,w2',
        sentAt: startedAt,
        stableAt: (await waitStable(pool, [...live], PARTITIONS, WAIT)).t,
      });
      const pick = random(SEED);
      while (Date.now() - startedAt < CHURN_MS) {
        const idle = MEMBERS.filter((m) => !live.has(m));
        const join = live.size === 1 || (idle.length > 0 && pick() < 0.5);
        const choices = join ? idle : [...live];
        const name = choices[Math.floor(pick() * choices.length)] as string;
        const mark = pool.events.length;
        const sentAt = Date.now();
        if (join) {
          pool.send(`add ${name}`);
          live.add(name);
          await pool.waitFor(`${name} assigned`, (e) => e.m === name && e.ev === 'assigned', WAIT, mark);
        } else {
          pool.send(`remove ${name}`);
          live.delete(name);
          await pool.waitFor(`${name} closed`, (e) => e.m === name && e.ev === 'closed', WAIT, mark);
        }
        const stable = await waitStable(pool, [...live], PARTITIONS, WAIT, mark);
        steps.push({ action: `${join ? 'add' : 'remove'} ${name}`, sentAt, stableAt: stable.t });
      }
      const churnEnd = Date.now();

      producer.send('stop');
      const producerExit = await producer.waitExit(WAIT);
      expect(producerExit.code, producer.stderrTail()).toBe(0);
      const produced = acknowledged(producer.events);
      await waitAllProcessed([pool], produced, WAIT);
      await pool.stop();

      const events = pool.events;
      const intervals = ownershipIntervals(events);
      // Orphaned time must fall inside one change's rebalance: from the command to Stable (+ grace).
      const gaps = unownedGaps(
        intervals,
        PARTITIONS,
        (steps[0] as Step).stableAt + CALLBACK_GRACE_MS,
        churnEnd,
      );
      const outside = gaps.filter(
        (g) => !steps.some((s) => s.sentAt <= g.from && g.to <= s.stableAt + CALLBACK_GRACE_MS),
      );
      const accounting = account(produced, processedRecords(events));
      const slowest = Math.max(...steps.map((s) => s.stableAt - s.sentAt));
      console.info(
        `[groups-churn ${ASSIGNOR} seed ${SEED}] ${steps.length} steps ` +
          `(${steps.map((s) => `${s.action} ${s.stableAt - s.sentAt} ms`).join('; ')}), ` +
          `slowest return to Stable ${slowest} ms, ${gaps.length} orphaned periods; ${describeAccounting(accounting)}`,
      );
      expect(steps.length).toBeGreaterThan(5);
      expect(outside, JSON.stringify(steps)).toEqual([]);
      expect(doubleOwnership(intervals)).toEqual([]);
      // Nobody stuck: every member that ever started closed cleanly, with no errors.
      const startedCount = events.filter((e) => e.ev === 'started').length;
      expect(events.filter((e) => e.ev === 'closed').length).toBe(startedCount);
      expect(
        events.filter((e) => ['commit-failed', 'error', 'fenced', 'bad-command'].includes(e.ev)),
      ).toEqual([]);
      expect(accounting.lost, describeAccounting(accounting)).toEqual([]);
      expect(accounting.duplicates, describeAccounting(accounting)).toEqual([]);
      expect(accounting.unknown, describeAccounting(accounting)).toEqual([]);
    },
    CHURN_MS + 10 * 60_000,
  );
});

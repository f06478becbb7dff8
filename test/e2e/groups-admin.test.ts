import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTarget, uniqueTopic, type Target } from '../support/clients/target.js';
import { createTopic } from '../support/clients/topics.js';
import {
  consumerGroupsCli,
  parseRunOnTable,
  parseTable,
  text,
  type CliRun,
  type ConsumerGroupsCli,
} from '../support/groups/admin-tools.js';
import { kafkactl, type Kafkactl } from '../support/kafkactl.js';
import { processedPositions, waitAllProcessed, waitStable } from '../support/groups/group-events.js';
import {
  describeGroup,
  javaGroupTools,
  listGroups,
  produceSequence,
  startJavaGroup,
  type JavaGroupTools,
} from '../support/groups/java-groups.js';
import { committedAt } from '../support/groups/ledger.js';
import type { LineProcess } from '../support/groups/line-process.js';

// Group administration with the tools operators use: kafka-consumer-groups (ConsumerGroupCommand from
// kafka-tools 3.9) and kafkactl (Sarama). List, describe members / lag / state, reset offsets, delete
// offsets and delete groups, each checked against what the Java AdminClient and a consumer then see.
// The refusals Kafka gives while a group is active (not empty, subscribed to the topic, not
// inactive) are checked too.

const [java, cli] = await Promise.all([javaGroupTools(), consumerGroupsCli()]);
const PARTITIONS = 3;
const WAIT = 90_000;

function tools(): JavaGroupTools {
  if (!java.ok) {
    throw new Error(java.reason);
  }
  return java.client;
}

function ok(what: string, r: CliRun): string {
  if (r.code !== 0) {
    throw new Error(`${what}: exit ${String(r.code)}\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout;
}

/** --describe: GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID. */
function offsetRows(
  output: string,
): Array<{ p: number; current: string; end: string; lag: string; consumer: string; client: string }> {
  return parseTable(output, ['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET'])
    .map(([, , p, current, end, lag, consumer, , client]) => ({
      p: Number(p),
      current: current ?? '',
      end: end ?? '',
      lag: lag ?? '',
      consumer: consumer ?? '',
      client: client ?? '',
    }))
    .sort((a, b) => a.p - b.p);
}

/** --describe --state: GROUP, COORDINATOR (ID) as two words, then an assignor only when there is one. */
function stateRow(output: string): { group: string; assignor: string; state: string; members: string } {
  const rows = parseTable(output, ['GROUP', 'COORDINATOR', '(ID)']);
  expect(rows).toHaveLength(1);
  const words = rows[0] as string[];
  const [state, members] = words.slice(-2);
  return {
    group: words[0] ?? '',
    assignor: words.length === 6 ? (words[3] ?? '') : '',
    state: state ?? '',
    members: members ?? '',
  };
}

interface KafkactlGroup {
  Protocol: string;
  State: string;
  Topics: Array<{
    Name: string;
    Partitions: Array<{ Partition: number; consumerOffset: number; Lag: number }>;
    totalLag: number;
  }>;
  Members: Array<{
    clientId: string;
    assignedPartitions: Array<{ Name: string; Partitions: number[] }>;
  }> | null;
}

describe.skipIf(!java.ok || !cli.ok)('consumer groups: kafka-consumer-groups and kafkactl', () => {
  let target: Target;
  let ctl: Kafkactl | undefined;
  const running: LineProcess[] = [];

  beforeAll(async () => {
    target = await startTarget();
    const found = await kafkactl(target.bootstrap);
    ctl = found.ok ? found.client : undefined;
  });

  afterEach(async () => {
    for (const p of running.splice(0)) {
      p.kill();
      await p.exited;
    }
  });

  afterAll(async () => {
    await ctl?.close();
    await target?.stop();
  });

  function groups(): ConsumerGroupsCli {
    if (!cli.ok) {
      throw new Error(cli.reason);
    }
    return cli.client;
  }

  it('lists, describes, resets, deletes offsets and deletes groups, with the results checked', async () => {
    const topic = uniqueTopic('grp-admin');
    const group = `${topic}-g`;
    const bootstrap = target.bootstrap;
    const cgc = (...args: string[]): Promise<CliRun> => groups().run(bootstrap, args);
    const kctl = async (...args: string[]): Promise<CliRun> => {
      if (!ctl) {
        throw new Error('kafkactl is not installed');
      }
      return text(await ctl.run(args));
    };
    const committed = async (): Promise<Array<[number, number]>> =>
      (await describeGroup(tools(), bootstrap, group)).offsets.map((o) => [o.partition, o.offset]);
    await createTopic(bootstrap, topic, PARTITIONS);
    const first = await produceSequence(tools(), { bootstrap, topic, partitions: PARTITIONS, count: 300 });

    // An active group: two range members that consumed and committed everything.
    const consumers = startJavaGroup(tools(), {
      bootstrap,
      topic,
      group,
      members: ['a', 'b'],
      assignor: 'range',
      watchIntervalMs: 300,
    });
    running.push(consumers);
    await waitAllProcessed([consumers], first, WAIT);
    const stable = await waitStable(consumers, ['a', 'b'], PARTITIONS, WAIT);
    const ownerOf = (p: number): string => stable.d.members.find((m) => m.parts.includes(p))?.client ?? '?';
    await consumers.waitUntil(
      'all offsets committed',
      () => [0, 1, 2].every((p) => committedAt(consumers.events, Infinity).get(p) === 100),
      WAIT,
    );

    const listed = parseTable(ok('--list --state', await cgc('--list', '--state')), ['GROUP', 'STATE']);
    expect(listed).toContainEqual([group, 'Stable']);
    const offsets = offsetRows(ok('--describe', await cgc('--describe', '--group', group)));
    expect(offsets.map((r) => [r.p, r.current, r.end, r.lag, r.client])).toEqual(
      [0, 1, 2].map((p) => [p, '100', '100', '0', ownerOf(p)]),
    );
    const members = parseTable(
      ok('--members', await cgc('--describe', '--group', group, '--members', '--verbose')),
      ['GROUP', 'CONSUMER-ID', 'HOST'],
    );
    // GROUP CONSUMER-ID HOST CLIENT-ID #PARTITIONS ASSIGNMENT; 3.9 prints the assignment as "(0,1)",
    // older tools put the topic name in front.
    expect(
      members
        .map(([, , , client, count, assignment]) => [client, count, assignment?.replace(topic, '')])
        .sort(),
    ).toEqual(
      stable.d.members.map((m) => [m.client, String(m.parts.length), `(${m.parts.join(',')})`]).sort(),
    );
    expect(stateRow(ok('--state', await cgc('--describe', '--group', group, '--state')))).toEqual({
      group,
      assignor: 'range',
      state: 'Stable',
      members: '2',
    });

    // What Kafka refuses while members are active.
    const notEmpty = await cgc('--delete', '--group', group);
    expect(notEmpty.stdout + notEmpty.stderr).toMatch(/GroupNotEmptyException|not empty/);
    const subscribed = await cgc('--delete-offsets', '--group', group, '--topic', `${topic}:0`);
    expect(subscribed.stdout + subscribed.stderr).toMatch(/GroupSubscribedToTopicException/);
    const active = await cgc(
      '--reset-offsets',
      '--group',
      group,
      '--topic',
      topic,
      '--to-earliest',
      '--execute',
    );
    expect(active.stdout + active.stderr).toMatch(/can only be reset if the group .* is inactive/);
    expect(await committed()).toEqual([
      [0, 100],
      [1, 100],
      [2, 100],
    ]);

    if (ctl) {
      const ctlList = ok('kafkactl get consumer-groups', await kctl('get', 'consumer-groups'));
      expect(ctlList.split('\n').some((l) => l.split(/\s+/)[0] === group)).toBe(true);
      const described = JSON.parse(
        ok('kafkactl describe', await kctl('describe', 'consumer-group', group, '-o', 'json')),
      ) as KafkactlGroup;
      expect([described.State, described.Protocol]).toEqual(['Stable', 'range']);
      expect(described.Topics[0]?.Partitions.map((p) => [p.Partition, p.consumerOffset, p.Lag])).toEqual([
        [0, 100, 0],
        [1, 100, 0],
        [2, 100, 0],
      ]);
      expect(
        (described.Members ?? []).map((m) => [m.clientId, m.assignedPartitions[0]?.Partitions]).sort(),
      ).toEqual(stable.d.members.map((m) => [m.client, m.parts]).sort());
      const refused = await kctl('delete', 'consumer-group', group);
      expect(refused.stdout + refused.stderr).toMatch(/not empty/);
    }

    // Inactive with lag: 20 new records per partition.
    await consumers.stop();
    await produceSequence(tools(), { bootstrap, topic, partitions: PARTITIONS, count: 60, start: 300 });
    const lagging = offsetRows(ok('--describe (empty)', await cgc('--describe', '--group', group)));
    expect(lagging.map((r) => [r.p, r.current, r.end, r.lag, r.consumer])).toEqual(
      [0, 1, 2].map((p) => [p, '100', '120', '20', '-']),
    );
    const emptyState = stateRow(ok('--state (empty)', await cgc('--describe', '--group', group, '--state')));
    expect([emptyState.assignor, emptyState.state, emptyState.members]).toEqual(['', 'Empty', '0']);

    // Resets: all to earliest, partition 2 to 50, partition 1 back by 20 from the latest.
    const reset = ok(
      '--to-earliest',
      await cgc('--reset-offsets', '--group', group, '--topic', topic, '--to-earliest', '--execute'),
    );
    expect(parseRunOnTable(reset, ['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET']).sort()).toEqual(
      [0, 1, 2].map((p) => [group, topic, String(p), '0']),
    );
    ok(
      '--to-offset',
      await cgc(
        '--reset-offsets',
        '--group',
        group,
        '--topic',
        `${topic}:2`,
        '--to-offset',
        '50',
        '--execute',
      ),
    );
    ok(
      '--to-latest',
      await cgc('--reset-offsets', '--group', group, '--topic', `${topic}:1`, '--to-latest', '--execute'),
    );
    ok(
      '--shift-by',
      await cgc(
        '--reset-offsets',
        '--group',
        group,
        '--topic',
        `${topic}:1`,
        '--shift-by',
        '-20',
        '--execute',
      ),
    );
    expect(await committed()).toEqual([
      [0, 0],
      [1, 100],
      [2, 50],
    ]);
    if (ctl) {
      ok(
        'kafkactl reset',
        await kctl(
          'reset',
          'consumer-group-offset',
          group,
          '--topic',
          topic,
          '--partition',
          '0',
          '--offset',
          '30',
          '--execute',
        ),
      );
      expect(await committed()).toEqual([
        [0, 30],
        [1, 100],
        [2, 50],
      ]);
      const withLag = JSON.parse(
        ok('kafkactl describe (lag)', await kctl('describe', 'consumer-group', group, '-o', 'json')),
      ) as KafkactlGroup;
      expect(withLag.Topics[0]?.Partitions.map((p) => [p.Partition, p.consumerOffset, p.Lag])).toEqual([
        [0, 30, 90],
        [1, 100, 20],
        [2, 50, 70],
      ]);
      expect(withLag.Topics[0]?.totalLag).toBe(180);
    } else {
      ok(
        '--to-offset 30',
        await cgc(
          '--reset-offsets',
          '--group',
          group,
          '--topic',
          `${topic}:0`,
          '--to-offset',
          '30',
          '--execute',
        ),
      );
    }

    // A consumer resumes exactly at the reset positions.
    const resumed = startJavaGroup(tools(), { bootstrap, topic, group, members: ['c'] });
    running.push(resumed);
    const expected = [
      ...Array.from({ length: 90 }, (_, i) => `0@${30 + i}`),
      ...Array.from({ length: 20 }, (_, i) => `1@${100 + i}`),
      ...Array.from({ length: 70 }, (_, i) => `2@${50 + i}`),
    ];
    await resumed.waitUntil(
      'resumed consumer read from the reset offsets',
      () => processedPositions([resumed]).size >= expected.length,
      WAIT,
    );
    await resumed.stop();
    expect([...processedPositions([resumed])].sort()).toEqual(expected.sort());
    expect(resumed.events.filter((e) => e.ev === 'rec')).toHaveLength(expected.length);
    expect(await committed()).toEqual([
      [0, 120],
      [1, 120],
      [2, 120],
    ]);

    // Offset deletion, one partition with each tool.
    const deleted = ok(
      '--delete-offsets',
      await cgc('--delete-offsets', '--group', group, '--topic', `${topic}:0`),
    );
    expect(parseRunOnTable(deleted, ['TOPIC', 'PARTITION', 'STATUS'])).toEqual([[topic, '0', 'Successful']]);
    if (ctl) {
      ok(
        'kafkactl delete offset',
        await kctl('delete', 'consumer-group-offset', group, '--topic', topic, '--partition', '1'),
      );
      expect(await committed()).toEqual([[2, 120]]);
    } else {
      expect(await committed()).toEqual([
        [1, 120],
        [2, 120],
      ]);
    }

    // Group deletion: this group with kafkactl (or the CLI), a second one created by a reset with the CLI.
    const other = `${group}-2`;
    ok(
      '--reset creates a group',
      await cgc('--reset-offsets', '--group', other, '--topic', topic, '--to-offset', '5', '--execute'),
    );
    expect((await describeGroup(tools(), bootstrap, other)).offsets.map((o) => o.offset)).toEqual([5, 5, 5]);
    if (ctl) {
      expect(ok('kafkactl delete group', await kctl('delete', 'consumer-group', group))).toContain('deleted');
    } else {
      ok('--delete', await cgc('--delete', '--group', group));
    }
    expect(ok('--delete', await cgc('--delete', '--group', other))).toMatch(
      /Deletion of requested consumer groups \('.*'\) was successful/,
    );
    const remaining = (await listGroups(tools(), bootstrap)).map((g) => g.group);
    expect(remaining).not.toContain(group);
    expect(remaining).not.toContain(other);
    const gone = await cgc('--describe', '--group', group);
    expect(gone.stdout + gone.stderr).toMatch(/does not exist/);
    expect((await describeGroup(tools(), bootstrap, group)).offsets).toEqual([]);
  }, 420_000);
});

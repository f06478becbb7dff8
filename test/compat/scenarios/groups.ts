import type { ReadRecord } from '../types.js';
import { cell, check, mark, PENDING_GROUPS, type ClientRun } from './context.js';

const PER_PARTITION = 10;
const PARTITIONS = 3;

const at = (r: { partition: number; offset: number }): string => `${r.partition}@${r.offset}`;

async function produceRound(run: ClientRun, topic: string, round: 'first' | 'second'): Promise<void> {
  const messages = [];
  for (let i = 0; i < PER_PARTITION * PARTITIONS; i++) {
    messages.push({ partition: i % PARTITIONS, key: `g-${round}-${i}`, value: `${round}-${i}` });
  }
  await run.fixture.produce(topic, messages);
}

/** The value the runner stored at partition@offset: round one fills offsets 0-9, round two 10-19. */
function expectedValue(r: ReadRecord): string {
  const round = r.offset < PER_PARTITION ? 'first' : 'second';
  return `${round}-${(r.offset % PER_PARTITION) * PARTITIONS + r.partition}`;
}

function checkRecords(records: readonly ReadRecord[], what: string): void {
  for (const r of records) {
    check(
      r.value?.toString('utf8') === expectedValue(r),
      `${what}: ${at(r)} has value ${String(r.value)}, want ${expectedValue(r)}`,
    );
  }
}

/** Per partition, the offsets read must run on without gaps from `from[p]`; returns where each ended. */
function checkContiguous(records: readonly ReadRecord[], from: number[], what: string): number[] {
  const next = [...from];
  for (let p = 0; p < PARTITIONS; p++) {
    const offsets = records.filter((r) => r.partition === p).map((r) => r.offset);
    for (const o of offsets) {
      check(
        o === next[p],
        `${what}: partition ${p} read offset ${o}, expected ${next[p]} (order, gap or repeat): ${offsets.join(',')}`,
      );
      next[p] = o + 1;
    }
  }
  return next;
}

/**
 * Consumer group: read 20 of 30 records (all 30 for a client that cannot stop exactly) with commits and stop; the runner produces 30 more; describe
 * the group (Empty, committed offsets where the first run stopped, lag = end - committed); restart
 * and read the remaining 40: exactly those, from the committed positions on.
 */
export async function groupCells(run: ClientRun): Promise<void> {
  const driver = run.driver;
  if (!driver.groupConsume) {
    mark(run, 'group-resume', 'n/a', run.spec.groupNote ?? `${run.spec.name} has no consumer groups`);
    mark(run, 'group-describe', 'n/a', run.spec.groupNote ?? `${run.spec.name} has no consumer groups`);
    return;
  }
  if (!run.target.groupsServed) {
    mark(run, 'group-resume', 'pending', PENDING_GROUPS);
    if (driver.describeGroup) mark(run, 'group-describe', 'pending', PENDING_GROUPS);
    else mark(run, 'group-describe', 'n/a', run.spec.groupNote ?? `${run.spec.name} cannot describe groups`);
    return;
  }
  const topic = `${run.base}-grp`;
  const group = `${run.base}-group`;
  const bootstrap = run.fixture.bootstrap;
  let committed: number[] | undefined;
  let firstRead: ReadRecord[] = [];
  const firstTake = run.spec.groupFirstTake ?? 20;
  await cell(run, 'group-resume', async () => {
    await run.fixture.createTopic(topic, PARTITIONS);
    await produceRound(run, topic, 'first');
    firstRead = await driver.groupConsume!(bootstrap, topic, group, firstTake);
    check(firstRead.length === firstTake, `first run read ${firstRead.length} records, want ${firstTake}`);
    checkRecords(firstRead, 'first run');
    committed = checkContiguous(firstRead, [0, 0, 0], 'first run');
    await produceRound(run, topic, 'second');
    if (driver.describeGroup) await describe(run, topic, group, committed);
    const rest = PER_PARTITION * PARTITIONS * 2 - firstTake;
    const second = await driver.groupConsume!(bootstrap, topic, group, rest);
    check(second.length === rest, `second run read ${second.length} records, want ${rest}`);
    checkRecords(second, 'second run');
    const seen = new Set(firstRead.map(at));
    const again = second.filter((r) => seen.has(at(r)));
    check(again.length === 0, `second run re-read committed records: ${again.map(at).join(' ')}`);
    const ends = checkContiguous(second, committed, 'second run');
    check(
      ends.every((e) => e === PER_PARTITION * 2),
      `second run stopped at ${ends.join(',')}, want 20 in each partition`,
    );
    return `resumed at ${committed.join(',')} after committing ${firstTake} records`;
  });
  if (!driver.describeGroup) {
    mark(run, 'group-describe', 'n/a', run.spec.groupNote ?? `${run.spec.name} cannot describe groups`);
  } else if (!run.cells['group-describe']) {
    run.cells['group-describe'] = {
      status: 'fail',
      detail: committed ? 'not reached' : 'not reached: the first group run failed (see group-resume)',
    };
  }
}

/** Runs inside group-resume (between its two reads) but records its own cell. */
async function describe(run: ClientRun, topic: string, group: string, committed: number[]): Promise<void> {
  await cell(run, 'group-describe', async () => {
    const d = await run.driver.describeGroup!(run.fixture.bootstrap, topic, group);
    check(
      d.state.toLowerCase() === 'empty',
      `state ${d.state}, want Empty (no member after the first run left)`,
    );
    check(d.members === 0, `${d.members} members, want 0`);
    let total = 0;
    for (let p = 0; p < PARTITIONS; p++) {
      const want = committed[p]!;
      const got = d.offsets[String(p)];
      const none = got === undefined || got < 0;
      if (want === 0) check(none || got === 0, `partition ${p}: committed ${String(got)}, want none`);
      else check(got === want, `partition ${p}: committed ${String(got)}, want ${want}`);
      const lag = d.lag[String(p)];
      const wantLag = PER_PARTITION * 2 - want;
      // kafkactl lists only partitions with a commit; where a client reports lag, it must be right.
      if (lag !== undefined || want > 0)
        check(lag === wantLag, `partition ${p}: lag ${String(lag)}, want ${wantLag}`);
      total += wantLag;
    }
    return `Empty, committed ${committed.join(',')}, total lag ${total}`;
  });
}

import path from 'node:path';
import { decodeRecords } from '../../../src/protocol/records/decode.js';
import { markerTypeOf } from '../../../src/protocol/records/control.js';
import { comparePlaced, type Placed } from '../compare.js';
import { makeDataset, writeDataset } from '../dataset.js';
import { eventually } from '../support/fixture.js';
import type { DataRecord, ReadRecord } from '../types.js';
import { cell, check, mark, PENDING_GROUPS, type ClientRun } from './context.js';

export const PENDING_TXN = 'needs transactions (the target does not advertise EndTxn)';

const PARTITIONS = 3;
/** Committed, aborted, committed: every partition holds aborted data between two committed runs. */
const PLAN = [
  { count: 15, outcome: 'commit' },
  { count: 20, outcome: 'abort' },
  { count: 15, outcome: 'commit' },
] as const;
/** Input records of the consume-transform-produce scenario (10 per partition). */
const CTP_INPUT = 30;
/** Bound on waiting for markers and committed offsets: Kafka writes markers after EndTxn answers. */
const SETTLE_MS = 20_000;

type Outcome = 'commit' | 'abort';

/** One entry of a partition's log as the raw Fetch shows it: a data record or a marker. */
export interface LogEntry {
  offset: number;
  kind: 'data' | Outcome | 'control';
  producerId: bigint;
  transactional: boolean;
  record?: ReadRecord;
}

/** Every record and marker of a partition, through the runner's raw Fetch (read_uncommitted). */
async function logOf(run: ClientRun, topic: string, partition: number): Promise<LogEntry[]> {
  const out: LogEntry[] = [];
  for (const b of await run.fixture.batches(topic, partition)) {
    if (b.isControl) {
      const type = markerTypeOf(b);
      out.push({
        offset: Number(b.baseOffset),
        kind: type ?? 'control',
        producerId: b.producerId,
        transactional: b.isTransactional,
      });
      continue;
    }
    for (const r of decodeRecords(b)) {
      out.push({
        offset: Number(r.offset),
        kind: 'data',
        producerId: b.producerId,
        transactional: b.isTransactional,
        record: {
          partition,
          offset: Number(r.offset),
          timestamp: Number(r.timestamp),
          key: r.key && Buffer.from(r.key),
          value: r.value && Buffer.from(r.value),
          headers: r.headers.map((h) => [h.key, h.value && Buffer.from(h.value)]),
        },
      });
    }
  }
  return out;
}

export interface Segment {
  count: number;
  outcome: Outcome;
}

/**
 * What differs between a partition's log and the transactions expected in it, in order: each
 * segment's records (transactional, one producer id) directly followed by its marker, offsets from 0
 * without gaps, nothing else. Empty when the log is exactly that.
 */
export function layoutProblems(log: readonly LogEntry[], segments: readonly Segment[]): string[] {
  const want: Array<'data' | Outcome> = [];
  for (const s of segments) want.push(...Array<'data'>(s.count).fill('data'), s.outcome);
  const shape = (kinds: readonly string[]): string => {
    const runs: string[] = [];
    for (const k of kinds) {
      const last = runs[runs.length - 1];
      const m = last ? /^(\w+)(?:×(\d+))?$/.exec(last) : null;
      if (m && m[1] === k && k === 'data') runs[runs.length - 1] = `data×${Number(m[2] ?? 1) + 1}`;
      else runs.push(k === 'data' ? 'data×1' : k.toUpperCase());
    }
    return runs.join(' ');
  };
  const got = log.map((e) => e.kind);
  if (got.join() !== want.join()) return [`log is [${shape(got)}], want [${shape(want)}]`];
  const problems: string[] = [];
  log.forEach((e, i) => {
    if (e.offset !== i) problems.push(`entry ${i} at offset ${e.offset} (gap or repeat)`);
  });
  let at = 0;
  for (const s of segments) {
    const marker = log[at + s.count]!;
    for (const e of log.slice(at, at + s.count)) {
      if (!e.transactional) problems.push(`offset ${e.offset}: data batch not transactional`);
      if (e.producerId !== marker.producerId)
        problems.push(`offset ${e.offset}: producer id ${e.producerId}, marker's is ${marker.producerId}`);
    }
    if (!marker.transactional) problems.push(`marker at ${marker.offset} not flagged transactional`);
    at += s.count + 1;
  }
  return problems;
}

/**
 * Where each record of a plan must land: per partition, each transaction's records in send order,
 * then one offset for its marker. Also the segments each partition must show.
 */
export function placeTransactions(
  records: readonly DataRecord[],
  plan: readonly Segment[],
  partitions: number,
): { placed: Array<Placed & { outcome: Outcome }>; segments: Segment[][] } {
  const next = Array<number>(partitions).fill(0);
  const segments: Segment[][] = Array.from({ length: partitions }, () => []);
  const placed: Array<Placed & { outcome: Outcome }> = [];
  let index = 0;
  for (const t of plan) {
    const inTxn = Array<number>(partitions).fill(0);
    for (let i = 0; i < t.count; i++, index++) {
      const r = records[index]!;
      placed.push({ r, index, partition: r.partition, offset: next[r.partition]!++, outcome: t.outcome });
      inTxn[r.partition]!++;
    }
    for (let p = 0; p < partitions; p++) {
      if (inTxn[p] === 0) continue;
      segments[p]!.push({ count: inTxn[p]!, outcome: t.outcome });
      next[p]!++;
    }
  }
  return { placed, segments };
}

/** Waits (bounded) until every partition's log holds all expected entries, then checks it. */
async function checkLogs(
  run: ClientRun,
  topic: string,
  segments: readonly Segment[][],
): Promise<LogEntry[][]> {
  const size = (s: readonly Segment[]): number => s.reduce((n, x) => n + x.count + 1, 0);
  let logs: LogEntry[][] = [];
  await eventually(async () => {
    logs = [];
    for (let p = 0; p < segments.length; p++) logs.push(await logOf(run, topic, p));
    return logs.every((l, p) => l.length >= size(segments[p]!));
  }, SETTLE_MS);
  const problems = logs.flatMap((l, p) => layoutProblems(l, segments[p]!).map((x) => `partition ${p}: ${x}`));
  check(problems.length === 0, `raw Fetch of ${topic}:\n${problems.join('\n')}`);
  return logs;
}

function failIfDifferent(what: string, problems: string[]): void {
  check(problems.length === 0, `${what}:\n${problems.join('\n')}`);
}

function txnPending(run: ClientRun, scenario: 'txn-commit-abort' | 'txn-ctp', needsGroups: boolean): boolean {
  if (run.spec.transactions !== true) {
    mark(run, scenario, 'n/a', run.spec.transactions);
    return true;
  }
  if (!run.target.txnServed) {
    mark(run, scenario, 'pending', PENDING_TXN);
    return true;
  }
  if (needsGroups && !run.target.groupsServed) {
    mark(run, scenario, 'pending', PENDING_GROUPS);
    return true;
  }
  return false;
}

/**
 * The client's transactional producer sends 15 records committed, 20 aborted, 15 committed over 3
 * partitions of a fresh topic. The raw log must hold each transaction's records followed by its
 * marker in every partition it touched; the client's read_committed consumer must read exactly the
 * 30 committed records and its read_uncommitted consumer all 50, byte for byte, at those offsets.
 */
export async function commitAbortCell(run: ClientRun): Promise<void> {
  if (txnPending(run, 'txn-commit-abort', run.spec.readNeedsGroup === true)) return;
  await cell(run, 'txn-commit-abort', async () => {
    const topic = `${run.base}-txn`;
    await run.fixture.createTopic(topic, PARTITIONS);
    const total = PLAN.reduce((n, t) => n + t.count, 0);
    const records = makeDataset(run.spec.write, {
      count: total,
      partitions: PARTITIONS,
      seed: 77,
      baseTimestamp: (Math.floor(Date.now() / 1000) - 3600) * 1000,
      large: false,
    });
    check(
      records.every((r) => r.partition >= 0),
      'the transactional data set needs explicit partitions',
    );
    const file = path.join(run.workDir, `${topic}.tsv`);
    writeDataset(file, records);
    const started = Date.now();
    const acks = await run.driver.txnProduce!({
      bootstrap: run.fixture.bootstrap,
      topic,
      records,
      file,
      transactionalId: `${run.base}-txn-id`,
      plan: PLAN,
    });
    const window: [number, number] = [started, Date.now()];
    const { placed, segments } = placeTransactions(records, PLAN, PARTITIONS);
    if (acks) {
      check(acks.length === records.length, `${acks.length} acks for ${records.length} records`);
      const wrong = placed.filter((x) => {
        const a = acks[x.index]!;
        return a.offset >= 0 && (a.partition !== x.partition || a.offset !== x.offset);
      });
      check(
        wrong.length === 0,
        `acknowledged positions differ: ${wrong
          .slice(0, 8)
          .map(
            (x) =>
              `record ${x.index} acked ${acks[x.index]!.partition}@${acks[x.index]!.offset}, want ${x.partition}@${x.offset}`,
          )
          .join('; ')}`,
      );
    }
    const logs = await checkLogs(run, topic, segments);
    const o = { write: run.spec.write, read: run.spec.read, partitions: PARTITIONS, window };
    const stored = logs.flat().flatMap((e) => (e.record ? [e.record] : []));
    failIfDifferent(
      'stored records differ',
      comparePlaced(placed, stored, { ...o, read: { nullIsEmpty: false, headerOrder: true } }),
    );
    const committed = placed.filter((x) => x.outcome === 'commit');
    const rc = await run.driver.consume(
      run.fixture.bootstrap,
      topic,
      PARTITIONS,
      committed.length,
      'read_committed',
    );
    failIfDifferent('read_committed read differs', comparePlaced(committed, rc, o));
    const ru = await run.driver.consume(
      run.fixture.bootstrap,
      topic,
      PARTITIONS,
      placed.length,
      'read_uncommitted',
    );
    failIfDifferent('read_uncommitted read differs', comparePlaced(placed, ru, o));
    const markers = segments.map((s) => s.map((x) => x.outcome[0]!.toUpperCase()).join('')).join('/');
    return `${committed.length} committed + ${placed.length - committed.length} aborted in ${PLAN.length} transactions; markers per partition ${markers}; read_committed ${rc.length}, read_uncommitted ${ru.length}`;
  });
}

const inputValue = (i: number): string => `in-${i}`;

/**
 * Consume-transform-produce: the runner writes 30 records to an input topic; the client, as a member
 * of a new group, reads them, writes one record per input to an output topic and sends the consumed
 * offsets to the transaction, then aborts; the group has no committed offsets and the output only
 * aborted data. A second run reads the same 30 again and commits: the group's offsets are the input's
 * end, the output holds exactly one committed record per input (same partition, key, order; value
 * `committed:` + input value), and the client's read_committed consumer reads exactly those.
 */
export async function consumeTransformProduceCell(run: ClientRun): Promise<void> {
  if (txnPending(run, 'txn-ctp', true)) return;
  await cell(run, 'txn-ctp', async () => {
    const input = `${run.base}-ctp-in`;
    const output = `${run.base}-ctp-out`;
    const group = `${run.base}-ctp-group`;
    await run.fixture.createTopic(input, PARTITIONS);
    await run.fixture.createTopic(output, PARTITIONS);
    await run.fixture.produce(
      input,
      Array.from({ length: CTP_INPUT }, (_, i) => ({
        partition: i % PARTITIONS,
        key: `k-${i}`,
        value: inputValue(i),
      })),
    );
    const perPartition = CTP_INPUT / PARTITIONS;
    const transform = async (tag: string, outcome: Outcome): Promise<[number, number]> => {
      const started = Date.now();
      const read = await run.driver.txnTransform!({
        bootstrap: run.fixture.bootstrap,
        inputTopic: input,
        outputTopic: output,
        group,
        transactionalId: `${run.base}-ctp-txn-id`,
        max: CTP_INPUT,
        tag,
        outcome,
      });
      // The run must have consumed every input once, from the start (nothing was committed before).
      const seen = read.map((r) => `${r.partition}@${r.offset}=${String(r.value)}`).sort();
      const want = Array.from(
        { length: CTP_INPUT },
        (_, i) => `${i % PARTITIONS}@${Math.floor(i / PARTITIONS)}=${inputValue(i)}`,
      ).sort();
      check(
        seen.join() === want.join(),
        `${outcome} run consumed ${read.length} records, want each of the ${CTP_INPUT} inputs once: ${seen.slice(0, 12).join(' ')}`,
      );
      return [started, Date.now()];
    };
    const committedOffsets = async (): Promise<number[]> => run.fixture.committedOffsets(group, input);

    await transform('aborted', 'abort');
    const oneSegment = Array.from({ length: PARTITIONS }, () => [
      { count: perPartition, outcome: 'abort' as const },
    ]);
    await checkLogs(run, output, oneSegment);
    const afterAbort = await committedOffsets();
    check(
      afterAbort.every((o) => o < 0),
      `after the aborted run the group has committed offsets ${afterAbort.join(',')}, want none`,
    );

    const window = await transform('committed', 'commit');
    const twoSegments = oneSegment.map((s) => [...s, { count: perPartition, outcome: 'commit' as const }]);
    const logs = await checkLogs(run, output, twoSegments);
    let offsets: number[] = [];
    await eventually(async () => {
      offsets = await committedOffsets();
      return offsets.every((o) => o === perPartition);
    }, SETTLE_MS);
    const ends = await run.fixture.endOffsets(input);
    check(
      offsets.length === PARTITIONS && offsets.every((o, p) => o === ends[p]),
      `after the committed run the group's offsets are ${offsets.join(',')}, want the input's end ${ends.join(',')}`,
    );

    // One output record per input, in the input's order: first the aborted run's, then the committed one's.
    const expected = (tag: string, first: number): Placed[] =>
      Array.from({ length: CTP_INPUT }, (_, i) => ({
        r: {
          partition: i % PARTITIONS,
          timestamp: -1,
          key: Buffer.from(`k-${i}`),
          value: Buffer.from(`${tag}:${inputValue(i)}`),
          headers: [],
        },
        index: i,
        partition: i % PARTITIONS,
        offset: first + Math.floor(i / PARTITIONS),
      }));
    const committed = expected('committed', perPartition + 1);
    const o = { write: run.spec.write, read: run.spec.read, partitions: PARTITIONS, window };
    const stored = logs.flat().flatMap((e) => (e.record && e.offset > perPartition ? [e.record] : []));
    failIfDifferent('committed output in the log differs', comparePlaced(committed, stored, o));
    const aborted = logs.flat().flatMap((e) => (e.record && e.offset < perPartition ? [e.record] : []));
    failIfDifferent(
      'aborted output in the log differs',
      comparePlaced(expected('aborted', 0), aborted, { ...o, window: [0, Number.MAX_SAFE_INTEGER] }),
    );
    const rc = await run.driver.consume(
      run.fixture.bootstrap,
      output,
      PARTITIONS,
      CTP_INPUT,
      'read_committed',
    );
    failIfDifferent('read_committed read of the output differs', comparePlaced(committed, rc, o));
    return `abort then commit of ${CTP_INPUT} inputs: offsets none then ${offsets.join(',')}; output ${rc.length} committed records read_committed`;
  });
}

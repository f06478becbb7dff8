import { describe, expect, it } from 'vitest';
import { comparePlaced } from './compare.js';
import { makeDataset } from './dataset.js';
import { layoutProblems, placeTransactions, type LogEntry, type Segment } from './scenarios/transactions.js';
import type { ReadRecord, WriteProfile } from './types.js';

const FULL: WriteProfile = {
  binary: true,
  binaryHeaders: true,
  avoidBytes: [],
  nullHeaderValues: true,
  duplicateHeaders: true,
  emptyBytes: true,
  partitioning: 'explicit',
  timestamps: true,
  headerRun: 1,
  requireHeaders: false,
};
const PLAN: Segment[] = [
  { count: 15, outcome: 'commit' },
  { count: 20, outcome: 'abort' },
  { count: 15, outcome: 'commit' },
];
const records = makeDataset(FULL, {
  count: 50,
  partitions: 3,
  seed: 77,
  baseTimestamp: 1_700_000_000_000,
  large: false,
});
const { placed, segments } = placeTransactions(records, PLAN, 3);
const opts = {
  write: FULL,
  read: { nullIsEmpty: false, headerOrder: true },
  partitions: 3,
  window: [0, 0] as [number, number],
};
const asRead = (xs: typeof placed): ReadRecord[] => xs.map((x) => ({ ...x.r, offset: x.offset }));

/** The log a correct broker holds for the plan: each transaction's records, then its marker. */
function goodLog(p: number): LogEntry[] {
  const log: LogEntry[] = [];
  for (const x of placed.filter((y) => y.partition === p)) {
    while (log.length < x.offset) {
      // The marker of the previous transaction sits in the gap.
      log.push({
        offset: log.length,
        kind: placed.find((y) => y.partition === p && y.offset === log.length - 1)!.outcome,
        producerId: 7n,
        transactional: true,
      });
    }
    log.push({
      offset: x.offset,
      kind: 'data',
      producerId: 7n,
      transactional: true,
      record: { ...x.r, offset: x.offset },
    });
  }
  log.push({ offset: log.length, kind: 'commit', producerId: 7n, transactional: true });
  return log;
}

describe('transaction placement', () => {
  it('puts each transaction after the previous one and its marker in every partition', () => {
    expect(segments).toEqual([
      [
        { count: 5, outcome: 'commit' },
        { count: 7, outcome: 'abort' },
        { count: 5, outcome: 'commit' },
      ],
      [
        { count: 5, outcome: 'commit' },
        { count: 7, outcome: 'abort' },
        { count: 5, outcome: 'commit' },
      ],
      [
        { count: 5, outcome: 'commit' },
        { count: 6, outcome: 'abort' },
        { count: 5, outcome: 'commit' },
      ],
    ]);
    // Partition 0: offsets 0-4 committed, 5 commit marker, 6-12 aborted, 13 abort marker, 14-18 committed.
    expect(placed.filter((x) => x.partition === 0).map((x) => x.offset)).toEqual([
      0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 14, 15, 16, 17, 18,
    ]);
  });
});

describe('layoutProblems', () => {
  it('accepts the log a broker should hold', () => {
    for (let p = 0; p < 3; p++) expect(layoutProblems(goodLog(p), segments[p]!)).toEqual([]);
  });

  it('catches a missing marker, a wrong marker type, a non-transactional batch and a foreign producer', () => {
    const log = goodLog(0);
    expect(
      layoutProblems(
        log.filter((e) => e.kind === 'data' || e.offset !== 13),
        segments[0]!,
      ),
    ).not.toEqual([]);
    expect(
      layoutProblems(
        log.map((e) => (e.offset === 13 ? { ...e, kind: 'commit' } : e)),
        segments[0]!,
      ),
    ).not.toEqual([]);
    expect(
      layoutProblems(
        log.map((e) => (e.offset === 7 ? { ...e, transactional: false } : e)),
        segments[0]!,
      ),
    ).not.toEqual([]);
    expect(
      layoutProblems(
        log.map((e) => (e.offset === 2 ? { ...e, producerId: 8n } : e)),
        segments[0]!,
      ),
    ).not.toEqual([]);
    expect(
      layoutProblems(
        log.map((e) => ({ ...e, offset: e.offset + 1 })),
        segments[0]!,
      ),
    ).not.toEqual([]);
  });
});

describe('comparePlaced', () => {
  const committed = placed.filter((x) => x.outcome === 'commit');

  it('accepts exactly the committed records for read_committed and all for read_uncommitted', () => {
    expect(comparePlaced(committed, asRead(committed), opts)).toEqual([]);
    expect(comparePlaced(placed, asRead(placed), opts)).toEqual([]);
  });

  it('fails a read_committed reader that sees aborted data', () => {
    expect(comparePlaced(committed, asRead(placed), opts).join('\n')).toMatch(/count: want 30, read 50/);
    // Even one aborted record in place of a committed one.
    const leaky = asRead(committed);
    const aborted = placed.find((x) => x.outcome === 'abort' && x.partition === 1)!;
    leaky[leaky.findIndex((r) => r.partition === 1 && r.offset > aborted.offset)] = {
      ...aborted.r,
      offset: aborted.offset,
    };
    expect(comparePlaced(committed, leaky, opts)).not.toEqual([]);
  });

  it('fails a reader that misses committed data, reorders it or changes a byte', () => {
    expect(comparePlaced(committed, asRead(committed).slice(1), opts)).not.toEqual([]);
    const swapped = asRead(committed);
    [swapped[0], swapped[3]] = [swapped[3]!, swapped[0]!];
    expect(comparePlaced(committed, swapped, opts).join('\n')).toMatch(/out of offset order/);
    const changed = asRead(committed);
    changed[4] = { ...changed[4]!, value: Buffer.from('x') };
    expect(comparePlaced(committed, changed, opts).join('\n')).toMatch(/value/);
  });
});

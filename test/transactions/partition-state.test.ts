import { describe, expect, it } from 'vitest';
import { PartitionTxnState, type BatchHeader } from '../../src/transactions/partition-state.js';

function data(base: bigint, count: number, producerId = -1n, transactional = false): BatchHeader {
  return {
    baseOffset: base,
    lastOffset: base + BigInt(count - 1),
    producerId,
    producerEpoch: 0,
    transactional,
    control: false,
    marker: undefined,
  };
}

function marker(offset: bigint, producerId: bigint, type: 'commit' | 'abort'): BatchHeader {
  return {
    baseOffset: offset,
    lastOffset: offset,
    producerId,
    producerEpoch: 0,
    transactional: true,
    control: true,
    marker: type,
  };
}

const fresh = (next = 0n): PartitionTxnState =>
  new PartitionTxnState({ nextOffset: next, ongoing: [], aborted: [] });

describe('per-partition transaction index', () => {
  it('the last stable offset is the first offset of the earliest open transaction, else the high watermark', () => {
    const s = fresh();
    s.feed([data(0n, 3)]);
    expect(s.lastStableOffset(3n)).toBe(3n);
    s.feed([data(3n, 2, 7n, true)]);
    s.feed([data(5n, 2, 8n, true)]);
    s.feed([data(7n, 1)]);
    expect(s.lastStableOffset(8n)).toBe(3n);
    expect(s.feed([marker(8n, 7n, 'commit')])).toEqual([
      { producerId: 7n, firstOffset: 3n, lastOffset: 8n, aborted: false },
    ]);
    expect(s.lastStableOffset(9n)).toBe(5n);
    s.feed([data(9n, 1, 8n, true), marker(10n, 8n, 'abort')]);
    expect(s.lastStableOffset(11n)).toBe(11n);
    expect(s.lastStableOffset(11n, 20n)).toBe(20n);
  });

  it('indexes aborted transactions and returns those overlapping a fetched range', () => {
    const s = fresh();
    s.feed([data(0n, 2, 1n, true), data(2n, 2, 2n, true), marker(4n, 1n, 'abort'), data(5n, 1, 2n, true)]);
    s.feed([marker(6n, 2n, 'abort'), data(7n, 1, 1n, true), marker(8n, 1n, 'commit'), data(9n, 1, 1n, true)]);
    s.feed([marker(10n, 1n, 'abort')]);
    expect(s.abortedBetween(0n, 11n)).toEqual([
      { producerId: 1n, firstOffset: 0n, lastOffset: 4n },
      { producerId: 2n, firstOffset: 2n, lastOffset: 6n },
      { producerId: 1n, firstOffset: 9n, lastOffset: 10n },
    ]);
    expect(s.abortedBetween(5n, 6n)).toEqual([{ producerId: 2n, firstOffset: 2n, lastOffset: 6n }]);
    expect(s.abortedBetween(7n, 9n)).toEqual([]);
    expect(s.abortedBetween(3n, 3n)).toEqual([]);
    s.truncateBefore(5n);
    expect(s.abortedBetween(0n, 11n).map((a) => a.lastOffset)).toEqual([6n, 10n]);
  });

  it('finds a long aborted transaction that spans the whole fetched range', () => {
    const s = fresh();
    s.feed([data(0n, 1, 5n, true)]);
    for (let o = 1n; o < 1000n; o++) s.feed([data(o, 1)]);
    s.feed([marker(1000n, 5n, 'abort')]);
    expect(s.abortedBetween(500n, 600n)).toEqual([{ producerId: 5n, firstOffset: 0n, lastOffset: 1000n }]);
  });

  it('applies appends fed out of order once the range before them arrives, and ignores repeats', () => {
    const s = fresh();
    s.feed([data(3n, 2, 9n, true)]);
    expect(s.hasGap).toBe(true);
    expect(s.nextOffset).toBe(0n);
    s.feed([data(0n, 3)]);
    expect(s.hasGap).toBe(false);
    expect(s.nextOffset).toBe(5n);
    expect(s.ongoing).toEqual([{ producerId: 9n, producerEpoch: 0, firstOffset: 3n }]);
    // A read of the same range changes nothing.
    s.feed([data(0n, 3), data(3n, 2, 9n, true)]);
    expect(s.ongoing).toHaveLength(1);
    // A read batch that straddles the fed end counts from the first offset not yet fed.
    s.feed([data(4n, 3, 10n, true)]);
    expect(s.ongoing.find((t) => t.producerId === 10n)?.firstOffset).toBe(5n);
  });

  it('a marker without an open transaction, and other control records, complete nothing', () => {
    const s = fresh();
    expect(s.feed([marker(0n, 3n, 'commit')])).toEqual([]);
    s.feed([data(1n, 1, 3n, true)]);
    expect(s.feed([{ ...marker(2n, 3n, 'abort'), marker: undefined }])).toEqual([]);
    expect(s.hasOngoing(3n)).toBe(true);
  });

  it('skipping past deleted log moves the fed range and drops index entries below it', () => {
    const s = fresh();
    s.feed([data(0n, 1, 1n, true), marker(1n, 1n, 'abort')]);
    s.feed([data(10n, 1)]);
    s.skipTo(10n);
    expect(s.nextOffset).toBe(11n);
    expect(s.abortedBetween(0n, 20n)).toEqual([]);
  });

  it('round-trips through a snapshot', () => {
    const s = fresh();
    s.feed([data(0n, 2, 1n, true), marker(2n, 1n, 'abort'), data(3n, 1, 4n, true)]);
    const copy = new PartitionTxnState(s.snapshot());
    expect(copy.snapshot()).toEqual(s.snapshot());
    expect(copy.lastStableOffset(4n)).toBe(3n);
    expect(copy.abortedBetween(0n, 4n)).toEqual([{ producerId: 1n, firstOffset: 0n, lastOffset: 2n }]);
  });
});

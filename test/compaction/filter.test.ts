/** The cleaner's per-batch rules (src/compaction/filter.ts). */
import { describe, expect, it } from 'vitest';
import { cleanBatch, type FilterContext } from '../../src/compaction/filter.js';
import { MapBuilder } from '../../src/compaction/map-builder.js';
import { KeyOffsetMap } from '../../src/compaction/offset-map.js';
import { RecordBatch } from '../../src/protocol/records/batch.js';
import { buildRecordBatch, type BuildRecord } from '../../src/protocol/records/builder.js';
import { ATTR_DELETE_HORIZON, Compression } from '../../src/protocol/records/layout.js';

const rec = (key: string | null, value: string | null, timestamp = 1_000n): BuildRecord => ({
  key: key === null ? null : Buffer.from(key),
  value: value === null ? null : Buffer.from(value),
  timestamp,
});

function batch(
  baseOffset: bigint,
  records: BuildRecord[],
  extra: Partial<Parameters<typeof buildRecordBatch>[0]> = {},
): Buffer {
  return buildRecordBatch({ baseOffset, records, ...extra });
}

function context(batches: Buffer[], nowMs = 10_000n, end = 100n): FilterContext {
  const map = new KeyOffsetMap();
  const builder = new MapBuilder(map, 0n);
  for (const b of batches) builder.add(b);
  return { map, nowMs, deleteRetentionMs: 500n, lastBatchOfProducer: new Map(), end };
}

const stats = () => ({ recordsRead: 0, recordsKept: 0 });
const summary = (b: Buffer | undefined) =>
  b === undefined
    ? undefined
    : new RecordBatch(b).records().map((r) => `${r.offset}:${r.key}=${r.value ?? 'null'}`);

describe('cleaning a batch', () => {
  it('keeps the latest record of each key at its offset, drops keyless ones, keeps the offset range', () => {
    const first = batch(10n, [rec('a', '1'), rec('b', '1'), rec(null, 'x'), rec('c', '1')]);
    const second = batch(14n, [rec('a', '2')]);
    const ctx = context([first, second]);
    const cleaned = cleanBatch(first, ctx, stats())!;
    expect(summary(cleaned)).toEqual(['11:b=1', '13:c=1']);
    const b = new RecordBatch(cleaned);
    expect([b.baseOffset, b.lastOffset, b.verifyCrc()]).toEqual([10n, 13n, true]);
    expect(cleanBatch(second, ctx, stats())).toBe(second); // untouched: kept as it is
  });

  it('rebuilds with the same codec, producer fields and LogAppendTime', () => {
    const original = batch(0n, [rec('a', '1'), rec('a', '2'), rec('z', '9')], {
      compression: Compression.Zstd,
      producerId: 7n,
      producerEpoch: 3,
      baseSequence: 40,
      timestampType: 1,
      baseTimestamp: 5_555n,
      partitionLeaderEpoch: 0,
    });
    const cleaned = new RecordBatch(cleanBatch(original, context([original]), stats())!);
    expect([cleaned.compression, cleaned.producerId, cleaned.producerEpoch, cleaned.baseSequence]).toEqual([
      Compression.Zstd,
      7n,
      3,
      40,
    ]);
    expect([cleaned.timestampType, cleaned.maxTimestamp, cleaned.lastOffsetDelta]).toEqual([1, 5_555n, 2]);
    expect(cleaned.records().map((r) => [r.offset, r.timestamp])).toEqual([
      [1n, 5_555n],
      [2n, 5_555n],
    ]);
  });

  it('gives a kept tombstone a delete horizon, and drops it once the horizon has passed', () => {
    const original = batch(0n, [rec('a', null, 2_000n), rec('b', 'v', 3_000n)]);
    const once = cleanBatch(original, context([original], 10_000n), stats())!;
    const b = new RecordBatch(once);
    expect(b.attributes & ATTR_DELETE_HORIZON).toBe(ATTR_DELETE_HORIZON);
    expect(b.baseTimestamp).toBe(10_500n);
    expect(b.records().map((r) => [r.key?.toString(), r.value, r.timestamp])).toEqual([
      ['a', null, 2_000n],
      ['b', Buffer.from('v'), 3_000n],
    ]);
    expect(b.maxTimestamp).toBe(3_000n);
    expect(summary(cleanBatch(once, context([once], 10_400n), stats()))).toEqual(['0:a=null', '1:b=v']);
    expect(summary(cleanBatch(once, context([once], 10_500n), stats()))).toEqual(['1:b=v']);
  });

  it('keeps an emptied batch as a header when it is the last of its producer or of the range', () => {
    const old = batch(0n, [rec('a', '1')], { producerId: 5n, producerEpoch: 0, baseSequence: 0 });
    const newer = batch(1n, [rec('a', '2')]);
    const ctx = context([old, newer]);
    expect(cleanBatch(old, ctx, stats())).toBeUndefined();
    const lastOfProducer = { ...ctx, lastBatchOfProducer: new Map([[5n, 0n]]) };
    const kept = new RecordBatch(cleanBatch(old, lastOfProducer, stats())!);
    expect([kept.recordCount, kept.baseOffset, kept.lastOffset, kept.producerId, kept.baseSequence]).toEqual([
      0,
      0n,
      0n,
      5n,
      0,
    ]);
    expect(cleanBatch(old, { ...ctx, end: 1n }, stats())).toBeDefined();
  });

  it('keeps records past the mapped range and control batches as they are', () => {
    const mapped = batch(0n, [rec('a', '1')]);
    const later = batch(5n, [rec('a', '0')]);
    const ctx = context([mapped]);
    expect(cleanBatch(later, ctx, stats())).toBe(later);
    const marker = batch(6n, [rec('\u0000\u0000\u0000\u0000', 'x')], {
      control: true,
      producerId: 1n,
      producerEpoch: 0,
    });
    expect(cleanBatch(marker, ctx, stats())).toBe(marker);
  });
});

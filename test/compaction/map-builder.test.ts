/** The cleaner's key map and transactions (src/compaction/map-builder.ts). */
import { describe, expect, it } from 'vitest';
import { cleanBatch, type FilterContext } from '../../src/compaction/filter.js';
import { MapBuilder } from '../../src/compaction/map-builder.js';
import { KeyOffsetMap } from '../../src/compaction/offset-map.js';
import { RecordBatch } from '../../src/protocol/records/batch.js';
import { buildRecordBatch } from '../../src/protocol/records/builder.js';
import { buildMarkerBatch, type MarkerType } from '../../src/protocol/records/control.js';

const PID = 42n;

function data(baseOffset: bigint, key: string, value: string, transactional: boolean): Buffer {
  return buildRecordBatch({
    baseOffset,
    records: [{ key: Buffer.from(key), value: Buffer.from(value), timestamp: 1_000n }],
    producerId: transactional ? PID : -1n,
    producerEpoch: transactional ? 0 : -1,
    baseSequence: transactional ? Number(baseOffset) : -1,
    transactional,
  });
}

function marker(offset: bigint, type: MarkerType): Buffer {
  const buf = buildMarkerBatch({
    producerId: PID,
    producerEpoch: 0,
    type,
    coordinatorEpoch: 0,
    timestampMs: 1_000n,
  });
  new RecordBatch(buf).baseOffset = offset;
  return buf;
}

function mapOf(batches: Buffer[]): KeyOffsetMap {
  const map = new KeyOffsetMap();
  const builder = new MapBuilder(map, 0n);
  for (const b of batches) builder.add(b);
  return map;
}

function kept(batches: Buffer[]): string[] {
  const ctx: FilterContext = {
    map: mapOf(batches),
    nowMs: 10_000n,
    deleteRetentionMs: 500n,
    lastBatchOfProducer: new Map(),
    end: 100n,
  };
  const stats = { recordsRead: 0, recordsKept: 0 };
  return batches
    .map((b) => cleanBatch(b, ctx, stats))
    .filter((b): b is Buffer => b !== undefined)
    .flatMap((b) => new RecordBatch(b).records())
    .filter((r) => r.key !== null && r.key.length !== 4) // not the markers' control records
    .map((r) => `${r.offset}:${r.key}=${r.value}`);
}

describe('the cleaner and transactions', () => {
  it('an aborted record never displaces the committed record of its key', () => {
    const log = [data(0n, 'k', 'committed', false), data(1n, 'k', 'aborted', true), marker(2n, 'abort')];
    expect(mapOf(log).get(Buffer.from('k'))).toBe(0n);
    expect(kept(log)).toContain('0:k=committed');
  });

  it('a committed transactional record displaces the older record of its key', () => {
    const log = [data(0n, 'k', 'old', false), data(1n, 'k', 'new', true), marker(2n, 'commit')];
    expect(mapOf(log).get(Buffer.from('k'))).toBe(1n);
    expect(kept(log)).toEqual(['1:k=new']);
  });

  it('a transaction whose marker is not in the pass stays out of the map, and older records stay', () => {
    const log = [data(0n, 'k', 'old', false), data(1n, 'k', 'pending', true)];
    expect(mapOf(log).get(Buffer.from('k'))).toBe(0n);
    expect(kept(log)).toEqual(['0:k=old', '1:k=pending']);
  });
});

/** Compaction of a memory-store partition: the shared cleaner (src/compaction/) over its batches. */
import { cleanBatch, type FilterStats } from '../../compaction/filter.js';
import { MapBuilder } from '../../compaction/map-builder.js';
import { KeyOffsetMap } from '../../compaction/offset-map.js';
import { dirtyRatio, needsCleaning } from '../../compaction/plan.js';
import { RecordBatch } from '../../protocol/records/batch.js';
import type { CompactionResult, CompactionSettings } from '../storage.js';
import type { PartitionLog } from './partition-log.js';

export function compactPartitionLog(
  log: PartitionLog,
  settings: CompactionSettings,
  nowMs: bigint,
): CompactionResult {
  const n = log.batchCount;
  const lastOffset = (i: number): bigint => new RecordBatch(log.batchAt(i)).lastOffset;
  // The newest batch stays, as the log store's active segment does; so do batches younger than
  // min.compaction.lag.ms and those from the bound on.
  let end = 0;
  while (
    end < n - 1 &&
    nowMs - log.batchMaxTimestamp(end) >= settings.minCompactionLagMs &&
    (settings.maxOffset === undefined || lastOffset(end) < settings.maxOffset)
  ) {
    end++;
  }
  const firstDirty = log.firstDirtyOffset > log.logStartOffset ? log.firstDirtyOffset : log.logStartOffset;
  let dirty = 0;
  while (dirty < end && lastOffset(dirty) < firstDirty) dirty++;
  let cleanBytes = 0;
  let dirtyBytes = 0;
  for (let i = 0; i < end; i++) {
    if (i < dirty) cleanBytes += log.batchAt(i).length;
    else dirtyBytes += log.batchAt(i).length;
  }
  const state = {
    cleanBytes,
    dirtyBytes,
    firstDirtyTimestamp: dirty < end ? log.batchMaxTimestamp(dirty) : undefined,
  };
  const ratio = dirtyRatio(state);
  const bytesBefore = cleanBytes + dirtyBytes;
  if (!needsCleaning(state, settings, nowMs)) {
    return {
      cleaned: false,
      dirtyRatio: ratio,
      firstDirtyOffset: firstDirty,
      recordsRead: 0,
      recordsKept: 0,
      bytesBefore,
      bytesAfter: bytesBefore,
    };
  }
  const map = new KeyOffsetMap();
  const builder = new MapBuilder(map, firstDirty);
  for (let i = dirty; i < end && builder.add(log.batchAt(i)); i++);
  const lastBatchOfProducer = new Map<bigint, bigint>();
  for (let i = 0; i < end; i++) {
    const b = new RecordBatch(log.batchAt(i));
    if (b.producerId >= 0n) lastBatchOfProducer.set(b.producerId, b.baseOffset);
  }
  const upTo = end < n ? new RecordBatch(log.batchAt(end)).baseOffset : log.highWatermark;
  const ctx = { map, nowMs, deleteRetentionMs: settings.deleteRetentionMs, lastBatchOfProducer, end: upTo };
  const stats: FilterStats = { recordsRead: 0, recordsKept: 0 };
  const kept: Buffer[] = [];
  for (let i = 0; i < end; i++) {
    const out = cleanBatch(log.batchAt(i), ctx, stats);
    if (out !== undefined) kept.push(out);
  }
  log.replaceFront(end, kept);
  if (map.latestOffset >= firstDirty) log.firstDirtyOffset = map.latestOffset + 1n;
  return {
    cleaned: true,
    dirtyRatio: ratio,
    firstDirtyOffset: log.firstDirtyOffset,
    ...stats,
    bytesBefore,
    bytesAfter: kept.reduce((s, b) => s + b.length, 0),
  };
}

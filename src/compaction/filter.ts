/**
 * Cleaning one record batch of a compacted log, by Kafka's rules (LogCleaner, MemoryRecords.filterTo):
 * a keyed record stays if no later record of its key is in the offset map and it is not a tombstone
 * whose delete horizon has passed; records without a key go; records past the map's range all stay.
 * A batch that loses records is rebuilt with its base offset, last offset delta, producer fields,
 * codec and timestamps unchanged, so offsets and producer sequences mean what they meant. A batch
 * holding a tombstone gets a delete horizon (now + delete.retention.ms) the first time it is cleaned;
 * its tombstones go at a cleaning after that. An emptied batch is kept (as a header) when it is the
 * last of its producer or of the cleaned range; control batches (transaction markers) are kept.
 */
import { RecordBatch } from '../protocol/records/batch.js';
import { buildRecordBatch } from '../protocol/records/builder.js';
import { ATTR_DELETE_HORIZON, Compression, type DecodedRecord } from '../protocol/records/layout.js';
import type { KeyOffsetMap } from './offset-map.js';

export interface FilterContext {
  readonly map: KeyOffsetMap;
  readonly nowMs: bigint;
  readonly deleteRetentionMs: bigint;
  /** Base offset of the last batch of each producer id in the range being cleaned. */
  readonly lastBatchOfProducer: ReadonlyMap<bigint, bigint>;
  /** Offset after the range being cleaned. */
  readonly end: bigint;
}

export interface FilterStats {
  recordsRead: number;
  recordsKept: number;
}

/** The batch to keep in place of `buf` (itself, rebuilt, or an empty header), or undefined to drop it. */
export function cleanBatch(buf: Buffer, ctx: FilterContext, stats: FilterStats): Buffer | undefined {
  const batch = new RecordBatch(buf);
  if (batch.isControl) return buf;
  const records = batch.records();
  const horizon = (batch.attributes & ATTR_DELETE_HORIZON) !== 0 ? batch.baseTimestamp : undefined;
  const kept = records.filter((r) => retain(r, ctx, horizon));
  stats.recordsRead += records.length;
  stats.recordsKept += kept.length;
  const tombstones = kept.some((r) => r.value === null);
  if (kept.length === records.length && !(tombstones && horizon === undefined)) return buf;
  if (kept.length > 0) {
    const newHorizon = tombstones && horizon === undefined ? ctx.nowMs + ctx.deleteRetentionMs : horizon;
    return rebuild(batch, kept, newHorizon);
  }
  const lastOfProducer =
    batch.producerId >= 0n && ctx.lastBatchOfProducer.get(batch.producerId) === batch.baseOffset;
  return lastOfProducer || batch.lastOffset + 1n === ctx.end ? emptyHeader(batch) : undefined;
}

function retain(r: DecodedRecord, ctx: FilterContext, horizon: bigint | undefined): boolean {
  if (r.offset > ctx.map.latestOffset) return true;
  if (r.key === null) return false;
  const latest = ctx.map.get(r.key);
  if (latest !== undefined && r.offset < latest) return false;
  return r.value !== null || horizon === undefined || ctx.nowMs < horizon;
}

/** What a rebuilt batch keeps of the original: offsets, producer fields, transactional bit, epoch. */
function keptHeader(batch: RecordBatch) {
  return {
    baseOffset: batch.baseOffset,
    lastOffsetDelta: batch.lastOffsetDelta,
    timestampType: batch.timestampType,
    producerId: batch.producerId,
    producerEpoch: batch.producerEpoch,
    baseSequence: batch.baseSequence,
    transactional: batch.isTransactional,
    partitionLeaderEpoch: batch.partitionLeaderEpoch,
  };
}

function rebuild(batch: RecordBatch, kept: DecodedRecord[], deleteHorizonMs: bigint | undefined): Buffer {
  const logAppend = batch.timestampType === 1;
  return buildRecordBatch({
    ...keptHeader(batch),
    records: kept.map((r) => ({
      key: r.key,
      value: r.value,
      headers: r.headers,
      timestamp: r.timestamp,
      offsetDelta: Number(r.offset - batch.baseOffset),
    })),
    compression: batch.compression,
    baseTimestamp: logAppend ? batch.maxTimestamp : kept[0]!.timestamp,
    maxTimestamp: logAppend ? batch.maxTimestamp : undefined,
    deleteHorizonMs,
  });
}

/** A batch without records that keeps the offsets and producer fields of `batch`. */
function emptyHeader(batch: RecordBatch): Buffer {
  return buildRecordBatch({
    ...keptHeader(batch),
    records: [],
    compression: Compression.None,
    baseTimestamp: batch.maxTimestamp,
    maxTimestamp: batch.maxTimestamp,
  });
}

/**
 * One partition's log in memory: the record batches exactly as clients sent them (with their base
 * offsets stamped), never re-encoded. Everything here is synchronous; MemoryStorage adds the async
 * Storage surface, topics and change notification around it.
 */
import type { TimestampLookup } from '../storage.js';
import { ErrorCode, KafkaError } from '../../protocol/error-codes.js';
import { RecordBatch, validateBatches } from '../../protocol/records/batch.js';
import { Arena, ARENA_MAX_COPY, type Placement } from './arena.js';
import { BatchIndex } from './batch-index.js';
import { retainCompact } from './retain-buffer.js';

export interface RetentionResult {
  readonly batchesDropped: number;
  readonly logStartOffset: bigint;
}

export class PartitionLog {
  private index = new BatchIndex();
  /** The cleaner's progress: first offset not compacted yet (src/storage/memory/compaction.ts). */
  firstDirtyOffset = 0n;
  private readonly arena = new Arena();
  private start = 0n;
  private next = 0n;

  get logStartOffset(): bigint {
    return this.start;
  }

  get highWatermark(): bigint {
    return this.next;
  }

  /** Bytes of the batches held (what retention.bytes is measured against). */
  get sizeBytes(): number {
    return this.index.bytes;
  }

  get batchCount(): number {
    return this.index.length;
  }

  /**
   * Validates every batch before storing any, then stamps offsets and keeps the bytes. Takes
   * ownership of `input`: its batches are modified in place and may be retained as views.
   * Returns the offset given to the first record. `validated`: the produce path's views of the
   * batches in `input`, which spare this walk.
   */
  append(
    input: Buffer,
    logAppendTimeMs?: bigint,
    validated: readonly RecordBatch[] = validateBatches(input),
  ): bigint {
    // Kafka refuses a produce without batches as INVALID_RECORD.
    if (validated.length === 0) throw new KafkaError(ErrorCode.INVALID_RECORD, 'no record batch to append');
    const { chunk, at } = this.place(input);
    const first = this.next;
    let next = first;
    for (const checked of validated) {
      const batch = new RecordBatch(chunk, at + checked.start);
      batch.baseOffset = next;
      if (logAppendTimeMs !== undefined) batch.setLogAppendTime(logAppendTimeMs);
      this.index.push(next, batch.maxTimestamp, chunk, batch.start, batch.size);
      next += BigInt(batch.lastOffsetDelta) + 1n;
    }
    this.next = next;
    return first;
  }

  /** Whole batches from the one holding `offset`, within maxBytes but at least one (KIP-74). */
  read(offset: bigint, maxBytes: number): Buffer[] {
    this.checkInRange(offset);
    if (offset === this.next) return [];
    // Compaction may have removed whole batches: the offset may lie in a gap before the next one.
    let first = Math.max(0, this.index.floorIndex(offset));
    if (lastOffsetOf(this.index.buffer(first)) < offset) first++;
    if (first >= this.index.length) return [];
    const batches = [this.index.buffer(first)];
    let total = batches[0]!.length;
    for (let i = first + 1; i < this.index.length; i++) {
      const size = this.index.size(i);
      if (total + size > maxBytes) break;
      batches.push(this.index.buffer(i));
      total += size;
    }
    return batches;
  }

  /** First record (in offset order, at or after the log start) whose timestamp is >= ts. */
  offsetForTimestamp(ts: bigint): TimestampLookup | undefined {
    // Batches before this index cannot hold a match; later ones may not either (timestamps are not
    // monotonic), so each candidate's own max timestamp is checked before decoding it.
    for (let i = this.index.firstReachingTimestamp(ts); i < this.index.length; i++) {
      if (this.index.maxTimestamp(i) < ts) continue;
      for (const record of this.liveRecords(i)) {
        if (record.timestamp >= ts) return record;
      }
    }
    return undefined;
  }

  /** The record with the largest timestamp; the earliest such offset on ties. */
  maxTimestamp(): TimestampLookup | undefined {
    // Batch headers locate the batch; only that batch (and a batch cut by the log start, whose header
    // may describe deleted records) is decoded.
    let cut: TimestampLookup | undefined;
    let from = 0;
    if (this.index.length > 0 && this.index.baseOffset(0) < this.start) {
      cut = maxRecord(this.liveRecords(0));
      from = 1;
    }
    let bestIndex = -1;
    let bestTs = 0n;
    for (let i = from; i < this.index.length; i++) {
      const ts = this.index.maxTimestamp(i);
      if (bestIndex < 0 || ts > bestTs) {
        bestIndex = i;
        bestTs = ts;
      }
    }
    if (bestIndex < 0 || (cut !== undefined && cut.timestamp >= bestTs)) return cut;
    for (const record of this.liveRecords(bestIndex)) {
      if (record.timestamp === bestTs) return record;
    }
    // The header's max timestamp matches none of its records (a client wrote it wrong): decode all.
    let best = cut;
    for (let i = from; i < this.index.length; i++) {
      const candidate = maxRecord(this.liveRecords(i));
      if (candidate !== undefined && (best === undefined || candidate.timestamp > best.timestamp)) {
        best = candidate;
      }
    }
    return best;
  }

  /** Advances the log start (DeleteRecords); `offset` may equal the high watermark. */
  deleteRecordsBefore(offset: bigint): bigint {
    if (offset < 0n || offset > this.next) {
      throw new KafkaError(
        ErrorCode.OFFSET_OUT_OF_RANGE,
        `cannot delete records before ${offset}: high watermark is ${this.next}`,
      );
    }
    if (offset <= this.start) return this.start;
    this.start = offset;
    // Every batch before the one holding the new start lies entirely below it.
    this.index.dropFront(offset === this.next ? this.index.length : this.index.floorIndex(offset));
    return this.start;
  }

  /**
   * Drops whole batches from the start, as Kafka drops whole segments: while the oldest batch's max
   * timestamp is more than retentionMs old, and while dropping it still leaves at least retentionBytes.
   * A negative limit means unlimited.
   */
  enforceRetention(nowMs: bigint, retentionMs: bigint, retentionBytes: number): RetentionResult {
    let drop = 0;
    const count = this.index.length;
    if (retentionMs >= 0n) {
      while (drop < count && nowMs - this.index.maxTimestamp(drop) > retentionMs) drop++;
    }
    if (retentionBytes >= 0) {
      let remaining = this.index.bytes;
      for (let i = 0; i < drop; i++) remaining -= this.index.size(i);
      while (drop < count && remaining - this.index.size(drop) >= retentionBytes) {
        remaining -= this.index.size(drop);
        drop++;
      }
    }
    if (drop > 0) {
      const newStart = drop < count ? this.index.baseOffset(drop) : this.next;
      this.index.dropFront(drop);
      if (newStart > this.start) this.start = newStart;
    }
    return { batchesDropped: drop, logStartOffset: this.start };
  }

  /** The held batch at index i (oldest first), for the cleaner. */
  batchAt(i: number): Buffer {
    return this.index.buffer(i);
  }

  batchMaxTimestamp(i: number): bigint {
    return this.index.maxTimestamp(i);
  }

  /** Replaces the `count` oldest batches with `replacement` (the same offsets, fewer records). */
  replaceFront(count: number, replacement: readonly Buffer[]): void {
    const next = new BatchIndex();
    for (const b of replacement) {
      const batch = new RecordBatch(b);
      next.push(batch.baseOffset, batch.maxTimestamp, b, 0, b.length);
    }
    for (let i = count; i < this.index.length; i++) {
      const b = this.index.buffer(i);
      next.push(this.index.baseOffset(i), this.index.maxTimestamp(i), b, 0, b.length);
    }
    this.index = next;
  }

  /** Where the appended bytes will live: packed with other small appends, or on their own. */
  private place(input: Buffer): Placement {
    return input.length <= ARENA_MAX_COPY ? this.arena.copyIn(input) : { chunk: retainCompact(input), at: 0 };
  }

  private checkInRange(offset: bigint): void {
    if (offset < this.start || offset > this.next) {
      throw new KafkaError(
        ErrorCode.OFFSET_OUT_OF_RANGE,
        `offset ${offset} is outside [${this.start}, ${this.next}]`,
      );
    }
  }

  /** Records of batch i at or after the log start (a LogAppendTime batch's records carry its time). */
  private *liveRecords(i: number): Generator<TimestampLookup> {
    for (const record of new RecordBatch(this.index.buffer(i)).records()) {
      if (record.offset >= this.start) yield { offset: record.offset, timestamp: record.timestamp };
    }
  }
}

function lastOffsetOf(batch: Buffer): bigint {
  return batch.readBigInt64BE(0) + BigInt(batch.readInt32BE(23));
}

function maxRecord(records: Iterable<TimestampLookup>): TimestampLookup | undefined {
  let best: TimestampLookup | undefined;
  for (const record of records) {
    if (best === undefined || record.timestamp > best.timestamp) best = record;
  }
  return best;
}

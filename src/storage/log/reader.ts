/**
 * The read side of a partition: whole stored batches from the file, never re-encoded. A read starts
 * at a remembered position (where the previous read of a consumer ended) or at the sparse index's
 * floor entry, reads one block sized for the request, and hands out views of it. As in Kafka a read
 * stays within one segment; the next Fetch continues in the next one.
 */
import { ErrorCode, KafkaError } from '../../protocol/error-codes.js';
import { RecordBatch } from '../../protocol/records/batch.js';
import type { TimestampLookup } from '../storage.js';
import { BatchCursor, baseOffsetOf, nextOffsetOf } from './batch-cursor.js';
import { checkUsable, segmentIndexFor, type PartitionCore } from './partition-core.js';
import type { Segment } from './segment.js';

const MIN_BLOCK = 64 * 1024;
const MAX_BLOCK = 16 * 1024 * 1024;
/** Positions where recent reads ended, for the next read of the same consumer. */
const HINTS = 32;

export class PartitionReader {
  private readonly hints = new Map<bigint, { segment: Segment; position: number }>();

  constructor(private readonly p: PartitionCore) {}

  /** Forget remembered positions (segments were replaced or removed). */
  forgetPositions(): void {
    this.hints.clear();
  }

  async read(offset: bigint, maxBytes: number): Promise<Buffer[]> {
    checkUsable(this.p);
    const end = this.p.highWatermark;
    if (offset < this.p.logStartOffset || offset > end) {
      throw new KafkaError(
        ErrorCode.OFFSET_OUT_OF_RANGE,
        `offset ${offset} is outside [${this.p.logStartOffset}, ${end}]`,
      );
    }
    const out: Buffer[] = [];
    let from = offset;
    let budget = maxBytes;
    // Segments are read one after the other while the budget lasts (a gap left by the cleaner, or
    // the end of a segment, moves on to the next).
    // Structural changes replace the array (rolls only add to its end): this one stays consistent.
    const segs = this.p.segments;
    for (let i = segmentIndexFor(segs, from); from < end && i < segs.length; i++) {
      const segment = segs[i]!;
      const first = out.length === 0;
      const batches = await this.withSegment(segment, () =>
        this.readSegment(segment, from, budget, end, first),
      );
      if (batches === undefined) return out.length > 0 ? out : this.read(offset, maxBytes); // replaced: look again
      for (const b of batches) {
        out.push(b);
        budget -= b.length;
      }
      if (batches.length > 0) from = nextOffsetOf(batches[batches.length - 1]!);
      if (budget <= 0 || (batches.length > 0 && from < segment.nextOffset)) break;
    }
    return out;
  }

  private async readSegment(
    segment: Segment,
    offset: bigint,
    maxBytes: number,
    end: bigint,
    first: boolean,
  ): Promise<Buffer[]> {
    const hint = this.hints.get(offset);
    const start = hint?.segment === segment ? hint.position : segment.floorPosition(offset);
    const wanted = Math.max(maxBytes, 0) + 2 * this.p.settings().indexIntervalBytes;
    const block = Math.min(MAX_BLOCK, Math.max(MIN_BLOCK, wanted), segment.size - start);
    const cursor = new BatchCursor(segment.file, start, segment.size, block);
    const out: Buffer[] = [];
    let total = 0;
    let after = start;
    for (let b = await cursor.next(); b !== undefined; b = await cursor.next()) {
      if (baseOffsetOf(b) >= end) break;
      if (nextOffsetOf(b) <= offset) continue;
      if ((out.length > 0 || !first) && total + b.length > maxBytes) break;
      out.push(b);
      total += b.length;
      after = cursor.position;
      if (total >= maxBytes) break;
    }
    this.checkCursor(cursor, segment);
    if (out.length > 0) this.remember(nextOffsetOf(out[out.length - 1]!), segment, after);
    return out;
  }

  /** First record at or after the log start whose timestamp is >= ts. */
  async offsetForTimestamp(ts: bigint): Promise<TimestampLookup | undefined> {
    checkUsable(this.p);
    const start = this.p.logStartOffset;
    const end = this.p.highWatermark;
    const segs = this.p.segments;
    for (let i = segmentIndexFor(segs, start); i < segs.length; i++) {
      const segment = segs[i]!;
      if (segment.isEmpty || segment.maxTimestamp < ts) continue;
      const found = await this.withSegment(segment, () =>
        this.scan(segment, segment.timestampPosition(ts), end, (b) => {
          if (nextOffsetOf(b) <= start || new RecordBatch(b).maxTimestamp < ts) return undefined;
          return liveRecords(b, start, end).find((r) => r.timestamp >= ts);
        }),
      );
      if (found === undefined && segment.isRetired) return this.offsetForTimestamp(ts);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /** The record with the largest timestamp at or after the log start; the first such on ties. */
  async maxTimestamp(): Promise<TimestampLookup | undefined> {
    checkUsable(this.p);
    const start = this.p.logStartOffset;
    const end = this.p.highWatermark;
    let best: TimestampLookup | undefined;
    const segs = this.p.segments;
    const first = segmentIndexFor(segs, start);
    for (let i = first; i < segs.length; i++) {
      const segment = segs[i]!;
      if (segment.isEmpty) continue;
      // The segment holding the log start may hold deleted records: look at its live part only.
      const cut = i === first && start > segment.baseOffset;
      if (!cut && best !== undefined && segment.maxTimestamp <= best.timestamp) continue;
      const candidate = await this.withSegment(segment, () =>
        cut ? this.maxOfLive(segment, start, end) : this.maxOfSegment(segment, start, end),
      );
      if (candidate === undefined && segment.isRetired) return this.maxTimestamp();
      if (candidate !== undefined && (best === undefined || candidate.timestamp > best.timestamp)) {
        best = candidate;
      }
    }
    return best;
  }

  private async maxOfSegment(
    segment: Segment,
    start: bigint,
    end: bigint,
  ): Promise<TimestampLookup | undefined> {
    const target = segment.maxTimestamp;
    const at = segment.floorPosition(segment.offsetOfMaxTimestamp);
    const found = await this.scan(segment, at, end, (b) =>
      new RecordBatch(b).maxTimestamp === target
        ? liveRecords(b, start, end).find((r) => r.timestamp === target)
        : undefined,
    );
    // A batch whose header max matches none of its records (a client wrote it wrong): decode all.
    return found ?? this.maxOfLive(segment, start, end);
  }

  private async maxOfLive(
    segment: Segment,
    start: bigint,
    end: bigint,
  ): Promise<TimestampLookup | undefined> {
    let best: TimestampLookup | undefined;
    await this.scan(segment, segment.floorPosition(start), end, (b) => {
      if (nextOffsetOf(b) <= start) return undefined;
      if (best !== undefined && new RecordBatch(b).maxTimestamp <= best.timestamp) return undefined;
      for (const r of liveRecords(b, start, end)) {
        if (best === undefined || r.timestamp > best.timestamp) best = r;
      }
      return undefined;
    });
    return best;
  }

  /** Walks the segment's batches below `end` from `position` until `visit` returns something. */
  private async scan<T>(
    segment: Segment,
    position: number,
    end: bigint,
    visit: (batch: Buffer) => T | undefined,
  ): Promise<T | undefined> {
    const cursor = new BatchCursor(segment.file, position, segment.size);
    for (let b = await cursor.next(); b !== undefined; b = await cursor.next()) {
      if (baseOffsetOf(b) >= end) break;
      const found = visit(b);
      if (found !== undefined) return found;
    }
    this.checkCursor(cursor, segment);
    return undefined;
  }

  /** Runs `work` with the segment's file held open; undefined when the segment was retired. */
  private async withSegment<T>(segment: Segment, work: () => Promise<T>): Promise<T | undefined> {
    if (!segment.acquire()) return undefined;
    try {
      return await work();
    } finally {
      segment.release();
    }
  }

  private checkCursor(cursor: BatchCursor, segment: Segment): void {
    if (cursor.problem === undefined) return;
    throw new KafkaError(
      ErrorCode.KAFKA_STORAGE_ERROR,
      `${this.p.name}: segment ${segment.baseOffset} is corrupt ${cursor.problem}`,
    );
  }

  private remember(offset: bigint, segment: Segment, position: number): void {
    if (this.hints.size >= HINTS) this.hints.delete(this.hints.keys().next().value!);
    this.hints.set(offset, { segment, position });
  }
}

/** The batch's records in [start, end), with their offsets and timestamps. */
function liveRecords(batch: Buffer, start: bigint, end: bigint): TimestampLookup[] {
  const out: TimestampLookup[] = [];
  for (const r of new RecordBatch(batch).records()) {
    if (r.offset >= start && r.offset < end) out.push({ offset: r.offset, timestamp: r.timestamp });
  }
  return out;
}

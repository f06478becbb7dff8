/**
 * One segment of a partition's log: a file of record batches exactly as stored (offsets stamped),
 * named by the base offset of its first batch, with its sparse indexes and the few facts about it
 * that reads, retention, rolling and recovery ask for. Appends only ever go to the last (active)
 * segment; a segment replaced by the cleaner or dropped by retention is retired, and its file is
 * closed once no read is using it.
 */
import path from 'node:path';
import { OFF_BASE_OFFSET, OFF_LAST_OFFSET_DELTA, OFF_MAX_TIMESTAMP } from '../../protocol/records/layout.js';
import { writeFileAtomic, type LogFile, type LogFs } from './fs.js';
import { OffsetIndex, TimeIndex } from './indexes.js';
import { baseName, INDEX_SUFFIX, TIME_INDEX_SUFFIX } from './names.js';

export const NO_TIMESTAMP = -1n;

export class Segment {
  /** Bytes of complete batches in the file. */
  size = 0;
  /** Bytes known to be on disk (fsynced). */
  flushedSize = 0;
  /** Whether the directory entry of the file is known to be durable. */
  dirSynced = false;
  /** Offset after the last batch (the base offset while empty). */
  nextOffset: bigint;
  /** Largest batch max timestamp, and the base offset of the first batch that has it. */
  maxTimestamp = NO_TIMESTAMP;
  offsetOfMaxTimestamp: bigint;
  /** Max timestamp of the first batch: segment.ms counts from it, as in Kafka. */
  rollTimestamp: bigint | undefined;
  offsetIndex = new OffsetIndex();
  timeIndex = new TimeIndex();
  /** Whether the index files on disk are missing or behind the in-memory indexes. */
  indexStale = true;
  private bytesSinceIndexEntry = 0;
  private readers = 0;
  private retired = false;

  constructor(
    readonly baseOffset: bigint,
    readonly file: LogFile,
    readonly dir: string,
    private readonly indexIntervalBytes: number,
    /** Opened with O_DSYNC: a completed write is on disk. */
    readonly dsync = false,
  ) {
    this.nextOffset = baseOffset;
    this.offsetOfMaxTimestamp = baseOffset;
  }

  get isEmpty(): boolean {
    return this.size === 0;
  }

  /** Records a batch written (or found by recovery) at `position`. */
  addBatch(batch: Buffer, position: number): void {
    const base = batch.readBigInt64BE(OFF_BASE_OFFSET);
    const maxTs = batch.readBigInt64BE(OFF_MAX_TIMESTAMP);
    if (this.bytesSinceIndexEntry >= this.indexIntervalBytes) {
      // Index the batch's base offset at its own position: a lookup lands exactly on it.
      this.offsetIndex.append(this.rel(base), position);
      if (this.maxTimestamp !== NO_TIMESTAMP) {
        this.timeIndex.append(this.maxTimestamp, this.rel(this.offsetOfMaxTimestamp));
      }
      this.bytesSinceIndexEntry = 0;
    }
    this.bytesSinceIndexEntry += batch.length;
    if (this.rollTimestamp === undefined) this.rollTimestamp = maxTs;
    if (maxTs > this.maxTimestamp) {
      this.maxTimestamp = maxTs;
      this.offsetOfMaxTimestamp = base;
    }
    this.nextOffset = base + BigInt(batch.readInt32BE(OFF_LAST_OFFSET_DELTA)) + 1n;
    this.size = position + batch.length;
    this.indexStale = true;
  }

  /** Takes the indexes loaded from disk; the batches after the last index entry are added next. */
  restore(offsetIndex: OffsetIndex, timeIndex: TimeIndex, firstBatchMaxTimestamp: bigint): void {
    this.offsetIndex = offsetIndex;
    this.timeIndex = timeIndex;
    this.rollTimestamp = firstBatchMaxTimestamp;
    this.maxTimestamp = timeIndex.lastTimestamp ?? NO_TIMESTAMP;
    this.offsetOfMaxTimestamp = this.baseOffset + BigInt(timeIndex.lastRelOffset ?? 0);
    this.bytesSinceIndexEntry = 0;
  }

  /** Offset relative to the base, as the indexes keep it. */
  rel(offset: bigint): number {
    return Number(offset - this.baseOffset);
  }

  /** Where a scan for `offset` may start. */
  floorPosition(offset: bigint): number {
    return offset <= this.baseOffset ? 0 : this.offsetIndex.floorPosition(this.rel(offset));
  }

  /** Where a scan for the first record at or after `timestamp` may start. */
  timestampPosition(timestamp: bigint): number {
    const rel = this.timeIndex.lastBelow(timestamp);
    return rel === undefined ? 0 : this.offsetIndex.floorPosition(rel);
  }

  /** Closes the time index with the segment's max timestamp, so a reload finds it there. */
  sealTimeIndex(): void {
    if (this.maxTimestamp !== NO_TIMESTAMP) {
      this.timeIndex.append(this.maxTimestamp, this.rel(this.offsetOfMaxTimestamp));
    }
  }

  indexPath(): string {
    return path.join(this.dir, `${baseName(this.baseOffset)}${INDEX_SUFFIX}`);
  }

  timeIndexPath(): string {
    return path.join(this.dir, `${baseName(this.baseOffset)}${TIME_INDEX_SUFFIX}`);
  }

  /** Writes both index files durably (each replaced atomically). */
  async writeIndexes(fs: LogFs): Promise<void> {
    this.sealTimeIndex();
    this.indexStale = false;
    await writeFileAtomic(fs, this.indexPath(), this.offsetIndex.serialize());
    await writeFileAtomic(fs, this.timeIndexPath(), this.timeIndex.serialize());
  }

  /** Reads `length` bytes at `position` into a fresh buffer. */
  async readAt(position: number, length: number): Promise<Buffer> {
    const out = Buffer.allocUnsafe(length);
    const got = await this.file.read(out, 0, length, position);
    return got === length ? out : out.subarray(0, got);
  }

  /** Holds the file open for a read; returns false when the segment is retired. */
  acquire(): boolean {
    if (this.retired) return false;
    this.readers++;
    return true;
  }

  release(): void {
    this.readers--;
    if (this.retired && this.readers === 0) void this.file.close().catch(() => undefined);
  }

  /** No new reads; the file closes when the last one ends. */
  retire(): void {
    if (this.retired) return;
    this.retired = true;
    if (this.readers === 0) void this.file.close().catch(() => undefined);
  }

  get isRetired(): boolean {
    return this.retired;
  }
}

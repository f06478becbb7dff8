/**
 * One partition of the log store: its directory of segments, offsets, appender and reader, and the
 * changes that remove or replace whole segments (DeleteRecords, retention, the cleaner), which run
 * one at a time per partition and never touch the active segment while it is being written.
 */
import type { Logger } from 'pino';
import type { StoreMetrics } from '../../metrics/metrics.js';
import { ErrorCode, KafkaError } from '../../protocol/error-codes.js';
import type { RecordBatch } from '../../protocol/records/batch.js';
import type { TimestampLookup } from '../storage.js';
import { Appender } from './appender.js';
import type { LogFs } from './fs.js';
import { activeSegment, checkUsable, type PartitionCore } from './partition-core.js';
import { PartitionReader } from './reader.js';
import { loadPartition, removeSegmentFiles, type LoadedLog } from './recovery.js';
import type { Segment } from './segment.js';
import { syncsEveryAppend, type PartitionSettings } from './settings.js';

export interface PartitionOptions {
  readonly name: string;
  readonly dir: string;
  readonly fs: LogFs;
  readonly log: Logger;
  readonly settings: () => PartitionSettings;
  readonly changed: () => void;
  readonly metrics: () => StoreMetrics;
}

export class LogPartition implements PartitionCore {
  readonly name: string;
  readonly dir: string;
  readonly fs: LogFs;
  readonly log: Logger;
  segments: Segment[];
  logStartOffset: bigint;
  highWatermark: bigint;
  failure: Error | undefined;
  readonly appender: Appender;
  readonly reader: PartitionReader;
  readonly loaded: LoadedLog;
  private exclusiveTail: Promise<unknown> = Promise.resolve();
  private readonly options: PartitionOptions;

  private constructor(o: PartitionOptions, loaded: LoadedLog, logStartOffset: bigint, recoveryPoint: bigint) {
    this.options = o;
    this.name = o.name;
    this.dir = o.dir;
    this.fs = o.fs;
    this.log = o.log;
    this.loaded = loaded;
    this.segments = loaded.segments;
    const end = activeSegment(this).nextOffset;
    this.logStartOffset = maxOf(logStartOffset, this.segments[0]!.baseOffset);
    if (this.logStartOffset > end) this.logStartOffset = end;
    this.highWatermark = end;
    this.appender = new Appender(this, end, recoveryPoint < end ? recoveryPoint : end);
    this.reader = new PartitionReader(this);
  }

  /**
   * Opens (or creates) the partition in `dir`. `recoveryPoint` undefined means the store was shut
   * down cleanly; `logStartOffset` is the one DeleteRecords last stored.
   */
  static async open(
    o: PartitionOptions,
    logStartOffset: bigint,
    recoveryPoint: bigint | undefined,
  ): Promise<LogPartition> {
    const loaded = await loadPartition({
      fs: o.fs,
      dir: o.dir,
      log: o.log,
      name: o.name,
      indexIntervalBytes: o.settings().indexIntervalBytes,
      recoveryPoint,
      emptyBase: logStartOffset,
      dsync: syncsEveryAppend(o.settings()),
    });
    const end = loaded.segments[loaded.segments.length - 1]!.nextOffset;
    return new LogPartition(o, loaded, logStartOffset, recoveryPoint ?? end);
  }

  settings(): PartitionSettings {
    return this.options.settings();
  }

  get metrics(): StoreMetrics {
    return this.options.metrics();
  }

  changed(): void {
    this.options.changed();
  }

  /** Offset after the last appended record, written or not yet. */
  get nextOffset(): bigint {
    return this.appender.nextOffset;
  }

  append(batches: readonly RecordBatch[], data: Buffer, logAppendTimeMs?: bigint): Promise<void> {
    return this.appender.append(batches, data, logAppendTimeMs);
  }

  read(offset: bigint, maxBytes: number): Promise<Buffer[]> {
    return this.reader.read(offset, maxBytes);
  }

  offsetForTimestamp(ts: bigint): Promise<TimestampLookup | undefined> {
    return this.reader.offsetForTimestamp(ts);
  }

  maxTimestamp(): Promise<TimestampLookup | undefined> {
    return this.reader.maxTimestamp();
  }

  /** Bytes of all segments (what retention.bytes is measured against). */
  get sizeBytes(): number {
    return this.segments.reduce((n, s) => n + s.size, 0);
  }

  /** Moves the log start forward (DeleteRecords) once `persist` stored it; drops segments below it. */
  deleteRecordsBefore(offset: bigint, persist: (offset: bigint) => Promise<void>): Promise<bigint> {
    return this.exclusive(async () => {
      checkUsable(this);
      if (offset < 0n || offset > this.highWatermark) {
        throw new KafkaError(
          ErrorCode.OFFSET_OUT_OF_RANGE,
          `cannot delete records before ${offset}: high watermark is ${this.highWatermark}`,
        );
      }
      if (offset <= this.logStartOffset) return this.logStartOffset;
      await persist(offset);
      this.logStartOffset = offset;
      let drop = 0;
      while (drop < this.segments.length - 1 && this.segments[drop + 1]!.baseOffset <= offset) drop++;
      await this.dropFront(drop);
      this.changed();
      return this.logStartOffset;
    });
  }

  /**
   * Deletes whole segments from the start while their newest timestamp is more than retentionMs
   * before nowMs, and while the log stays at or above retentionBytes without them (negative: no
   * limit). An expired active segment is rolled first, as Kafka does. Returns the log start offset.
   */
  enforceRetention(nowMs: bigint, retentionMs: bigint, retentionBytes: bigint): Promise<bigint> {
    return this.exclusive(async () => {
      checkUsable(this);
      let drop = this.expired(nowMs, retentionMs, retentionBytes);
      if (drop === 0) return this.logStartOffset;
      if (drop === this.segments.length) {
        await this.appender.roll();
        await this.appender.finished();
        drop = this.expired(nowMs, retentionMs, retentionBytes);
      }
      if (drop === 0) return this.logStartOffset;
      await this.dropFront(drop);
      this.logStartOffset = maxOf(this.logStartOffset, this.segments[0]!.baseOffset);
      this.changed();
      return this.logStartOffset;
    });
  }

  /** Runs `work` after every earlier segment-removing or -replacing change of this partition. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    // A rolled segment's index files are written in the background: never under a change that
    // removes or replaces that segment.
    const result = this.exclusiveTail.then(() => this.appender.finished()).then(work);
    this.exclusiveTail = result.catch(() => undefined);
    return result;
  }

  /** Waits for queued writes, fsyncs them and writes the active segment's indexes. */
  async close(): Promise<void> {
    await this.exclusive(async () => {
      if (this.failure === undefined) {
        await this.appender.flush();
        for (const s of this.segments) if (s.indexStale && !s.isEmpty) await s.writeIndexes(this.fs);
      }
      for (const s of this.segments) s.retire();
    });
  }

  /** Closes files without flushing, after the topic was deleted. */
  async abandon(): Promise<void> {
    await this.exclusive(async () => {
      await this.appender.settled();
      for (const s of this.segments) s.retire();
    });
  }

  /** Segments (from the front) that retention removes. */
  private expired(nowMs: bigint, retentionMs: bigint, retentionBytes: bigint): number {
    const segs = this.segments;
    let byTime = 0;
    if (retentionMs >= 0n) {
      while (
        byTime < segs.length &&
        !segs[byTime]!.isEmpty &&
        nowMs - segs[byTime]!.maxTimestamp > retentionMs
      ) {
        byTime++;
      }
    }
    let bySize = 0;
    if (retentionBytes >= 0n) {
      let excess = BigInt(this.sizeBytes) - retentionBytes;
      while (bySize < segs.length && !segs[bySize]!.isEmpty && excess - BigInt(segs[bySize]!.size) >= 0n) {
        excess -= BigInt(segs[bySize]!.size);
        bySize++;
      }
    }
    // The active segment goes only by rolling first; an empty active segment never goes.
    return Math.max(byTime, bySize);
  }

  private async dropFront(count: number): Promise<void> {
    if (count <= 0) return;
    const dropped = this.segments.slice(0, count);
    this.segments = this.segments.slice(count);
    this.reader.forgetPositions();
    for (const s of dropped) {
      s.retire();
      await removeSegmentFiles(this.fs, this.dir, s.baseOffset);
    }
    this.log.debug({ partition: this.name, segments: dropped.length }, 'deleted segments');
  }
}

function maxOf(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

/**
 * The write side of a partition: assigns offsets at once (so the produce path knows its base offset
 * without waiting), then writes queued appends in order, several at a time in one writev, rolls
 * segments by size, age or offset range, and fsyncs by the flush policy. An fsync covers every
 * append written before it started, so concurrent producers share fsyncs (group commit) while the
 * next writes proceed. In fsync-before-ack mode readers see an append only once it is durable.
 */
import path from 'node:path';
import type { RecordBatch } from '../../protocol/records/batch.js';
import { activeSegment, checkUsable, storageError, type PartitionCore } from './partition-core.js';
import { segmentFile } from './names.js';
import { Segment } from './segment.js';
import { syncsEveryAppend } from './settings.js';

/** Appends written together in one writev are capped at this many bytes. */
const MAX_GROUP_BYTES = 8 * 1024 * 1024;
const MAX_RELATIVE_OFFSET = 2n ** 31n - 1n;

interface Pending {
  /** Undefined for a roll asked for by retention. */
  readonly data: Buffer | undefined;
  readonly firstOffset: bigint;
  readonly nextOffset: bigint;
  readonly records: number;
  readonly maxTimestamp: bigint;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

interface FlushWaiter {
  readonly offset: bigint;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

export class Appender {
  /** Offset the next appended record gets. */
  nextOffset: bigint;
  /** Offset after the last batch written to the file. */
  writtenEnd: bigint;
  /** Offset after the last batch known to be on disk. */
  durableEnd: bigint;
  /** Everything before it is on disk, indexes of earlier segments included: recovery starts there. */
  recoveryPoint: bigint;
  /** Wall-clock ms of the oldest write not yet fsynced, for flush.ms. */
  unflushedSince: number | undefined;
  private queue: Pending[] = [];
  private draining: Promise<void> | undefined;
  private flushing: Promise<void> | undefined;
  private flushAgain = false;
  private waiters: FlushWaiter[] = [];
  private unflushedRecords = 0;
  private finishing: Promise<void> = Promise.resolve();

  constructor(
    private readonly p: PartitionCore,
    end: bigint,
    recoveryPoint: bigint,
  ) {
    this.nextOffset = end;
    this.writtenEnd = end;
    this.durableEnd = end;
    this.recoveryPoint = recoveryPoint;
  }

  /**
   * Stamps offsets (and the log-append time) into already validated batches and queues them.
   * Returns the first offset; `done` settles once the batches are written, and fsynced when the
   * policy says so.
   */
  append(batches: readonly RecordBatch[], data: Buffer, logAppendTimeMs?: bigint): Promise<void> {
    checkUsable(this.p);
    const firstOffset = this.nextOffset;
    let next = firstOffset;
    let maxTimestamp = -1n;
    for (const b of batches) {
      b.baseOffset = next;
      if (logAppendTimeMs !== undefined) b.setLogAppendTime(logAppendTimeMs);
      next += BigInt(b.lastOffsetDelta) + 1n;
      if (b.maxTimestamp > maxTimestamp) maxTimestamp = b.maxTimestamp;
    }
    this.nextOffset = next;
    const records = Number(next - firstOffset);
    return this.enqueue(data, firstOffset, next, records, maxTimestamp);
  }

  /** Starts a new segment after everything queued so far (retention drops whole segments). */
  roll(): Promise<void> {
    return this.enqueue(undefined, this.nextOffset, this.nextOffset, 0, -1n);
  }

  /** Waits for queued writes, then fsyncs everything written. */
  async flush(): Promise<void> {
    await this.idle();
    checkUsable(this.p);
    await this.flushUpTo(this.writtenEnd);
    await this.finishing;
  }

  /** Resolves once the segments rolled so far are durable with their index files. */
  finished(): Promise<void> {
    return this.finishing;
  }

  /** Resolves once no write is queued or running and rolled segments are finished. */
  async settled(): Promise<void> {
    await this.idle();
    await this.finishing;
  }

  /** Resolves once no write is queued or running. */
  async idle(): Promise<void> {
    while (this.draining !== undefined) await this.draining;
  }

  /** The time-based flush (flush.ms): fsyncs when the oldest unflushed write is old enough. */
  flushIfDue(nowMs: number): void {
    const due = this.p.settings().flushIntervalMs;
    if (this.unflushedSince === undefined || nowMs - this.unflushedSince < due) return;
    this.flushUpTo(this.writtenEnd).catch(() => undefined); // failures fail the partition and are logged
  }

  private enqueue(
    data: Buffer | undefined,
    firstOffset: bigint,
    nextOffset: bigint,
    records: number,
    maxTimestamp: bigint,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ data, firstOffset, nextOffset, records, maxTimestamp, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.draining !== undefined) return;
    // An append queued after the loop saw an empty queue, but before this settles, starts it again.
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      if (this.queue.length > 0) this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      if (head.data === undefined) {
        this.queue.shift();
        try {
          if (!activeSegment(this.p).isEmpty) await this.rollTo(head.firstOffset);
          head.resolve();
        } catch (err) {
          const error = storageError(this.p, 'segment roll', err);
          head.reject(error);
          this.fail(error);
        }
        continue;
      }
      if (this.needsRoll(0, head)) {
        try {
          await this.rollTo(head.firstOffset);
        } catch (err) {
          this.fail(storageError(this.p, 'segment roll', err));
          continue;
        }
      }
      await this.writeGroup(this.takeGroup());
    }
  }

  /** Leading queued appends that go to the active segment together. */
  private takeGroup(): Pending[] {
    const group = [this.queue.shift()!];
    let bytes = group[0]!.data!.length;
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      if (next.data === undefined || bytes + next.data.length > MAX_GROUP_BYTES) break;
      if (this.needsRoll(bytes, next)) break;
      group.push(this.queue.shift()!);
      bytes += next.data.length;
    }
    return group;
  }

  private needsRoll(pendingBytes: number, next: Pending): boolean {
    const active = activeSegment(this.p);
    if (active.isEmpty && pendingBytes === 0) return false;
    const s = this.p.settings();
    if (active.size + pendingBytes + next.data!.length > s.segmentBytes) return true;
    if (active.rollTimestamp !== undefined && next.maxTimestamp - active.rollTimestamp > s.segmentMs) {
      return true;
    }
    return next.nextOffset - 1n - active.baseOffset > MAX_RELATIVE_OFFSET;
  }

  private async writeGroup(group: Pending[]): Promise<void> {
    const active = activeSegment(this.p);
    const start = active.size;
    const began = performance.now();
    try {
      await active.file.writev(
        group.map((g) => g.data!),
        start,
      );
    } catch (err) {
      this.p.metrics.call('write', (performance.now() - began) / 1000, true);
      await this.undoWrite(group, active, start, err);
      return;
    }
    this.p.metrics.call('write', (performance.now() - began) / 1000, false);
    let position = start;
    let records = 0;
    for (const g of group) {
      for (let at = 0; at < g.data!.length;) {
        const size = g.data!.readInt32BE(at + 8) + 12;
        active.addBatch(g.data!.subarray(at, at + size), position);
        position += size;
        at += size;
      }
      records += g.records;
    }
    this.writtenEnd = group[group.length - 1]!.nextOffset;
    const settings = this.p.settings();
    if (active.dsync && syncsEveryAppend(settings) && this.onlyDirty(active)) {
      // The write itself was durable (O_DSYNC): nothing to wait for. Appends queued meanwhile went
      // into this same write, so they share its sync, which is the group commit.
      active.flushedSize = active.size;
      this.durableEnd = this.writtenEnd;
      if (this.writtenEnd > this.recoveryPoint) this.recoveryPoint = this.writtenEnd;
      this.p.highWatermark = this.writtenEnd;
      this.p.changed();
      for (const g of group) g.resolve();
      this.settleWaiters();
      return;
    }
    this.unflushedRecords += records;
    this.unflushedSince ??= Date.now();
    if (syncsEveryAppend(settings)) {
      this.afterFlush(this.writtenEnd, group);
      return;
    }
    this.p.highWatermark = this.writtenEnd;
    this.p.changed();
    if (this.unflushedRecords >= settings.flushIntervalMessages) {
      this.afterFlush(this.writtenEnd, group);
    } else {
      for (const g of group) g.resolve();
    }
  }

  /** Whether `active` is the only segment that may hold data not on disk yet. */
  private onlyDirty(active: Segment): boolean {
    if (!active.dirSynced || this.unflushedRecords > 0) return false;
    return this.p.segments.every((s) => s === active || s.flushedSize >= s.size);
  }

  /** Settles the group once an fsync covering `offset` is done. */
  private afterFlush(offset: bigint, group: readonly Pending[]): void {
    this.flushUpTo(offset).then(
      () => group.forEach((g) => g.resolve()),
      (err: Error) => group.forEach((g) => g.reject(err)),
    );
  }

  private flushUpTo(offset: bigint): Promise<void> {
    if (offset <= this.durableEnd) return Promise.resolve();
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ offset, resolve, reject }));
    if (this.flushing !== undefined) this.flushAgain = true;
    else this.startFlushes();
    return done;
  }

  private startFlushes(): void {
    this.flushing = this.runFlushes().finally(() => {
      this.flushing = undefined;
      if (this.waiters.length > 0) this.startFlushes();
    });
  }

  private async runFlushes(): Promise<void> {
    do {
      this.flushAgain = false;
      if (this.p.failure !== undefined) break;
      const target = this.writtenEnd;
      const records = this.unflushedRecords;
      const dirty = this.p.segments.filter((s) => s.flushedSize < s.size || !s.dirSynced);
      const sizes = dirty.map((s) => s.size);
      const began = performance.now();
      try {
        await Promise.all(dirty.map((s) => (s.flushedSize < s.size ? s.file.datasync() : undefined)));
        if (dirty.some((s) => !s.dirSynced)) await this.p.fs.syncDir(this.p.dir);
      } catch (err) {
        this.p.metrics.call('fsync', (performance.now() - began) / 1000, true);
        this.fail(storageError(this.p, 'fsync', err));
        break;
      }
      this.p.metrics.call('fsync', (performance.now() - began) / 1000, false);
      dirty.forEach((s, i) => {
        s.flushedSize = Math.max(s.flushedSize, sizes[i]!);
        s.dirSynced = true;
      });
      this.unflushedRecords -= records;
      if (target === this.writtenEnd) this.unflushedSince = undefined;
      this.durableEnd = target;
      if (target > this.recoveryPoint) this.recoveryPoint = target;
      if (syncsEveryAppend(this.p.settings()) && target > this.p.highWatermark) {
        this.p.highWatermark = target;
        this.p.changed();
      }
      this.settleWaiters();
    } while (this.flushAgain);
    this.settleWaiters();
  }

  private settleWaiters(): void {
    const failure = this.p.failure;
    this.waiters = this.waiters.filter((w) => {
      if (failure !== undefined) w.reject(failure);
      else if (w.offset <= this.durableEnd) w.resolve();
      else return true;
      return false;
    });
  }

  private async rollTo(baseOffset: bigint): Promise<void> {
    const old = activeSegment(this.p);
    const dsync = syncsEveryAppend(this.p.settings());
    const file = await this.p.fs.create(path.join(this.p.dir, segmentFile(baseOffset)), { dsync });
    const next = new Segment(baseOffset, file, this.p.dir, this.p.settings().indexIntervalBytes, dsync);
    if (dsync) {
      // Its directory entry must be durable before a write to it counts as durable.
      await this.p.fs.syncDir(this.p.dir);
      next.dirSynced = true;
    }
    this.p.segments.push(next);
    this.p.metrics.event('segment_roll');
    this.p.log.debug({ partition: this.p.name, baseOffset }, 'rolled a new segment');
    // The old segment is done: make it and its indexes durable in the background, as Kafka does.
    this.finishing = this.finishing.then(async () => {
      if (!old.acquire()) return; // already dropped by retention
      try {
        if (old.flushedSize < old.size) await old.file.datasync();
        old.flushedSize = old.size;
        await old.writeIndexes(this.p.fs);
        if (baseOffset > this.recoveryPoint) this.recoveryPoint = baseOffset;
      } catch (err) {
        this.fail(storageError(this.p, 'finishing a rolled segment', err));
      } finally {
        old.release();
      }
    });
  }

  /** A write failed: nothing from it on is kept, and the file goes back to where it was. */
  private async undoWrite(group: Pending[], active: Segment, start: number, err: unknown): Promise<void> {
    const error = storageError(this.p, 'write', err);
    this.p.log.error({ err, partition: this.p.name }, 'write failed; dropping the appends queued behind it');
    const dropped = [...group, ...this.queue];
    this.queue = [];
    this.nextOffset = group[0]!.firstOffset;
    try {
      await active.file.truncate(start);
    } catch (truncateErr) {
      this.fail(storageError(this.p, 'truncate after a failed write', truncateErr));
    }
    for (const g of dropped) g.reject(error);
    // On an O_DSYNC file a failed write may be a failed sync, after which the kernel may have dropped
    // what it could not write: as after a failed fsync, trust nothing until a restart recovers.
    const code = (err as NodeJS.ErrnoException).code;
    if (active.dsync && code !== 'ENOSPC' && code !== 'EDQUOT' && code !== 'EFBIG') this.fail(error);
  }

  /** An fsync or roll failed: the partition stops until a restart recovers it from disk. */
  private fail(err: Error): void {
    if (this.p.failure === undefined) {
      this.p.failure = err;
      this.p.log.error({ err, partition: this.p.name }, 'partition taken offline after an I/O failure');
    }
    const queued = this.queue;
    this.queue = [];
    for (const q of queued) q.reject(err);
    this.settleWaiters();
  }
}

import { ErrorCode } from '../protocol/error-codes.js';
import { AppendTracker } from './append-tracker.js';

/** How many recent batches per producer and partition are remembered to recognise retries (as Kafka). */
const RECENT_BATCHES = 5;
const NO_EPOCH = -1;

export interface BatchRecord {
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly baseOffset: bigint;
  /** The batch's log-append time, or -1n for CreateTime topics; a retry is answered with it. */
  readonly logAppendTimeMs: bigint;
  /** Set when only this many leading records were stored: a retry stores the rest. */
  readonly storedRecords?: number;
  /** The batch's max timestamp, for DescribeProducers; -1n when unknown. */
  readonly maxTimestamp?: bigint;
  /** Set while the batch is being appended (reserve()): settles with its record, or undefined if it failed. */
  readonly pending?: Promise<BatchRecord | undefined>;
}

/** A batch whose sequence numbers are held while its append is under way (PartitionProducers.reserve). */
export interface Reservation {
  readonly producerId: bigint;
  readonly record: BatchRecord;
}

/** How each reserved batch's `pending` promise is settled. */
const settlers = new WeakMap<BatchRecord, (done: BatchRecord | undefined) => void>();

/** What is kept per producer and partition; snapshots (snapshot-codec.ts) store exactly this. */
export interface ProducerEntry {
  epoch: number;
  readonly recent: BatchRecord[];
  /** Wall-clock ms of the producer's last batch here, for expiry. */
  lastSeenMs: number;
}

export type SequenceCheck =
  | { readonly kind: 'append' }
  | { readonly kind: 'resume'; readonly skip: number; readonly baseOffset: bigint }
  | { readonly kind: 'duplicate'; readonly baseOffset: bigint; readonly logAppendTimeMs: bigint }
  /** A retry of a batch whose first append has not finished: answer once it has. */
  | { readonly kind: 'pending'; readonly settled: Promise<BatchRecord | undefined> }
  | { readonly kind: 'error'; readonly errorCode: number; readonly message: string };

function inSequence(lastSeq: number, nextSeq: number): boolean {
  return nextSeq === lastSeq + 1 || (nextSeq === 0 && lastSeq === 0x7fffffff);
}

function lastSequenceOf(firstSeq: number, lastOffsetDelta: number): number {
  const last = firstSeq + lastOffsetDelta;
  return last > 0x7fffffff ? last - 0x80000000 : last;
}

/**
 * Idempotent-producer bookkeeping for one partition: the epoch and the last batches of each
 * producer id, so a retried batch is answered with its original offset instead of being stored twice.
 */
export class PartitionProducers {
  private readonly entries = new Map<bigint, ProducerEntry>();

  /** The producers known here, for a snapshot. */
  get producers(): ReadonlyMap<bigint, ProducerEntry> {
    return this.entries;
  }

  /** Takes a producer's state from a snapshot. */
  restore(producerId: bigint, entry: ProducerEntry): void {
    this.entries.set(producerId, entry);
  }

  /**
   * A batch read back from the log after a restart: recorded unless the state already holds it or a
   * later batch of the same producer (the log tail is replayed from before the snapshot was taken).
   */
  replay(
    producerId: bigint,
    epoch: number,
    firstSeq: number,
    lastOffsetDelta: number,
    baseOffset: bigint,
    logAppendTimeMs: bigint,
  ): void {
    const entry = this.entries.get(producerId);
    const last = entry?.recent[entry.recent.length - 1];
    if (
      entry !== undefined &&
      (epoch < entry.epoch || (last !== undefined && baseOffset <= last.baseOffset))
    ) {
      return;
    }
    this.record(producerId, epoch, firstSeq, lastOffsetDelta, baseOffset, logAppendTimeMs);
  }

  /** Forgets producers idle since before `cutoffMs` (Kafka's producer.id.expiration.ms). */
  expire(cutoffMs: number): void {
    for (const [id, entry] of this.entries) if (entry.lastSeenMs < cutoffMs) this.entries.delete(id);
  }

  check(producerId: bigint, epoch: number, firstSeq: number, lastOffsetDelta: number): SequenceCheck {
    const entry = this.entries.get(producerId);
    const currentEpoch = entry?.epoch ?? NO_EPOCH;
    if (epoch < currentEpoch) {
      return {
        kind: 'error',
        errorCode: ErrorCode.INVALID_PRODUCER_EPOCH,
        message: `Producer ${producerId} epoch ${epoch} is older than the current epoch ${currentEpoch}`,
      };
    }
    const lastSeq = lastSequenceOf(firstSeq, lastOffsetDelta);
    if (entry !== undefined && epoch === currentEpoch) {
      const dup = entry.recent.find((b) => b.firstSeq === firstSeq && b.lastSeq === lastSeq);
      if (dup?.pending !== undefined) return { kind: 'pending', settled: dup.pending };
      if (dup?.storedRecords !== undefined) {
        return { kind: 'resume', skip: dup.storedRecords, baseOffset: dup.baseOffset };
      }
      if (dup !== undefined) {
        return { kind: 'duplicate', baseOffset: dup.baseOffset, logAppendTimeMs: dup.logAppendTimeMs };
      }
      const last = entry.recent[entry.recent.length - 1];
      if (last !== undefined && !inSequence(last.lastSeq, firstSeq)) {
        return {
          kind: 'error',
          errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
          message: `Out of order sequence number for producer ${producerId}: ${firstSeq} (incoming seq) after ${last.lastSeq} (last seq)`,
        };
      }
      return { kind: 'append' };
    }
    // A new epoch must start from sequence 0; a producer we hold nothing for may start anywhere
    // (its earlier batches may have been removed by retention or DeleteRecords).
    if (entry !== undefined && firstSeq !== 0) {
      return {
        kind: 'error',
        errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        message: `Invalid sequence number for new epoch of producer ${producerId}: ${epoch} (request epoch), ${firstSeq} (seq. number), ${currentEpoch} (current producer epoch)`,
      };
    }
    return { kind: 'append' };
  }

  record(
    producerId: bigint,
    epoch: number,
    firstSeq: number,
    lastOffsetDelta: number,
    baseOffset: bigint,
    logAppendTimeMs = -1n,
    maxTimestamp = -1n,
  ): void {
    this.remember(producerId, epoch, {
      firstSeq,
      lastSeq: lastSequenceOf(firstSeq, lastOffsetDelta),
      baseOffset,
      logAppendTimeMs,
      maxTimestamp,
    });
  }

  /**
   * A batch whose append failed after its first `storedRecords` records were stored from `baseOffset`:
   * the producer retries the whole batch, and check() then says to resume after those records.
   */
  recordPartial(
    producerId: bigint,
    epoch: number,
    firstSeq: number,
    lastOffsetDelta: number,
    storedRecords: number,
    baseOffset: bigint,
  ): void {
    this.remember(producerId, epoch, {
      firstSeq,
      lastSeq: lastSequenceOf(firstSeq, lastOffsetDelta),
      baseOffset,
      logAppendTimeMs: -1n,
      storedRecords,
    });
  }

  /**
   * A transaction marker written with `epoch` (Kafka's ProducerStateEntry.update): from now on older
   * epochs of the producer are refused here, and a newer epoch starts its sequences afresh.
   */
  fence(producerId: bigint, epoch: number): void {
    const entry = this.entries.get(producerId);
    if (entry === undefined) this.entries.set(producerId, { epoch, recent: [], lastSeenMs: Date.now() });
    else if (epoch > entry.epoch) {
      entry.epoch = epoch;
      entry.recent.length = 0;
    }
  }

  /** The producers remembered here, for DescribeProducers. */
  describe(): { producerId: bigint; epoch: number; lastSequence: number; lastTimestamp: bigint }[] {
    return [...this.entries].map(([producerId, e]) => {
      const last = e.recent[e.recent.length - 1];
      return {
        producerId,
        epoch: e.epoch,
        lastSequence: last?.lastSeq ?? -1,
        lastTimestamp: last?.maxTimestamp ?? -1n,
      };
    });
  }

  /**
   * Holds a batch's sequence numbers while its append is under way, so the producer's next request,
   * handled before this one finishes (pipelined), checks against it. Settle it with record() (which
   * replaces it) or with release() when the append failed.
   */
  reserve(producerId: bigint, epoch: number, firstSeq: number, lastOffsetDelta: number): Reservation {
    let settle!: (done: BatchRecord | undefined) => void;
    const pending = new Promise<BatchRecord | undefined>((resolve) => (settle = resolve));
    const lastSeq = lastSequenceOf(firstSeq, lastOffsetDelta);
    const record: BatchRecord = { firstSeq, lastSeq, baseOffset: -1n, logAppendTimeMs: -1n, pending };
    settlers.set(record, settle);
    this.remember(producerId, epoch, record);
    return { producerId, record };
  }

  /**
   * The reserved batch was not stored: forget it, and the producer's batches reserved after it (the
   * store fails every append queued behind a failed one).
   */
  release(r: Reservation): void {
    const recent = this.entries.get(r.producerId)?.recent;
    const at = recent?.indexOf(r.record) ?? -1;
    const dropped = recent !== undefined && at >= 0 ? recent.splice(at) : [r.record];
    for (const b of dropped) settlers.get(b)?.(undefined);
  }

  /** Producer ids this partition keeps state for. */
  get producerCount(): number {
    return this.entries.size;
  }

  private remember(producerId: bigint, epoch: number, batch: BatchRecord): void {
    let entry = this.entries.get(producerId);
    if (entry === undefined || entry.epoch !== epoch) {
      entry = { epoch, recent: [], lastSeenMs: 0 };
      this.entries.set(producerId, entry);
    }
    entry.lastSeenMs = Date.now();
    // A batch recorded again replaces what was known of it, in place (a reservation becoming a
    // stored batch, a partial store becoming whole): later batches stay after it.
    const i = entry.recent.findIndex((b) => b.firstSeq === batch.firstSeq && b.lastSeq === batch.lastSeq);
    if (i >= 0) {
      const before = entry.recent[i]!;
      entry.recent[i] = batch;
      if (before !== batch) settlers.get(before)?.(batch);
      return;
    }
    entry.recent.push(batch);
    if (entry.recent.length > RECENT_BATCHES) entry.recent.shift();
  }
}

/** Producer-id allocation and per-partition sequence state for the whole gateway. */
export class ProducerRegistry {
  private nextId: bigint;
  private readonly partitions = new Map<string, PartitionProducers>();
  /** Appends in flight and partitions appended to, for snapshots (snapshots.ts). */
  readonly appends = new AppendTracker();
  /** Set while state is restored after a restart: resolves when the partition's state is complete. */
  loading: ((topicId: string, partition: number) => Promise<void>) | undefined;

  constructor(firstId = 1000n) {
    this.nextId = firstId;
  }

  /** Never hand out an id a restored producer already has. */
  reserveIdsUpTo(id: bigint): void {
    if (id >= this.nextId) this.nextId = id + 1n;
  }

  /** The partition's state, once any restoring of it after a restart is done. */
  async ready(topicId: string, partition: number): Promise<PartitionProducers> {
    if (this.loading !== undefined) await this.loading(topicId, partition);
    return this.partition(topicId, partition);
  }

  /** Every partition holding state, by "topicId:partition". */
  get all(): ReadonlyMap<string, PartitionProducers> {
    return this.partitions;
  }

  /** Forgets a partition's state (its topic is gone). */
  drop(topicId: string, partition: number): void {
    this.partitions.delete(`${topicId}:${partition}`);
  }

  allocate(): bigint {
    const id = this.nextId;
    this.nextId += 1n;
    return id;
  }

  /** The partition's producer state if any producer has written to it. */
  existing(topicId: string, partition: number): PartitionProducers | undefined {
    return this.partitions.get(`${topicId}:${partition}`);
  }

  /** Producer ids with state, summed over partitions (Kafka's ProducerIdCount). */
  producerIdCount(): number {
    let n = 0;
    for (const p of this.partitions.values()) n += p.producerCount;
    return n;
  }

  partition(topicId: string, partition: number): PartitionProducers {
    const key = `${topicId}:${partition}`;
    let p = this.partitions.get(key);
    if (p === undefined) {
      p = new PartitionProducers();
      this.partitions.set(key, p);
    }
    return p;
  }
}

/**
 * The transaction index of every partition that has taken part in a transaction, kept in step with
 * the log: fed by this gateway's appends (data and markers) and, for whatever it did not append
 * itself (a restart, another gateway on the same store), by reading the log from where it stopped.
 * A partition enters when it is first added to a transaction, before any transactional data reaches
 * it; partitions that never do pay one map look-up per append and per fetch.
 */
import type { Logger } from 'pino';
import type { Cancel, Timers } from '../groups/time.js';
import { ErrorCode, isKafkaError } from '../protocol/error-codes.js';
import type { RecordBatch } from '../protocol/records/batch.js';
import type { ReadResult, Storage, TopicInfo } from '../storage/storage.js';
import { anyTransactional, headersOfAppend, headersOfStored } from './batch-headers.js';
import type { PartitionTracker } from './coordinator.js';
import {
  decodePartition,
  encodePartition,
  partitionKvKey,
  TXN_PARTITIONS_NAMESPACE,
} from './partition-codec.js';
import { PartitionTxnState, type AbortedTxn, type OngoingTxn } from './partition-state.js';
import type { TopicPartition } from './types.js';

/** How much of the log one catch-up read asks for. */
const SCAN_BYTES = 1024 * 1024;

interface Tracked {
  readonly topic: string;
  readonly topicId: string;
  readonly partition: number;
  readonly state: PartitionTxnState;
  dirty: boolean;
  catchingUp: Promise<boolean> | undefined;
}

export interface IsolatedRead {
  readonly batches: Buffer[];
  readonly lastStableOffset: bigint;
  readonly abortedTransactions: readonly AbortedTxn[];
}

export interface TxnPartitionsOptions {
  readonly logger: Logger;
  readonly timers: Timers;
  readonly snapshotIntervalMs: number;
}

export class TxnPartitions implements PartitionTracker {
  private readonly tracked = new Map<string, Tracked>();
  private readonly adding = new Map<string, Promise<Tracked | undefined>>();
  private timer: Cancel | undefined;
  private closed = false;

  constructor(
    private readonly storage: Storage,
    private readonly options: TxnPartitionsOptions,
  ) {}

  /** Reads the saved indexes of live topics (each is brought up to date when first used). */
  async load(): Promise<void> {
    const [stored, topics] = await Promise.all([
      this.storage.kvList(TXN_PARTITIONS_NAMESPACE),
      this.storage.listTopics(),
    ]);
    const live = new Set(topics.map((t) => t.id));
    for (const [key, bytes] of stored) {
      try {
        const p = decodePartition(bytes);
        if (live.has(p.topicId))
          this.adopt(p.topic, p.topicId, p.partition, new PartitionTxnState(p.snapshot));
        else await this.storage.kvDelete(TXN_PARTITIONS_NAMESPACE, key);
      } catch (err) {
        this.options.logger.error({ err, key }, 'ignoring unreadable stored transaction index');
      }
    }
    this.scheduleSnapshots();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.timer?.();
    await this.saveSnapshots();
  }

  get size(): number {
    return this.tracked.size;
  }

  /** Adds partitions about to take part in a transaction (AddPartitionsToTxn, before it is answered). */
  async track(partitions: readonly TopicPartition[]): Promise<void> {
    await Promise.all(
      partitions.map(async (tp) => {
        const topic = await this.storage.describeTopic(tp.topic);
        if (topic === undefined || tp.partition < 0 || tp.partition >= topic.partitions) return;
        await this.ensure(topic, tp.partition, 'highWatermark');
      }),
    );
  }

  /** Whether a partition has a transaction index (the append and fetch paths branch on this). */
  isTracked(topicId: string, partition: number): boolean {
    return this.tracked.has(partitionKvKey(topicId, partition));
  }

  hasOngoing(topicId: string, partition: number, producerId: bigint): boolean {
    return this.tracked.get(partitionKvKey(topicId, partition))?.state.hasOngoing(producerId) ?? false;
  }

  ongoing(topicId: string, partition: number): readonly OngoingTxn[] {
    return this.tracked.get(partitionKvKey(topicId, partition))?.state.ongoing ?? [];
  }

  /** Feeds an append's batches (stored from baseOffset on) to the partition's index. */
  onAppend(topic: TopicInfo, partition: number, baseOffset: bigint, batches: readonly RecordBatch[]): void {
    const t = this.tracked.get(partitionKvKey(topic.id, partition));
    if (t !== undefined) {
      t.state.feed(headersOfAppend(batches, baseOffset));
      t.dirty = true;
    } else if (batches.some((b) => b.isTransactional)) {
      // Another gateway added the partition to the transaction: read its index before it is needed.
      void this.ensure(topic, partition, 'logStart').catch((err: unknown) =>
        this.options.logger.warn({ err, topic: topic.name, partition }, 'cannot load transaction index'),
      );
    }
  }

  /** The last stable offset as far as this gateway knows it, without reading the log (read_uncommitted). */
  knownLastStableOffset(topicId: string, partition: number, read: ReadResult): bigint {
    const t = this.tracked.get(partitionKvKey(topicId, partition));
    return t === undefined
      ? read.highWatermark
      : t.state.lastStableOffset(read.highWatermark, read.logStartOffset);
  }

  /** Whether a read_committed read of these batches must go through isolate() (else it is all stable). */
  needsIsolation(topicId: string, partition: number, batches: readonly Buffer[]): boolean {
    return this.tracked.has(partitionKvKey(topicId, partition)) || anyTransactional(batches);
  }

  /**
   * A read for a read_committed consumer: only batches below the last stable offset, and the aborted
   * transactions among them. The index is brought up to date with the log first.
   */
  async isolate(
    topic: TopicInfo,
    partition: number,
    fetchOffset: bigint,
    read: ReadResult,
  ): Promise<IsolatedRead> {
    let t = this.tracked.get(partitionKvKey(topic.id, partition));
    if (t === undefined) {
      if (!anyTransactional(read.batches)) {
        return { batches: read.batches, lastStableOffset: read.highWatermark, abortedTransactions: [] };
      }
      t = await this.ensure(topic, partition, 'logStart');
      if (t === undefined) throw new Error(`no transaction index for ${topic.name}-${partition}`);
    }
    if (read.batches.length > 0 && read.batches[0]!.readBigInt64BE(0) <= t.state.nextOffset) {
      t.state.feed(headersOfStored(read.batches));
      t.dirty = true;
    }
    await this.catchUp(t, read.highWatermark, read.logStartOffset);
    const lso = t.state.lastStableOffset(read.highWatermark, read.logStartOffset);
    const batches = read.batches.filter((b) => b.readBigInt64BE(0) < lso);
    const last = batches[batches.length - 1];
    const end = last === undefined ? fetchOffset : last.readBigInt64BE(0) + BigInt(last.readInt32BE(23)) + 1n;
    return { batches, lastStableOffset: lso, abortedTransactions: t.state.abortedBetween(fetchOffset, end) };
  }

  /** The last stable offset, with the index brought up to date (ListOffsets for read_committed). */
  async lastStableOffset(topic: TopicInfo, partition: number): Promise<bigint> {
    const offsets = await this.storage.offsets(topic.name, partition);
    const t = this.tracked.get(partitionKvKey(topic.id, partition));
    if (t === undefined) return offsets.highWatermark;
    await this.catchUp(t, offsets.highWatermark, offsets.logStartOffset);
    return t.state.lastStableOffset(offsets.highWatermark, offsets.logStartOffset);
  }

  /** Saves the indexes that changed since they were last saved. */
  async saveSnapshots(): Promise<void> {
    const dirty = [...this.tracked.values()].filter((t) => t.dirty);
    await Promise.all(dirty.map((t) => this.save(t)));
  }

  /**
   * The partition's index: this gateway's, else the one saved in the store, else a new one starting at
   * the high watermark (a partition about to get its first transaction) or at the log start (one
   * found to hold transactional data already).
   */
  private ensure(
    topic: TopicInfo,
    partition: number,
    from: 'highWatermark' | 'logStart',
  ): Promise<Tracked | undefined> {
    const key = partitionKvKey(topic.id, partition);
    const have = this.tracked.get(key);
    if (have !== undefined) return Promise.resolve(have);
    let adding = this.adding.get(key);
    if (adding === undefined) {
      adding = this.add(topic, partition, from).finally(() => this.adding.delete(key));
      this.adding.set(key, adding);
    }
    return adding;
  }

  private async add(
    topic: TopicInfo,
    partition: number,
    from: 'highWatermark' | 'logStart',
  ): Promise<Tracked> {
    const key = partitionKvKey(topic.id, partition);
    const stored = await this.storage.kvGet(TXN_PARTITIONS_NAMESPACE, key);
    if (stored !== undefined) {
      const p = decodePartition(stored);
      return this.adopt(topic.name, topic.id, partition, new PartitionTxnState(p.snapshot));
    }
    const offsets = await this.storage.offsets(topic.name, partition);
    const nextOffset = from === 'highWatermark' ? offsets.highWatermark : offsets.logStartOffset;
    const state = new PartitionTxnState({ nextOffset, ongoing: [], aborted: [] });
    // Saved before the partition's first transactional batch can be appended, so a restarted or
    // second gateway knows where to start reading.
    await this.storage.kvPut(
      TXN_PARTITIONS_NAMESPACE,
      key,
      encodePartition({ topic: topic.name, topicId: topic.id, partition, snapshot: state.snapshot() }),
    );
    return this.adopt(topic.name, topic.id, partition, state);
  }

  private adopt(topic: string, topicId: string, partition: number, state: PartitionTxnState): Tracked {
    const key = partitionKvKey(topicId, partition);
    const have = this.tracked.get(key);
    if (have !== undefined) return have;
    const t: Tracked = { topic, topicId, partition, state, dirty: false, catchingUp: undefined };
    this.tracked.set(key, t);
    return t;
  }

  /** Reads the log up to the high watermark where the index has not been fed; one reader at a time. */
  private async catchUp(t: Tracked, highWatermark: bigint, logStartOffset: bigint): Promise<void> {
    if (t.state.nextOffset < logStartOffset) t.state.skipTo(logStartOffset);
    while (t.state.nextOffset < highWatermark) {
      t.catchingUp ??= this.scan(t, highWatermark).finally(() => (t.catchingUp = undefined));
      if (!(await t.catchingUp)) return;
    }
  }

  /** One pass of reads from the index's next offset; false when the log gave nothing more. */
  private async scan(t: Tracked, highWatermark: bigint): Promise<boolean> {
    let progressed = false;
    while (t.state.nextOffset < highWatermark) {
      const from = t.state.nextOffset;
      let batches: Buffer[];
      try {
        batches = (await this.storage.read(t.topic, t.partition, from, SCAN_BYTES)).batches;
      } catch (err) {
        if (!isKafkaError(err) || err.code !== ErrorCode.OFFSET_OUT_OF_RANGE) throw err;
        const offsets = await this.storage.offsets(t.topic, t.partition);
        if (offsets.logStartOffset <= from) throw err;
        t.state.skipTo(offsets.logStartOffset);
        progressed = true;
        continue;
      }
      if (batches.length === 0) break;
      t.state.feed(headersOfStored(batches));
      t.dirty = true;
      if (t.state.nextOffset <= from) break;
      progressed = true;
    }
    return progressed;
  }

  private async save(t: Tracked): Promise<void> {
    t.dirty = false;
    try {
      await this.storage.kvPut(
        TXN_PARTITIONS_NAMESPACE,
        partitionKvKey(t.topicId, t.partition),
        encodePartition({
          topic: t.topic,
          topicId: t.topicId,
          partition: t.partition,
          snapshot: t.state.snapshot(),
        }),
      );
    } catch (err) {
      t.dirty = true;
      this.options.logger.warn(
        { err, topic: t.topic, partition: t.partition },
        'cannot save transaction index',
      );
    }
  }

  private scheduleSnapshots(): void {
    if (this.closed) return;
    this.timer = this.options.timers.schedule(this.options.snapshotIntervalMs, () => {
      void this.saveSnapshots().finally(() => this.scheduleSnapshots());
    });
  }
}

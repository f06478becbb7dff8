import type { TopicPartition } from './types.js';

export interface OffsetEntry {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly leaderEpoch: number;
  readonly metadata: string | null;
  readonly commitTimestampMs: number;
  /**
   * Explicit expiry from OffsetCommit v2-4 retention_time_ms. Kept in memory only: the storage interface
   * has no field for it, so after a restart such offsets fall back to the broker retention.
   */
  readonly expireTimestampMs: number | undefined;
}

function keyOf(topic: string, partition: number): string {
  return `${partition}:${topic}`;
}

/**
 * A group's committed offsets as cached in memory, plus the commits still being written (counted per
 * partition, because OffsetFetch with require_stable must report those as UNSTABLE_OFFSET_COMMIT).
 */
export class GroupOffsets {
  private readonly committed = new Map<string, OffsetEntry>();
  private readonly pending = new Map<string, { tp: TopicPartition; count: number }>();
  /** Transactional commits (TxnOffsetCommit) by producer id, applied or dropped when the transaction ends. */
  private readonly txn = new Map<bigint, Map<string, OffsetEntry>>();

  get size(): number {
    return this.committed.size;
  }

  /** Kafka keeps an Empty group alive while it has offsets, committed or in flight. */
  hasOffsets(): boolean {
    return this.committed.size > 0 || this.pending.size > 0 || this.txn.size > 0;
  }

  get(topic: string, partition: number): OffsetEntry | undefined {
    return this.committed.get(keyOf(topic, partition));
  }

  /** Sorted by topic then partition, so answers are reproducible. */
  all(): OffsetEntry[] {
    return [...this.committed.values()].sort((a, b) =>
      a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1,
    );
  }

  isPending(topic: string, partition: number): boolean {
    return this.pending.has(keyOf(topic, partition));
  }

  /** An open transaction holds an offset for the partition (OffsetFetch require_stable refuses it). */
  isPendingTxn(topic: string, partition: number): boolean {
    const k = keyOf(topic, partition);
    for (const entries of this.txn.values()) if (entries.has(k)) return true;
    return false;
  }

  /** Adds a producer's transactional offsets; returns all it now holds for the group. */
  stageTxn(producerId: bigint, entries: readonly OffsetEntry[]): OffsetEntry[] {
    let held = this.txn.get(producerId);
    if (held === undefined) {
      held = new Map();
      this.txn.set(producerId, held);
    }
    for (const e of entries) held.set(keyOf(e.topic, e.partition), e);
    return [...held.values()];
  }

  txnOffsets(producerId: bigint): OffsetEntry[] {
    return [...(this.txn.get(producerId)?.values() ?? [])];
  }

  txnProducers(): bigint[] {
    return [...this.txn.keys()];
  }

  /** Ends the producer's transaction: its offsets become committed ones, or are dropped. */
  completeTxn(producerId: bigint, commit: boolean): void {
    const held = this.txn.get(producerId);
    if (held === undefined) return;
    this.txn.delete(producerId);
    if (commit) for (const [k, e] of held) this.committed.set(k, e);
  }

  initialize(entries: Iterable<OffsetEntry>): void {
    for (const e of entries) this.committed.set(keyOf(e.topic, e.partition), e);
  }

  stage(entries: readonly OffsetEntry[]): void {
    for (const e of entries) {
      const k = keyOf(e.topic, e.partition);
      const p = this.pending.get(k);
      if (p === undefined) this.pending.set(k, { tp: { topic: e.topic, partition: e.partition }, count: 1 });
      else p.count++;
    }
  }

  /** Every partition with an offset, committed or in flight. */
  partitions(): TopicPartition[] {
    const out = new Map<string, TopicPartition>();
    for (const [k, e] of this.committed) out.set(k, { topic: e.topic, partition: e.partition });
    for (const [k, p] of this.pending) out.set(k, p.tp);
    return [...out.values()];
  }

  /**
   * Ends an in-flight commit. The entry lands in the cache only if it is still pending: an OffsetDelete
   * or group deletion issued meanwhile wins, as in Kafka.
   */
  complete(entries: readonly OffsetEntry[], succeeded: boolean): void {
    for (const e of entries) {
      const k = keyOf(e.topic, e.partition);
      const p = this.pending.get(k);
      if (p === undefined) continue;
      if (succeeded) this.committed.set(k, e);
      if (p.count <= 1) this.pending.delete(k);
      else p.count--;
    }
  }

  /** Removes the given partitions (committed and pending); returns the committed ones removed. */
  remove(partitions: Iterable<TopicPartition>): OffsetEntry[] {
    const removed: OffsetEntry[] = [];
    for (const tp of partitions) {
      const k = keyOf(tp.topic, tp.partition);
      this.pending.delete(k);
      const e = this.committed.get(k);
      if (e !== undefined) {
        this.committed.delete(k);
        removed.push(e);
      }
    }
    return removed;
  }

  removeAll(): OffsetEntry[] {
    return this.remove(this.partitions());
  }

  removeTopics(topics: ReadonlySet<string>): OffsetEntry[] {
    return this.remove(this.partitions().filter((tp) => topics.has(tp.topic)));
  }

  /**
   * Removes and returns the offsets whose retention has passed: measured from `baseTimestamp(entry)`, or
   * from the explicit expiry when the commit carried one. Offsets of `keepTopics` and in-flight ones stay.
   */
  expire(
    now: number,
    retentionMs: number,
    baseTimestamp: (e: OffsetEntry) => number,
    keepTopics: ReadonlySet<string> = new Set(),
  ): OffsetEntry[] {
    const expired = [...this.committed.values()].filter((e) => {
      if (keepTopics.has(e.topic) || this.isPending(e.topic, e.partition)) return false;
      if (e.expireTimestampMs !== undefined) return now >= e.expireTimestampMs;
      return now - baseTimestamp(e) >= retentionMs;
    });
    for (const e of expired) this.committed.delete(keyOf(e.topic, e.partition));
    return expired;
  }
}

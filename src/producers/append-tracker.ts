/**
 * Which partitions were appended to since the last producer-state snapshot, and which appends are
 * still between reaching the store and being recorded in the producer state. A snapshot may only
 * claim "the log up to offset X is reflected here" once every append that could lie below X has
 * been recorded; the snapshot writer (snapshots.ts) asks oldestInFlight() to know that.
 */
export interface AppendedPartition {
  readonly topicId: string;
  readonly topic: string;
  readonly partition: number;
}

export class AppendTracker {
  /** Appends in flight, counted by the epoch they started in; epochs only grow, so the first key is the oldest. */
  private readonly inFlight = new Map<number, number>();
  private epoch = 0;
  private touched = new Map<string, AppendedPartition>();

  /** Call before handing an idempotent producer's batches to the store; pass the token to end(). */
  begin(): number {
    const e = this.epoch;
    this.inFlight.set(e, (this.inFlight.get(e) ?? 0) + 1);
    return e;
  }

  /** Call once any append settled (and an idempotent one's batches were recorded, or it failed). */
  end(token: number | undefined, topicId: string, topic: string, partition: number): void {
    if (token !== undefined) {
      const left = (this.inFlight.get(token) ?? 1) - 1;
      if (left > 0) this.inFlight.set(token, left);
      else this.inFlight.delete(token);
    }
    this.touch({ topicId, topic, partition });
  }

  /** Marks a partition for the next snapshot. */
  touch(p: AppendedPartition): void {
    this.touched.set(`${p.topicId}:${p.partition}`, p);
  }

  /** Starts a new epoch: appends begun from now on carry it. Returns it. */
  nextEpoch(): number {
    return ++this.epoch;
  }

  /** Epoch of the oldest append still in flight, or undefined. */
  oldestInFlight(): number | undefined {
    return this.inFlight.keys().next().value;
  }

  /** Partitions appended to since the last call. */
  takeTouched(): AppendedPartition[] {
    const out = [...this.touched.values()];
    this.touched = new Map();
    return out;
  }
}

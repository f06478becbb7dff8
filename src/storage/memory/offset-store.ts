/** Committed consumer-group offsets, per group, per topic-partition. */
import type { CommittedOffset } from '../storage.js';

export class OffsetStore {
  /** group → topic → partition → offset */
  private readonly groups = new Map<string, Map<string, Map<number, CommittedOffset>>>();

  commit(group: string, offsets: readonly CommittedOffset[]): void {
    let topics = this.groups.get(group);
    if (topics === undefined) {
      topics = new Map();
      this.groups.set(group, topics);
    }
    for (const o of offsets) {
      let partitions = topics.get(o.topic);
      if (partitions === undefined) {
        partitions = new Map();
        topics.set(o.topic, partitions);
      }
      // A copy: the caller's object may be a reused request struct.
      partitions.set(o.partition, {
        topic: o.topic,
        partition: o.partition,
        offset: o.offset,
        leaderEpoch: o.leaderEpoch,
        metadata: o.metadata,
        commitTimestampMs: o.commitTimestampMs,
      });
    }
    if (topics.size === 0) this.groups.delete(group);
  }

  /** The group's offsets sorted by topic, then partition. */
  fetch(group: string): CommittedOffset[] {
    const topics = this.groups.get(group);
    if (topics === undefined) return [];
    const out: CommittedOffset[] = [];
    for (const topic of [...topics.keys()].sort()) {
      const partitions = topics.get(topic)!;
      for (const p of [...partitions.keys()].sort((a, b) => a - b)) out.push({ ...partitions.get(p)! });
    }
    return out;
  }

  delete(group: string, partitions: readonly { topic: string; partition: number }[]): void {
    const topics = this.groups.get(group);
    if (topics === undefined) return;
    for (const { topic, partition } of partitions) {
      const byPartition = topics.get(topic);
      if (byPartition === undefined) continue;
      byPartition.delete(partition);
      if (byPartition.size === 0) topics.delete(topic);
    }
    if (topics.size === 0) this.groups.delete(group);
  }

  /** Forgets every group's offsets for a deleted topic, as Kafka does. */
  deleteTopic(topic: string): void {
    for (const [group, topics] of this.groups) {
      topics.delete(topic);
      if (topics.size === 0) this.groups.delete(group);
    }
  }

  /** Groups holding at least one committed offset. */
  groupIds(): string[] {
    return [...this.groups.keys()];
  }
}

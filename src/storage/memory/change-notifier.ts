/**
 * One-shot change listeners per partition, for long-polling fetches. A partition's listeners are
 * detached before they run, and unsubscribing removes empty sets and maps, so nothing accumulates
 * for partitions nobody waits on.
 */
import type { Unsubscribe } from '../storage.js';

/** A wrapper per subscription, so the same function subscribed twice is two subscriptions. */
interface Subscription {
  readonly listener: () => void;
}

export class ChangeNotifier {
  private readonly topics = new Map<string, Map<number, Set<Subscription>>>();

  constructor(private readonly onListenerError: (err: unknown) => void) {}

  subscribe(topic: string, partition: number, listener: () => void): Unsubscribe {
    let partitions = this.topics.get(topic);
    if (partitions === undefined) {
      partitions = new Map();
      this.topics.set(topic, partitions);
    }
    let subs = partitions.get(partition);
    if (subs === undefined) {
      subs = new Set();
      partitions.set(partition, subs);
    }
    const sub: Subscription = { listener };
    subs.add(sub);
    return () => this.remove(topic, partition, sub);
  }

  notify(topic: string, partition: number): void {
    const partitions = this.topics.get(topic);
    const subs = partitions?.get(partition);
    if (partitions === undefined || subs === undefined) return;
    partitions.delete(partition);
    if (partitions.size === 0) this.topics.delete(topic);
    this.run(subs);
  }

  /** Wakes every listener of the topic (it was deleted). */
  notifyTopic(topic: string): void {
    const partitions = this.topics.get(topic);
    if (partitions === undefined) return;
    this.topics.delete(topic);
    for (const subs of partitions.values()) this.run(subs);
  }

  notifyAll(): void {
    for (const topic of [...this.topics.keys()]) this.notifyTopic(topic);
  }

  /** Subscriptions still waiting (to check that nothing leaks). */
  get size(): number {
    let n = 0;
    for (const partitions of this.topics.values()) for (const subs of partitions.values()) n += subs.size;
    return n;
  }

  private remove(topic: string, partition: number, sub: Subscription): void {
    const partitions = this.topics.get(topic);
    const subs = partitions?.get(partition);
    // After a notify the set is detached, so a late unsubscribe finds nothing: that is fine.
    if (partitions === undefined || subs === undefined || !subs.delete(sub)) return;
    if (subs.size === 0) partitions.delete(partition);
    if (partitions.size === 0) this.topics.delete(topic);
  }

  private run(subs: Set<Subscription>): void {
    // A throwing listener must neither undo the change that fired it nor starve the others.
    for (const sub of subs) {
      try {
        sub.listener();
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }
}

/**
 * Topic metadata as read from the filer (topic.conf + kafka-gateway.json), reused for topicCacheMs.
 * Changes made through this gateway replace or drop the entry at once.
 */
import { ErrorCode, KafkaError } from '../../protocol/error-codes.js';
import type { PartitionRoute } from './routes.js';
import type { Topics, TopicState } from './topics.js';

export class TopicCache {
  private readonly entries = new Map<string, { state: TopicState; at: number }>();

  constructor(
    private readonly topics: Topics,
    private readonly ttlMs: number,
    /** Runs before a route is handed out for a broker call (partition-guard.ts). */
    private readonly beforeUse: (topic: string, route: PartitionRoute) => Promise<void> = async () => {},
  ) {}

  async state(topic: string): Promise<TopicState> {
    const cached = this.entries.get(topic);
    if (cached !== undefined && Date.now() - cached.at < this.ttlMs) return cached.state;
    const state = await this.topics.require(topic);
    this.entries.set(topic, { state, at: Date.now() });
    return state;
  }

  /** The cached state when it is still fresh, without reading the filer. */
  fresh(topic: string): TopicState | undefined {
    const cached = this.entries.get(topic);
    return cached !== undefined && Date.now() - cached.at < this.ttlMs ? cached.state : undefined;
  }

  set(topic: string, state: TopicState): void {
    this.entries.set(topic, { state, at: Date.now() });
  }

  forget(topic: string): void {
    this.entries.delete(topic);
  }

  async route(topic: string, partition: number): Promise<PartitionRoute> {
    const valid = Number.isInteger(partition) && partition >= 0;
    let state = await this.state(topic);
    let route = valid ? state.routes[partition] : undefined;
    if (route === undefined && valid && partition >= state.routes.length) {
      // Another gateway may have added partitions since we looked.
      this.forget(topic);
      state = await this.state(topic);
      route = state.routes[partition];
    }
    if (route === undefined) {
      throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown partition ${topic}-${partition}`);
    }
    if (!route.leader) {
      void this.topics.repair(topic);
      this.forget(topic);
      throw new KafkaError(
        ErrorCode.LEADER_NOT_AVAILABLE,
        `no SeaweedMQ broker leads ${topic}-${partition} yet`,
      );
    }
    await this.beforeUse(topic, route);
    return route;
  }

  /** The log start set by DeleteRecords (SeaweedMQ itself deletes nothing). */
  async logicalStart(topic: string, partition: number): Promise<bigint> {
    const s = (await this.state(topic)).meta.logStart?.[String(partition)];
    return s === undefined ? 0n : BigInt(s);
  }
}

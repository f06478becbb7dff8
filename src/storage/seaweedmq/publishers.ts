/** The PublishMessage streams of this gateway: one per partition, to that partition's leader. */
import { ErrorCode, KafkaError } from '../../protocol/error-codes.js';
import type { Discovery } from './discovery.js';
import type { PbTopic } from './proto.js';
import { H2Sessions, H2Stream } from './h2-stream.js';
import { PartitionPublisher, type OpenPublishStream } from './publisher.js';
import type { PartitionRoute } from './routes.js';
import type { ClientPool } from './rpc.js';
import type { TopicCache } from './topic-cache.js';
import type { Topics } from './topics.js';

const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`;
const UNLOAD_CONCURRENCY = 16;
const PUBLISH_PATH = '/messaging_pb.SeaweedMessaging/PublishMessage';

export function isRoutingError(code: number): boolean {
  return (
    code === ErrorCode.NOT_LEADER_OR_FOLLOWER ||
    code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION ||
    code === ErrorCode.LEADER_NOT_AVAILABLE
  );
}

export class Publishers {
  private readonly streams = new Map<string, PartitionPublisher>();
  private readonly checks = new WeakMap<PartitionPublisher, Promise<void>>();
  private readonly name = `kafka-gateway-${process.pid}`;
  private readonly sessions = new H2Sessions();
  private readonly openStream: OpenPublishStream = (broker, handlers) =>
    new H2Stream(this.sessions, broker, PUBLISH_PATH, handlers);

  constructor(
    private readonly pool: ClientPool,
    private readonly discovery: Discovery,
    private readonly topics: Topics,
    private readonly cache: TopicCache,
    private readonly pbTopic: (name: string) => PbTopic,
    private readonly ackTimeoutMs: number,
    /** Runs once before the first record goes out on a new stream (partition-guard.ts). */
    private readonly checkNewStream: (
      topic: string,
      partition: number,
      route: PartitionRoute,
    ) => Promise<void> = async () => {},
  ) {}

  /** A stream whose init the broker accepted, re-routed (at most twice) while nothing was sent. */
  async ready(
    topic: string,
    partition: number,
  ): Promise<{ publisher: PartitionPublisher; route: PartitionRoute }> {
    for (let attempt = 0; ; attempt++) {
      const route = await this.cache.route(topic, partition);
      const k = key(topic, partition);
      let publisher = this.streams.get(k);
      if (
        publisher === undefined ||
        publisher.isBroken ||
        publisher.broker !== route.leader ||
        publisher.partition.unix_time_ns !== route.partition.unix_time_ns
      ) {
        publisher?.close();
        publisher = new PartitionPublisher(
          this.pool,
          this.openStream,
          route.leader,
          this.pbTopic(topic),
          route.partition,
          this.name,
          this.ackTimeoutMs,
        );
        this.streams.set(k, publisher);
        this.checks.set(publisher, this.checkNewStream(topic, partition, route));
      }
      try {
        // Every append on a new stream waits for its check, not only the one that opened it.
        await this.checks.get(publisher);
        await publisher.ready();
        return { publisher, route };
      } catch (err) {
        this.failed(topic, partition, err);
        if (attempt >= 2 || !(err instanceof KafkaError) || !isRoutingError(err.code)) throw err;
      }
    }
  }

  /** Drops the partition's stream and, depending on the error, its routing or the broker list. */
  failed(topic: string, partition: number, err: unknown): void {
    this.streams.get(key(topic, partition))?.close();
    this.streams.delete(key(topic, partition));
    if (err instanceof KafkaError && isRoutingError(err.code)) {
      this.cache.forget(topic);
      void this.topics.repair(topic);
    }
    if (err instanceof KafkaError && err.code === ErrorCode.KAFKA_STORAGE_ERROR)
      void this.discovery.refresh();
  }

  closeTopic(topic: string): void {
    for (const [k, p] of this.streams) {
      if (k.startsWith(`${topic}\u0000`)) {
        p.close();
        this.streams.delete(k);
      }
    }
  }

  /**
   * Makes the brokers drop their in-memory copies of the topic's partitions, flushed, before the topic
   * is deleted. A broker keeps a partition loaded until its last publisher or
   * subscriber leaves (a FetchMessage loads one without ever leaving: it then stays up to the broker's
   * 5-minute idle clean-up), matches loaded partitions by ring range alone, not by generation, and
   * takes a new generation's offsets from the newest version folder of the topic. A partition still
   * loaded, or flushed after its folder was deleted, therefore brings a deleted topic's records and
   * offsets back into a topic created again under the same name. Ending a publish stream cleanly
   * unloads the partition when no one else publishes to it or subscribes to it.
   */
  async unloadTopic(topic: string, routes: readonly PartitionRoute[]): Promise<void> {
    const unload = async (route: PartitionRoute, partition: number): Promise<void> => {
      if (!route.leader) return;
      const k = key(topic, partition);
      let publisher = this.streams.get(k);
      this.streams.delete(k);
      if (publisher === undefined || publisher.isBroken || publisher.broker !== route.leader) {
        publisher?.close();
        publisher = new PartitionPublisher(
          this.pool,
          this.openStream,
          route.leader,
          this.pbTopic(topic),
          route.partition,
          this.name,
          this.ackTimeoutMs,
        );
      }
      try {
        await publisher.ready();
      } catch {
        return; // not loadable, so not loaded either
      }
      await publisher.finish();
    };
    // A bounded number at a time: a topic may have thousands of partitions.
    for (let i = 0; i < routes.length; i += UNLOAD_CONCURRENCY) {
      await Promise.all(routes.slice(i, i + UNLOAD_CONCURRENCY).map((r, j) => unload(r, i + j)));
    }
    this.closeTopic(topic);
  }

  closeAll(): void {
    for (const p of this.streams.values()) p.close();
    this.streams.clear();
    this.sessions.close();
  }
}

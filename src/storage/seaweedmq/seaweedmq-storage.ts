/**
 * Storage backed by a SeaweedMQ cluster over gRPC: Kafka topics are SeaweedMQ topics in one namespace,
 * records are SeaweedMQ messages (envelope.ts), offsets are SeaweedMQ's, and metadata lives in the
 * filer. See docs/seaweedmq.md for the mapping and for what SeaweedMQ cannot do.
 */
import { pino, type Logger } from 'pino';
import { ErrorCode, KafkaError } from '../../protocol/error-codes.js';
import { validateBatches } from '../../protocol/records/batch.js';
import { PartialAppendError } from '../storage.js';
import type {
  AppendOptions,
  AppendResult,
  CommittedOffset,
  CreateTopicSpec,
  PartitionOffsets,
  ReadResult,
  Storage,
  TimestampLookup,
  TopicConfigs,
  TopicInfo,
  Unsubscribe,
} from '../storage.js';
import { ChangeWatch } from './change-watch.js';
import { CommittedOffsets } from './committed-offsets.js';
import { Discovery } from './discovery.js';
import type { KafkaRecord } from './envelope.js';
import { encodeDataFrames } from './publish-codec.js';
import { Fetcher } from './fetcher.js';
import { Filer } from './filer.js';
import { KvStore } from './kv.js';
import { resolveOptions, type ResolvedOptions, type SeaweedMqOptions } from './options.js';
import { PartitionReads } from './partition-reads.js';
import type { PbTopic } from './proto.js';
import { Publishers } from './publishers.js';
import type { StoreMetrics } from '../../metrics/metrics.js';
import { ClientPool } from './rpc.js';
import { BrokerGate } from './broker-gate.js';
import { persistedPart, waitPersisted } from './durable-append.js';
import { Durability } from './durability.js';
import { FilerLocks } from './filer-locks.js';
import type { LockService } from '../../coordination/lock-service.js';
import { PartitionGuard } from './partition-guard.js';
import { RawFilerClient } from './segment-labels.js';
import { TopicCache } from './topic-cache.js';
import { Topics, type TopicState } from './topics.js';

export class SeaweedMqStorage implements Storage {
  readonly kind = 'seaweedmq';
  readonly options: ResolvedOptions;
  private readonly logger: Logger;
  private readonly pool: ClientPool;
  private readonly discovery: Discovery;
  private readonly topics: Topics;
  private readonly cache: TopicCache;
  private readonly reads: PartitionReads;
  private readonly publishers: Publishers;
  private readonly committed: CommittedOffsets;
  private readonly kv: KvStore;
  private readonly watch: ChangeWatch;
  private readonly fetcher: Fetcher;
  private readonly durability: Durability;
  private readonly guard: PartitionGuard;
  private readonly pbTopic: (name: string) => PbTopic;
  readonly locks: LockService;

  constructor(options: SeaweedMqOptions) {
    this.options = resolveOptions(options);
    this.logger = options.logger ?? pino({ name: 'seaweedmq-storage' });
    const o = this.options;
    const pbTopic = (name: string): PbTopic => ({ namespace: o.namespace, name });
    this.pbTopic = pbTopic;
    const gate = new BrokerGate(o.brokerSettleMs, this.logger);
    this.pool = new ClientPool(gate);
    this.discovery = new Discovery(o, this.pool, this.logger);
    const filer = new Filer(this.discovery, this.pool, o.requestTimeoutMs);
    this.topics = new Topics(this.discovery, this.pool, filer, o.namespace, o.requestTimeoutMs);
    this.cache = new TopicCache(this.topics, o.topicCacheMs, (topic, route) =>
      this.guard.ready(topic, route),
    );
    const fetcher = new Fetcher(this.pool, o.requestTimeoutMs, this.logger);
    this.fetcher = fetcher;
    this.reads = new PartitionReads(this.pool, fetcher, this.cache, pbTopic, o.offsetsCacheMs, this.logger);
    this.durability = new Durability(
      filer,
      () => this.pool.get(RawFilerClient, this.discovery.filer()),
      o.namespace,
      o.durablePollMs,
      o.publishTimeoutMs,
      this.logger,
    );
    this.guard = new PartitionGuard(
      this.durability,
      gate,
      (topic, route) => fetcher.rangeHighWatermark(pbTopic(topic), route),
      (topic, partition) => this.reads.forgetPartition(topic, partition),
      this.logger,
    );
    this.publishers = new Publishers(
      this.pool,
      this.discovery,
      this.topics,
      this.cache,
      pbTopic,
      o.publishTimeoutMs,
      (topic, partition, route) => this.guard.checkPublish(topic, partition, route),
    );
    this.committed = new CommittedOffsets(filer, o.namespace);
    this.kv = new KvStore(filer, o.namespace);
    this.locks = new FilerLocks(this.discovery, this.pool, o.namespace, o.requestTimeoutMs);
    this.watch = new ChangeWatch(
      async (topic, partition) => (await this.reads.offsets(topic, partition, true)).highWatermark,
      o.changePollMs,
      this.logger,
    );
  }

  async start(): Promise<void> {
    await this.discovery.start();
  }

  /** Call latencies and errors of every unary RPC, read-ahead hits and misses; before start(). */
  attachMetrics(metrics: StoreMetrics): void {
    this.pool.attachMetrics(metrics);
    this.reads.metrics = metrics;
  }

  /** For tests and start-up scripts that want to block until SeaweedMQ answers. */
  waitConnected(timeoutMs: number): Promise<void> {
    return this.discovery.waitConnected(timeoutMs);
  }

  async close(): Promise<void> {
    this.durability.close();
    this.publishers.closeAll();
    this.watch.close();
    this.discovery.close();
    this.pool.close();
  }

  // ---- topics ----

  async createTopic(spec: CreateTopicSpec): Promise<TopicInfo> {
    this.connected();
    const state = await this.topics.create(spec.name, spec.partitions, spec.configs);
    this.forget(spec.name);
    if (await this.countsStaleOffsets(state)) {
      await this.topics.remove(spec.name).catch((err: unknown) => {
        this.logger.warn({ err, topic: spec.name }, 'could not remove a topic refused at creation');
      });
      this.forget(spec.name);
      throw new KafkaError(
        ErrorCode.TOPIC_ALREADY_EXISTS,
        `Topic '${spec.name}' is marked for deletion: SeaweedMQ still counts offsets of the deleted ` +
          `topic's partitions until its broker restarts; create it with another partition count, or ` +
          `restart the broker first`,
      );
    }
    this.cache.set(spec.name, state);
    return info(state);
  }

  /**
   * Whether a topic just created continues the offsets of a deleted one of the same name and partition
   * count: SeaweedMQ (4.44) keys its in-memory offset counters by namespace, name and ring range, not by
   * generation, and keeps them until the broker restarts. Such a topic would ack records at the old
   * offsets and serve them from 0 (docs/seaweedmq.md).
   */
  private async countsStaleOffsets(state: TopicState): Promise<boolean> {
    const topic = this.pbTopic(state.name);
    const ends = await Promise.all(
      state.routes.map((route) => this.fetcher.rangeHighWatermark(topic, route).catch(() => 0n)),
    );
    return ends.some((end) => end > 0n);
  }

  async deleteTopic(name: string): Promise<void> {
    this.connected();
    const state = await this.topics.require(name);
    // A broker flushes a partition it still holds into the deleted folder later, bringing the records
    // back for a topic created again: make it flush and drop the partitions first.
    await this.publishers.unloadTopic(name, state.routes);
    await this.topics.remove(name);
    this.forget(name);
    await this.committed.deleteTopic(name).catch((err: unknown) => {
      this.logger.warn({ err, topic: name }, 'could not remove committed offsets of a deleted topic');
    });
    this.watch.notifyTopic(name);
  }

  async listTopics(): Promise<TopicInfo[]> {
    this.connected();
    return (await this.topics.list()).map(info);
  }

  async describeTopic(name: string): Promise<TopicInfo | undefined> {
    this.connected();
    // Every Produce request looks its topic up: a filer listing each time was a third of the
    // gateway's CPU while producing. Another gateway's changes show within topicCacheMs, as for routes.
    const cached = this.cache.fresh(name);
    if (cached !== undefined) return info(cached);
    const state = await this.topics.get(name);
    if (state !== undefined) this.cache.set(name, state);
    return state === undefined ? undefined : info(state);
  }

  async createPartitions(name: string, total: number): Promise<TopicInfo> {
    this.connected();
    const state = await this.topics.require(name);
    if (!Number.isInteger(total) || total <= state.partitions) {
      throw new KafkaError(
        ErrorCode.INVALID_PARTITIONS,
        `topic '${name}' has ${state.partitions} partitions; can only grow, not to ${total}`,
      );
    }
    // SeaweedMQ answers a new partition count with a whole new partition generation over new ring
    // ranges: the existing partitions' records would no longer be reachable. Kafka promises they stay,
    // so only a topic that holds no record yet may grow.
    for (let p = 0; p < state.partitions; p++) {
      if ((await this.reads.offsets(name, p, true)).highWatermark > 0n) {
        throw new KafkaError(
          ErrorCode.INVALID_PARTITIONS,
          `cannot add partitions to '${name}': SeaweedMQ re-creates every partition when the count ` +
            `changes, which would orphan the records already in partition ${p}`,
        );
      }
    }
    this.publishers.closeTopic(name);
    const count = await this.topics.repartition(name, total);
    const meta = { ...state.meta, logStart: {} };
    await this.topics.writeMeta(name, meta);
    this.forget(name);
    return { name, id: meta.id, partitions: count, configs: { ...meta.configs } };
  }

  async setTopicConfigs(name: string, configs: TopicConfigs): Promise<TopicInfo> {
    this.connected();
    const state = await this.topics.require(name);
    const meta = { ...state.meta, configs: { ...configs } };
    await this.topics.writeMeta(name, meta);
    this.cache.set(name, { ...state, meta });
    return info({ ...state, meta });
  }

  // ---- records ----

  async append(
    topic: string,
    partition: number,
    batches: Buffer,
    options?: AppendOptions,
  ): Promise<AppendResult> {
    const appendTime = options?.logAppendTimeMs;
    const records: KafkaRecord[] = [];
    // The produce path's views, when it gives them, are already checked: no second CRC pass.
    const views =
      options?.validated ?? validateBatches(batches, { fromClient: options?.origin !== 'coordinator' });
    for (const b of views) {
      // Only transactions' records carry their producer: consumers need it to drop aborted data.
      const txn = b.isTransactional
        ? { producerId: b.producerId, producerEpoch: b.producerEpoch, control: b.isControl }
        : undefined;
      for (const r of b.records()) {
        records.push({
          key: r.key,
          value: r.value,
          headers: r.headers,
          timestamp: appendTime ?? r.timestamp,
          timestampType: appendTime === undefined ? 0 : 1,
          ...(txn === undefined ? {} : { txn }),
        });
      }
    }
    if (records.length === 0) throw new KafkaError(ErrorCode.INVALID_RECORD, 'append without records');
    this.connected();
    const { publisher, route } = await this.publishers.ready(topic, partition);
    const frames = encodeDataFrames(records, () => publisher.nextTsNs());
    let offsets: bigint[];
    try {
      offsets = await publisher.send(frames, records.length);
    } catch (err) {
      this.publishers.failed(topic, partition, err);
      // The broker's acks say which leading records it took, not which it persisted.
      if (options?.durable === true && err instanceof PartialAppendError) {
        throw await persistedPart(this.durability, this.logger, topic, route.partition, err);
      }
      throw err;
    }
    const baseOffset = offsets[0]!;
    const end = offsets[offsets.length - 1]! + 1n;
    this.guard.acknowledged(topic, partition, route, baseOffset, end, options?.durable === true);
    if (end - baseOffset !== BigInt(offsets.length)) {
      // Another publisher interleaved on this partition: the batch's records are not adjacent.
      this.logger.warn(
        { topic, partition, offsets: offsets.map(String) },
        'batch records got non-contiguous offsets',
      );
    }
    this.reads.appended(topic, partition, route, offsets, records);
    this.watch.notify(topic, partition, end);
    if (options?.durable === true) {
      const broken = (): boolean => publisher.isBroken;
      await waitPersisted(this.durability, this.logger, topic, route.partition, offsets, broken);
    }
    const logStartOffset =
      this.reads.cachedLogStart(topic, partition) ?? (await this.cache.logicalStart(topic, partition));
    return { baseOffset, logAppendTimeMs: appendTime ?? -1n, logStartOffset };
  }

  async read(topic: string, partition: number, offset: bigint, maxBytes: number): Promise<ReadResult> {
    this.connected();
    return this.reads.read(topic, partition, offset, maxBytes);
  }

  async offsets(topic: string, partition: number): Promise<PartitionOffsets> {
    this.connected();
    return this.reads.offsets(topic, partition, false);
  }

  async offsetForTimestamp(
    topic: string,
    partition: number,
    timestamp: bigint,
  ): Promise<TimestampLookup | undefined> {
    this.connected();
    return this.reads.offsetForTimestamp(topic, partition, timestamp);
  }

  async maxTimestamp(topic: string, partition: number): Promise<TimestampLookup | undefined> {
    this.connected();
    return this.reads.maxTimestamp(topic, partition);
  }

  async deleteRecordsBefore(topic: string, partition: number, offset: bigint): Promise<bigint> {
    this.connected();
    await this.cache.route(topic, partition);
    const state = await this.topics.require(topic);
    const { logStartOffset, highWatermark } = await this.reads.offsets(topic, partition, true);
    // Kafka's -1 ("up to the high watermark") is resolved by the DeleteRecords handler, not here.
    if (offset < 0n || offset > highWatermark) {
      throw new KafkaError(
        ErrorCode.OFFSET_OUT_OF_RANGE,
        `cannot delete records before ${offset}: the high watermark is ${highWatermark}`,
      );
    }
    if (offset <= logStartOffset) return logStartOffset;
    // SeaweedMQ cannot truncate a partition: the log start is kept in our metadata and enforced on reads.
    const logStart = { ...(state.meta.logStart ?? {}), [String(partition)]: offset.toString() };
    const meta = { ...state.meta, logStart };
    await this.topics.writeMeta(topic, meta);
    this.cache.set(topic, { ...state, meta });
    this.reads.forgetPartition(topic, partition);
    this.watch.notify(topic, partition);
    return offset;
  }

  onChange(topic: string, partition: number, listener: () => void): Unsubscribe {
    return this.watch.subscribe(topic, partition, listener, this.reads.cachedHighWatermark(topic, partition));
  }

  /** Change listeners still registered (to check that none leak). */
  get listenerCount(): number {
    return this.watch.size;
  }

  // ---- committed offsets ----

  async commitOffsets(group: string, offsets: readonly CommittedOffset[]): Promise<void> {
    this.connected();
    await this.committed.commit(group, offsets);
  }

  async fetchOffsets(group: string): Promise<CommittedOffset[]> {
    this.connected();
    return this.committed.fetch(group);
  }

  async deleteOffsets(
    group: string,
    partitions: readonly { topic: string; partition: number }[],
  ): Promise<void> {
    this.connected();
    await this.committed.delete(group, partitions);
  }

  async listOffsetGroups(): Promise<string[]> {
    this.connected();
    return this.committed.groups();
  }

  // ---- key-value ----

  async kvGet(namespace: string, key: string): Promise<Buffer | undefined> {
    this.connected();
    return this.kv.get(namespace, key);
  }

  async kvPut(namespace: string, key: string, value: Buffer): Promise<void> {
    this.connected();
    await this.kv.put(namespace, key, value);
  }

  async kvDelete(namespace: string, key: string): Promise<void> {
    this.connected();
    await this.kv.delete(namespace, key);
  }

  async kvList(namespace: string): Promise<Map<string, Buffer>> {
    this.connected();
    return this.kv.list(namespace);
  }

  // ---- internals ----

  /** Throws the retriable "unreachable" KafkaError while discovery knows no broker or filer. */
  private connected(): void {
    this.discovery.anyBroker();
    this.discovery.filer();
  }

  private forget(topic: string): void {
    this.cache.forget(topic);
    this.reads.forgetTopic(topic);
    this.guard.forgetTopic(topic);
    this.durability.forgetTopic(topic);
  }
}

function info(state: TopicState): TopicInfo {
  return {
    name: state.name,
    id: state.meta.id,
    partitions: state.partitions,
    configs: { ...state.meta.configs },
  };
}

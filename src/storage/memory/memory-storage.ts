/**
 * The embedded in-memory backend. All state lives in this process and is lost on exit. Methods are
 * async only to satisfy the Storage contract; each one runs to completion without yielding, so
 * every operation is atomic with respect to the others.
 */
import { pino, type Logger } from 'pino';
import type {
  AppendOptions,
  AppendResult,
  CommittedOffset,
  CompactionResult,
  CompactionSettings,
  CreateTopicSpec,
  LogDir,
  Storage,
  TopicConfigs,
  TopicInfo,
} from '../storage.js';
import { ErrorCode, KafkaError } from '../../protocol/error-codes.js';
import { validateBatches } from '../../protocol/records/batch.js';
import { ChangeNotifier } from './change-notifier.js';
import { checkPartitionCount, PartitionedStore } from '../partitioned-store.js';
import { compactPartitionLog } from './compaction.js';
import { KvStore } from './kv-store.js';
import { OffsetStore } from './offset-store.js';
import { PartitionLog } from './partition-log.js';
import { newTopicId } from './topic-id.js';

export interface MemoryStorageOptions {
  readonly logger?: Logger;
}

interface TopicState {
  readonly name: string;
  readonly id: string;
  configs: TopicConfigs;
  readonly logs: PartitionLog[];
}

export class MemoryStorage extends PartitionedStore<PartitionLog, TopicState> implements Storage {
  readonly kind = 'memory';
  readonly keepsBatchHeaders = true;
  readonly appendsInCallOrder = true;
  private readonly offsetStore = new OffsetStore();
  private readonly kv = new KvStore();

  constructor(options: MemoryStorageOptions = {}) {
    const logger = options.logger ?? pino({ name: 'memory-storage' });
    super(new ChangeNotifier((err) => logger.error({ err }, 'partition change listener threw')));
  }

  async start(): Promise<void> {}

  async close(): Promise<void> {
    // Long-polling readers should not wait out their timeout on a store that is going away.
    this.notifier.notifyAll();
  }

  // ---- topics ----

  async createTopic(spec: CreateTopicSpec): Promise<TopicInfo> {
    if (this.topics.has(spec.name)) {
      throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `topic '${spec.name}' already exists`);
    }
    checkPartitionCount(spec.partitions);
    const state: TopicState = {
      name: spec.name,
      id: newTopicId(),
      configs: { ...spec.configs },
      logs: Array.from({ length: spec.partitions }, () => new PartitionLog()),
    };
    this.topics.set(spec.name, state);
    return describe(state);
  }

  async deleteTopic(name: string): Promise<void> {
    this.topic(name);
    this.topics.delete(name);
    this.offsetStore.deleteTopic(name);
    this.notifier.notifyTopic(name);
  }

  async listTopics(): Promise<TopicInfo[]> {
    return [...this.topics.values()].map(describe);
  }

  async describeTopic(name: string): Promise<TopicInfo | undefined> {
    const state = this.topics.get(name);
    return state === undefined ? undefined : describe(state);
  }

  async createPartitions(name: string, total: number): Promise<TopicInfo> {
    const state = this.topic(name);
    checkPartitionCount(total);
    if (total <= state.logs.length) {
      throw new KafkaError(
        ErrorCode.INVALID_PARTITIONS,
        `topic '${name}' has ${state.logs.length} partitions; can only grow, not to ${total}`,
      );
    }
    while (state.logs.length < total) state.logs.push(new PartitionLog());
    return describe(state);
  }

  async setTopicConfigs(name: string, configs: TopicConfigs): Promise<TopicInfo> {
    const state = this.topic(name);
    state.configs = { ...configs };
    return describe(state);
  }

  // ---- records ----

  async append(
    topic: string,
    partition: number,
    batches: Buffer,
    options?: AppendOptions,
  ): Promise<AppendResult> {
    const log = this.partitionLog(topic, partition);
    const logAppendTimeMs = options?.logAppendTimeMs;
    // Markers come from the transaction coordinator: the checks made on client batches do not apply.
    const validated =
      options?.validated ?? validateBatches(batches, { fromClient: options?.origin !== 'coordinator' });
    const baseOffset = log.append(batches, logAppendTimeMs, validated);
    this.notifier.notify(topic, partition);
    return { baseOffset, logAppendTimeMs: logAppendTimeMs ?? -1n, logStartOffset: log.logStartOffset };
  }

  async deleteRecordsBefore(topic: string, partition: number, offset: bigint): Promise<bigint> {
    const log = this.partitionLog(topic, partition);
    const before = log.logStartOffset;
    const after = log.deleteRecordsBefore(offset);
    if (after !== before) this.notifier.notify(topic, partition);
    return after;
  }

  async enforceRetention(
    topic: string,
    partition: number,
    nowMs: bigint,
    retentionMs: bigint,
    retentionBytes: bigint,
  ): Promise<bigint> {
    const log = this.partitionLog(topic, partition);
    const before = log.logStartOffset;
    const after = log.enforceRetention(nowMs, retentionMs, Number(retentionBytes)).logStartOffset;
    if (after !== before) this.notifier.notify(topic, partition);
    return after;
  }

  async compact(
    topic: string,
    partition: number,
    settings: CompactionSettings,
    nowMs: bigint,
  ): Promise<CompactionResult> {
    return compactPartitionLog(this.partitionLog(topic, partition), settings, nowMs);
  }

  // ---- committed offsets ----

  async commitOffsets(group: string, offsets: readonly CommittedOffset[]): Promise<void> {
    this.offsetStore.commit(group, offsets);
  }

  async fetchOffsets(group: string): Promise<CommittedOffset[]> {
    return this.offsetStore.fetch(group);
  }

  async deleteOffsets(
    group: string,
    partitions: readonly { topic: string; partition: number }[],
  ): Promise<void> {
    this.offsetStore.delete(group, partitions);
  }

  async listOffsetGroups(): Promise<string[]> {
    return this.offsetStore.groupIds();
  }

  // ---- key-value ----

  async kvGet(namespace: string, key: string): Promise<Buffer | undefined> {
    return this.kv.get(namespace, key);
  }

  async kvPut(namespace: string, key: string, value: Buffer): Promise<void> {
    this.kv.put(namespace, key, value);
  }

  async kvDelete(namespace: string, key: string): Promise<void> {
    this.kv.delete(namespace, key);
  }

  async kvList(namespace: string): Promise<Map<string, Buffer>> {
    return this.kv.list(namespace);
  }

  // ---- memory-only ----

  /**
   * One "directory" for the whole process: the bytes of record batches each partition holds. It has
   * no volume, so no total or usable size.
   */
  async describeLogDirs(): Promise<LogDir[]> {
    const partitions = [...this.topics.values()].flatMap((t) =>
      t.logs.map((log, partition) => ({ topic: t.name, partition, sizeBytes: BigInt(log.sizeBytes) })),
    );
    return [{ path: 'memory', partitions }];
  }

  /** Change listeners still registered (to check that none leak). */
  get listenerCount(): number {
    return this.notifier.size;
  }
}

function describe(state: TopicState): TopicInfo {
  return { name: state.name, id: state.id, partitions: state.logs.length, configs: { ...state.configs } };
}

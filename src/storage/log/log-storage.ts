/**
 * The durable log store (`--data-dir`): topics as directories of segment files on local disk,
 * everything else in a small metadata log beside them. An append is answered once its batches are
 * written, and by default once they are fsynced (see settings.ts and docs/log-store.md); a restart
 * after a crash recovers every partition from the last point known to be on disk.
 */
import path from 'node:path';
import { statfs } from 'node:fs/promises';
import { pino, type Logger } from 'pino';
import type { StoreMetrics } from '../../metrics/metrics.js';
import { ErrorCode, KafkaError } from '../../protocol/error-codes.js';
import { validateBatches } from '../../protocol/records/batch.js';
import { ChangeNotifier } from '../memory/change-notifier.js';
import { checkPartitionCount, PartitionedStore } from '../partitioned-store.js';
import { newTopicId } from '../memory/topic-id.js';
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
import {
  CLEAN_SHUTDOWN,
  lockDataDir,
  logsDir,
  metaFile,
  partitionDir,
  readRecoveryPoints,
  writeRecoveryPoints,
} from './data-dir.js';
import { compactPartition } from './compactor.js';
import { NodeLogFs, type LogFs } from './fs.js';
import { MetaLog } from './meta-log.js';
import { commitEntry, MetaState, partitionKey, type MetaEntry } from './meta-state.js';
import { LogPartition } from './partition.js';
import { DEFAULT_LOG_DEFAULTS, resolveSettings, type LogDefaults } from './settings.js';

export interface LogStorageOptions {
  readonly dataDir: string;
  readonly logger?: Logger;
  /** The file system; tests pass one that injects faults. */
  readonly fs?: LogFs;
  /** Broker-wide defaults of the log.* configs. */
  readonly defaults?: Partial<LogDefaults>;
  /** How often recovery points are written and flush.ms is checked. */
  readonly checkpointIntervalMs?: number;
}

interface TopicState {
  info: TopicInfo;
  readonly logs: LogPartition[];
}

/** Partitions opened at once at start. */
const OPEN_CONCURRENCY = 8;

export class LogStorage extends PartitionedStore<LogPartition, TopicState> implements Storage {
  readonly kind = 'log';
  readonly keepsBatchHeaders = true;
  readonly appendsInCallOrder = true;
  readonly dataDir: string;
  private readonly fs: LogFs;
  private readonly log: Logger;
  private readonly defaults: LogDefaults;
  private readonly state = new MetaState();
  private readonly meta: MetaLog<MetaEntry>;
  private topicOps: Promise<unknown> = Promise.resolve();
  private unlock: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastCheckpoint = '';
  private checkpointing: Promise<void> = Promise.resolve();
  private metrics: StoreMetrics = { call() {}, event() {} };

  constructor(private readonly options: LogStorageOptions) {
    const log = options.logger ?? pino({ name: 'log-storage' });
    super(new ChangeNotifier((err) => log.error({ err }, 'partition change listener threw')));
    this.log = log;
    this.dataDir = path.resolve(options.dataDir);
    this.fs = options.fs ?? new NodeLogFs();
    this.defaults = { ...DEFAULT_LOG_DEFAULTS, ...options.defaults };
    this.meta = new MetaLog<MetaEntry>({
      fs: this.fs,
      file: metaFile(this.dataDir),
      log: this.log,
      apply: (e) => this.state.apply(e),
      snapshot: () => this.state.snapshot(),
    });
  }

  async start(): Promise<void> {
    const began = Date.now();
    await this.fs.mkdirp(path.dirname(metaFile(this.dataDir)));
    await this.fs.mkdirp(logsDir(this.dataDir));
    this.unlock = lockDataDir(this.dataDir);
    try {
      await this.open(began);
    } catch (err) {
      this.unlock();
      this.unlock = undefined;
      throw err;
    }
  }

  private async open(began: number): Promise<void> {
    const marker = path.join(this.dataDir, CLEAN_SHUTDOWN);
    const clean = (await this.fs.readFile(marker)) !== undefined;
    await this.meta.open();
    const points = clean ? undefined : await readRecoveryPoints(this.fs, this.dataDir);
    const opened = [...this.state.topics.values()].flatMap((info) =>
      Array.from({ length: info.partitions }, (_, p) => ({ info, p })),
    );
    const logs = await inBatches(opened, OPEN_CONCURRENCY, ({ info, p }) =>
      this.openPartition(
        info,
        p,
        points === undefined ? undefined : (points.get(partitionKey(info.id, p)) ?? 0n),
      ),
    );
    for (const info of this.state.topics.values()) this.topics.set(info.name, { info, logs: [] });
    opened.forEach(({ info }, i) => this.topics.get(info.name)!.logs.push(logs[i]!));
    await this.removeOrphans();
    // From here on a crash is unclean until the next clean close writes the marker again.
    await this.fs.remove(marker);
    await this.fs.syncDir(this.dataDir);
    const interval = this.options.checkpointIntervalMs ?? 30_000;
    this.timer = setInterval(() => this.tick(interval), Math.min(interval, 1000));
    this.timer.unref();
    const truncatedPartitions = logs.filter((l) => l.loaded.truncatedBytes > 0).length;
    if (truncatedPartitions > 0) this.metrics.event('recovery_truncated', truncatedPartitions);
    const scanned = logs.reduce((n, l) => n + l.loaded.scannedBatches, 0);
    const truncated = logs.reduce((n, l) => n + l.loaded.truncatedBytes, 0);
    this.log.info(
      {
        dataDir: this.dataDir,
        clean,
        topics: this.topics.size,
        partitions: logs.length,
        scannedBatches: scanned,
        truncatedBytes: truncated,
        ms: Date.now() - began,
      },
      'log store opened',
    );
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.notifier.notifyAll();
    await this.topicOps.catch(() => undefined);
    const all = [...this.topics.values()].flatMap((t) => t.logs);
    await Promise.all(all.map((l) => l.close()));
    await this.checkpointing;
    const failed = all.some((l) => l.failure !== undefined);
    await writeRecoveryPoints(this.fs, this.dataDir, this.recoveryPoints());
    await this.meta.close();
    // A partition that failed must be scanned at the next start: no clean marker then.
    if (!failed) {
      const marker = await this.fs.create(path.join(this.dataDir, CLEAN_SHUTDOWN));
      await marker.close();
      await this.fs.syncDir(this.dataDir);
    }
    this.unlock?.();
    this.unlock = undefined;
  }

  // ---- topics ----

  createTopic(spec: CreateTopicSpec): Promise<TopicInfo> {
    return this.topicOp(async () => {
      if (this.topics.has(spec.name)) {
        throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `topic '${spec.name}' already exists`);
      }
      checkPartitionCount(spec.partitions);
      const info: TopicInfo = {
        name: spec.name,
        id: newTopicId(),
        partitions: spec.partitions,
        configs: { ...spec.configs },
      };
      const logs = await inBatches([...Array(spec.partitions).keys()], OPEN_CONCURRENCY, (p) =>
        this.openPartition(info, p, undefined),
      );
      await this.fs.syncDir(path.join(logsDir(this.dataDir), info.id));
      await this.fs.syncDir(logsDir(this.dataDir));
      await this.meta.append({ t: 'topic', ...info });
      this.topics.set(info.name, { info, logs });
      return describe(info);
    });
  }

  deleteTopic(name: string): Promise<void> {
    return this.topicOp(async () => {
      const topic = this.topic(name);
      await this.meta.append({ t: 'topic-delete', name });
      this.topics.delete(name);
      this.notifier.notifyTopic(name);
      await Promise.all(topic.logs.map((l) => l.abandon()));
      await this.fs.removeTree(path.join(logsDir(this.dataDir), topic.info.id));
    });
  }

  async listTopics(): Promise<TopicInfo[]> {
    return [...this.topics.values()].map((t) => describe(t.info));
  }

  async describeTopic(name: string): Promise<TopicInfo | undefined> {
    const t = this.topics.get(name);
    return t === undefined ? undefined : describe(t.info);
  }

  createPartitions(name: string, total: number): Promise<TopicInfo> {
    return this.topicOp(async () => {
      const topic = this.topic(name);
      checkPartitionCount(total);
      if (total <= topic.logs.length) {
        throw new KafkaError(
          ErrorCode.INVALID_PARTITIONS,
          `topic '${name}' has ${topic.logs.length} partitions; can only grow, not to ${total}`,
        );
      }
      const info = { ...topic.info, partitions: total };
      const added = await inBatches([...Array(total - topic.logs.length).keys()], OPEN_CONCURRENCY, (i) =>
        this.openPartition(info, topic.logs.length + i, undefined),
      );
      await this.meta.append({ t: 'topic', ...info });
      topic.logs.push(...added);
      topic.info = info;
      return describe(info);
    });
  }

  setTopicConfigs(name: string, configs: TopicConfigs): Promise<TopicInfo> {
    return this.topicOp(async () => {
      const topic = this.topic(name);
      const info = { ...topic.info, configs: { ...configs } };
      await this.meta.append({ t: 'topic', ...info });
      topic.info = info;
      return describe(info);
    });
  }

  // ---- records ----

  async append(
    topic: string,
    partition: number,
    batches: Buffer,
    options?: AppendOptions,
  ): Promise<AppendResult> {
    const log = this.partitionLog(topic, partition);
    // The produce path hands over the batches it validated; anything else is checked for structure and
    // CRC only (control batches and compacted batches are stored as they are). acks=1 and acks=-1 are
    // alike here: the flush policy decides what an acknowledgement waits for (docs/log-store.md).
    const views = options?.validated ?? validateBatches(batches, { fromClient: false });
    if (views.length === 0) throw new KafkaError(ErrorCode.INVALID_RECORD, 'no record batch to append');
    const baseOffset = log.nextOffset;
    await log.append(views, batches, options?.logAppendTimeMs);
    return {
      baseOffset,
      logAppendTimeMs: options?.logAppendTimeMs ?? -1n,
      logStartOffset: log.logStartOffset,
    };
  }

  async deleteRecordsBefore(topic: string, partition: number, offset: bigint): Promise<bigint> {
    const id = this.topic(topic).info.id;
    return this.partitionLog(topic, partition).deleteRecordsBefore(offset, (start) =>
      this.meta.append({ t: 'log-start', id, p: partition, offset: start.toString() }),
    );
  }

  async enforceRetention(
    topic: string,
    partition: number,
    nowMs: bigint,
    retentionMs: bigint,
    retentionBytes: bigint,
  ): Promise<bigint> {
    return this.partitionLog(topic, partition).enforceRetention(nowMs, retentionMs, retentionBytes);
  }

  async compact(
    topic: string,
    partition: number,
    settings: CompactionSettings,
    nowMs: bigint,
  ): Promise<CompactionResult> {
    const id = this.topic(topic).info.id;
    const log = this.partitionLog(topic, partition);
    const key = partitionKey(id, partition);
    return compactPartition(log, settings, nowMs, this.state.cleanedTo.get(key), (offset) =>
      this.meta.append({ t: 'cleaned', id, p: partition, offset: offset.toString() }),
    );
  }

  // ---- committed offsets ----

  async commitOffsets(group: string, offsets: readonly CommittedOffset[]): Promise<void> {
    return this.meta.append(commitEntry(group, offsets));
  }

  async fetchOffsets(group: string): Promise<CommittedOffset[]> {
    return this.state.offsets.fetch(group);
  }

  async deleteOffsets(
    group: string,
    partitions: readonly { topic: string; partition: number }[],
  ): Promise<void> {
    const partitionsCopy = partitions.map(({ topic, partition }) => ({ topic, partition }));
    return this.meta.append({ t: 'offset-delete', group, partitions: partitionsCopy });
  }

  async listOffsetGroups(): Promise<string[]> {
    return this.state.offsets.groupIds();
  }

  // ---- key-value ----

  async kvGet(namespace: string, key: string): Promise<Buffer | undefined> {
    return this.state.kv.get(namespace, key);
  }

  async kvPut(namespace: string, key: string, value: Buffer): Promise<void> {
    return this.meta.append({ t: 'kv', ns: namespace, key, value: value.toString('base64') });
  }

  async kvDelete(namespace: string, key: string): Promise<void> {
    if (this.state.kv.get(namespace, key) === undefined) return;
    await this.meta.append({ t: 'kv-delete', ns: namespace, key });
  }

  async kvList(namespace: string): Promise<Map<string, Buffer>> {
    return this.state.kv.list(namespace);
  }

  // ---- operations ----

  attachMetrics(metrics: StoreMetrics): void {
    this.metrics = metrics;
  }

  /** The data directory, with the volume's size and free space and every partition's segments. */
  async describeLogDirs(): Promise<LogDir[]> {
    const volume = await statfs(this.dataDir, { bigint: true });
    const partitions = [...this.topics.values()].flatMap((t) =>
      t.logs.map((log, partition) => ({
        topic: t.info.name,
        partition,
        sizeBytes: BigInt(log.sizeBytes),
        segments: log.segments.length,
      })),
    );
    return [
      {
        path: this.dataDir,
        totalBytes: volume.blocks * volume.bsize,
        usableBytes: volume.bavail * volume.bsize,
        partitions,
      },
    ];
  }

  // ---- log store only ----

  /** Writes the recovery points now (also done on a timer and at close). */
  checkpoint(): Promise<void> {
    this.checkpointing = this.checkpointing.then(async () => {
      const points = this.recoveryPoints();
      const text = JSON.stringify([...points].map(([k, v]) => [k, v.toString()]));
      if (text === this.lastCheckpoint) return;
      await writeRecoveryPoints(this.fs, this.dataDir, points);
      this.lastCheckpoint = text;
    });
    return this.checkpointing;
  }

  private recoveryPoints(): Map<string, bigint> {
    const points = new Map<string, bigint>();
    for (const t of this.topics.values()) {
      t.logs.forEach((l, p) => points.set(partitionKey(t.info.id, p), l.appender.recoveryPoint));
    }
    return points;
  }

  private tickCount = 0;

  private tick(checkpointIntervalMs: number): void {
    const now = Date.now();
    for (const t of this.topics.values()) for (const l of t.logs) l.appender.flushIfDue(now);
    this.tickCount++;
    if (this.tickCount * Math.min(checkpointIntervalMs, 1000) >= checkpointIntervalMs) {
      this.tickCount = 0;
      this.checkpoint().catch((err: unknown) => this.log.warn({ err }, 'writing recovery points failed'));
    }
  }

  private openPartition(
    info: TopicInfo,
    p: number,
    recoveryPoint: bigint | undefined,
  ): Promise<LogPartition> {
    const name = info.name;
    return LogPartition.open(
      {
        name: `${name}-${p}`,
        dir: partitionDir(this.dataDir, info.id, p),
        fs: this.fs,
        log: this.log,
        settings: () => resolveSettings(this.topics.get(name)?.info.configs ?? info.configs, this.defaults),
        changed: () => this.notifier.notify(name, p),
        metrics: () => this.metrics,
      },
      this.state.logStarts.get(partitionKey(info.id, p)) ?? 0n,
      recoveryPoint,
    );
  }

  /** Removes directories of topics the metadata does not know (a create or delete cut short). */
  private async removeOrphans(): Promise<void> {
    const known = new Set([...this.state.topics.values()].map((t) => t.id));
    for (const dir of await this.fs.list(logsDir(this.dataDir))) {
      if (known.has(dir)) continue;
      this.log.info({ dir }, 'removing the directory of a topic that no longer exists');
      await this.fs.removeTree(path.join(logsDir(this.dataDir), dir));
    }
  }

  private topicOp<T>(op: () => Promise<T>): Promise<T> {
    const result = this.topicOps.then(op);
    this.topicOps = result.catch(() => undefined);
    return result;
  }
}

function describe(info: TopicInfo): TopicInfo {
  return { ...info, configs: { ...info.configs } };
}

/** Maps `items` through `fn`, at most `limit` at a time, keeping their order. */
async function inBatches<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

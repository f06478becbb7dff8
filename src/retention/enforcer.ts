/**
 * Applies retention.ms and retention.bytes to every partition of every topic whose cleanup.policy
 * includes "delete", on a timer: records leave within one interval (plus a pass) of expiring. Whole
 * batches go from the start of a partition and the log start offset moves past them, as Kafka drops
 * whole segments. Stores that implement Storage.enforceRetention do both limits themselves; for the
 * others time-based retention is built from offsetForTimestamp and deleteRecordsBefore.
 */
import type { ConfigRegistry } from '../configs/registry.js';
import type { Logger } from '../log.js';
import { ErrorCode, isKafkaError } from '../protocol/error-codes.js';
import type { Storage, TopicInfo } from '../storage/storage.js';

export interface RetentionOptions {
  readonly intervalMs: number;
  /** Wall clock in ms; tests may pass their own. */
  readonly now?: () => number;
}

export interface RetentionMove {
  readonly topic: string;
  readonly partition: number;
  readonly logStartOffset: bigint;
}

export interface RetentionReport {
  readonly partitionsChecked: number;
  /** Partitions whose log start offset advanced in this pass. */
  readonly moved: readonly RetentionMove[];
}

export class RetentionEnforcer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<RetentionReport> | undefined;
  private started = false;
  private warnedNoBytes = false;
  private readonly now: () => number;

  constructor(
    private readonly storage: Storage,
    private readonly configs: ConfigRegistry,
    private readonly log: Logger,
    private readonly options: RetentionOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Starts the timer; calling it again does nothing. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.schedule();
  }

  /** Stops the timer and waits for a pass in progress. */
  async stop(): Promise<void> {
    this.started = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** Runs a pass now (after the one in progress, if any) and reports what moved. */
  async runNow(): Promise<RetentionReport> {
    while (this.running !== undefined) await this.running.catch(() => undefined);
    const pass = this.pass();
    this.running = pass;
    try {
      return await pass;
    } finally {
      this.running = undefined;
    }
  }

  private schedule(): void {
    if (!this.started) return;
    this.timer = setTimeout(() => {
      this.runNow().then(
        () => this.schedule(),
        (err: unknown) => {
          this.log.error({ err }, 'retention pass failed');
          this.schedule();
        },
      );
    }, this.options.intervalMs);
    // A pending retention pass is no reason to keep the process alive.
    this.timer.unref();
  }

  private async pass(): Promise<RetentionReport> {
    const nowMs = BigInt(this.now());
    const moved: RetentionMove[] = [];
    let partitionsChecked = 0;
    for (const topic of await this.storage.listTopics()) {
      const settings = this.configs.retention(topic.configs);
      if (!settings.deletes || (settings.retentionMs < 0n && settings.retentionBytes < 0n)) continue;
      for (let partition = 0; partition < topic.partitions; partition++) {
        partitionsChecked++;
        try {
          const before = (await this.storage.offsets(topic.name, partition)).logStartOffset;
          const after = await this.enforce(
            topic,
            partition,
            nowMs,
            settings.retentionMs,
            settings.retentionBytes,
          );
          if (after > before) moved.push({ topic: topic.name, partition, logStartOffset: after });
        } catch (err) {
          // A topic deleted or shrunk under the pass is not a failure.
          if (isKafkaError(err) && err.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) continue;
          this.log.warn({ err, topic: topic.name, partition }, 'retention check failed');
        }
      }
    }
    if (moved.length > 0) {
      this.log.info(
        { partitions: moved.map((m) => `${m.topic}-${m.partition}@${m.logStartOffset}`) },
        'retention advanced log start offsets',
      );
    }
    return { partitionsChecked, moved };
  }

  private async enforce(
    topic: TopicInfo,
    partition: number,
    nowMs: bigint,
    retentionMs: bigint,
    retentionBytes: bigint,
  ): Promise<bigint> {
    if (this.storage.enforceRetention !== undefined) {
      return this.storage.enforceRetention(topic.name, partition, nowMs, retentionMs, retentionBytes);
    }
    if (retentionBytes >= 0n && !this.warnedNoBytes) {
      this.warnedNoBytes = true;
      this.log.warn({ store: this.storage.kind }, 'this store does not support retention.bytes; ignored');
    }
    const { logStartOffset, highWatermark } = await this.storage.offsets(topic.name, partition);
    // retention.ms beyond the epoch (Long.MAX for "forever") expires nothing: skip the scan.
    if (retentionMs < 0n || retentionMs >= nowMs || logStartOffset >= highWatermark) return logStartOffset;
    // Every record before the first one young enough to keep has expired.
    const kept = await this.storage.offsetForTimestamp(topic.name, partition, nowMs - retentionMs);
    const target = kept?.offset ?? highWatermark;
    if (target <= logStartOffset) return logStartOffset;
    return this.storage.deleteRecordsBefore(topic.name, partition, target);
  }
}

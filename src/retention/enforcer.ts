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
import { PeriodicPass } from '../timers/periodic-pass.js';

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
  private warnedNoBytes = false;
  private readonly now: () => number;
  private readonly periodic: PeriodicPass<RetentionReport>;

  constructor(
    private readonly storage: Storage,
    private readonly configs: ConfigRegistry,
    private readonly log: Logger,
    options: RetentionOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.periodic = new PeriodicPass(() => this.pass(), options.intervalMs, log, 'retention pass');
  }

  /** Starts the timer; calling it again does nothing. */
  start(): void {
    this.periodic.start();
  }

  /** Stops the timer and waits for a pass in progress. */
  stop(): Promise<void> {
    return this.periodic.stop();
  }

  /** Runs a pass now (after the one in progress, if any) and reports what moved. */
  runNow(): Promise<RetentionReport> {
    return this.periodic.runNow();
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

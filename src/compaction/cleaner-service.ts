/**
 * The log cleaner: every log.cleaner.backoff.ms, asks the store to compact each partition of every
 * topic whose cleanup.policy includes "compact"; the store cleans those dirty enough (plan.ts). A
 * store without the compaction capability keeps every record, as before.
 */
import type { ConfigRegistry } from '../configs/registry.js';
import type { Logger } from '../log.js';
import { ErrorCode, isKafkaError } from '../protocol/error-codes.js';
import type { CompactionResult, Storage, TopicInfo } from '../storage/storage.js';
import { PeriodicPass } from '../timers/periodic-pass.js';
import { compactionSettings } from './plan.js';

export interface CleanerOptions {
  readonly backoffMs: number;
  readonly now?: () => number;
  /**
   * The partition's last stable offset (transactions): as in Kafka, nothing at or past it is cleaned,
   * so an open transaction's records never displace a key's committed value.
   */
  readonly stableOffset?: (topic: TopicInfo, partition: number) => Promise<bigint>;
}

export interface CleanedPartition extends CompactionResult {
  readonly topic: string;
  readonly partition: number;
}

export class LogCleaner {
  private readonly now: () => number;
  private readonly stableOffset: CleanerOptions['stableOffset'];
  private readonly periodic: PeriodicPass<CleanedPartition[]>;

  constructor(
    private readonly storage: Storage,
    private readonly configs: ConfigRegistry,
    private readonly log: Logger,
    options: CleanerOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.stableOffset = options.stableOffset;
    this.periodic = new PeriodicPass(() => this.pass(), options.backoffMs, log, 'log cleaner pass');
  }

  /** Starts the timer, on a store that can compact. */
  start(): void {
    if (this.storage.compact !== undefined) this.periodic.start();
  }

  stop(): Promise<void> {
    return this.periodic.stop();
  }

  /** Runs a pass now (after the one in progress) and returns the partitions it cleaned. */
  runNow(): Promise<CleanedPartition[]> {
    return this.periodic.runNow();
  }

  private async pass(): Promise<CleanedPartition[]> {
    const compact = this.storage.compact?.bind(this.storage);
    if (compact === undefined) return [];
    const cleaned: CleanedPartition[] = [];
    for (const topic of await this.storage.listTopics()) {
      const settings = compactionSettings(this.configs, topic.configs);
      if (settings === undefined) continue;
      for (let partition = 0; partition < topic.partitions; partition++) {
        try {
          const stable = await this.stableOffset?.(topic, partition);
          const bounded =
            stable === undefined || (settings.maxOffset !== undefined && settings.maxOffset < stable)
              ? settings
              : { ...settings, maxOffset: stable };
          const result = await compact(topic.name, partition, bounded, BigInt(this.now()));
          if (result.cleaned) cleaned.push({ topic: topic.name, partition, ...result });
        } catch (err) {
          // A topic deleted or shrunk under the pass is not a failure.
          if (isKafkaError(err) && err.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) continue;
          this.log.warn({ err, topic: topic.name, partition }, 'compaction failed');
        }
      }
    }
    return cleaned;
  }
}

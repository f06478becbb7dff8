/**
 * What the embedded stores (memory and log) have in common: topics by name, each holding one log per
 * partition, and the read side of the storage interface over those logs. The logs differ (in memory,
 * or segment files read asynchronously); this class only needs what both answer.
 */
import { ErrorCode, KafkaError } from '../protocol/error-codes.js';
import type { ChangeNotifier } from './memory/change-notifier.js';
import type { PartitionOffsets, ReadResult, TimestampLookup, Unsubscribe } from './storage.js';

type MaybePromise<T> = T | Promise<T>;

/** A partition count a topic may have (CreateTopics and CreatePartitions check theirs first). */
export function checkPartitionCount(n: number): void {
  if (!Number.isInteger(n) || n < 1) {
    throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `invalid partition count ${n}`);
  }
}

export interface PartitionReadSide {
  readonly logStartOffset: bigint;
  readonly highWatermark: bigint;
  read(offset: bigint, maxBytes: number): MaybePromise<Buffer[]>;
  offsetForTimestamp(timestamp: bigint): MaybePromise<TimestampLookup | undefined>;
  maxTimestamp(): MaybePromise<TimestampLookup | undefined>;
}

export abstract class PartitionedStore<L extends PartitionReadSide, T extends { readonly logs: L[] }> {
  protected readonly topics = new Map<string, T>();

  protected constructor(protected readonly notifier: ChangeNotifier) {}

  /** The partition's log; throws UNKNOWN_TOPIC_OR_PARTITION like the Storage methods. */
  partitionLog(topic: string, partition: number): L {
    const log = Number.isInteger(partition) ? this.topic(topic).logs[partition] : undefined;
    if (log === undefined) {
      throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown partition ${topic}-${partition}`);
    }
    return log;
  }

  async read(topic: string, partition: number, offset: bigint, maxBytes: number): Promise<ReadResult> {
    const log = this.partitionLog(topic, partition);
    const batches = await log.read(offset, maxBytes);
    return { batches, logStartOffset: log.logStartOffset, highWatermark: log.highWatermark };
  }

  async offsets(topic: string, partition: number): Promise<PartitionOffsets> {
    const log = this.partitionLog(topic, partition);
    return { logStartOffset: log.logStartOffset, highWatermark: log.highWatermark };
  }

  async offsetForTimestamp(
    topic: string,
    partition: number,
    timestamp: bigint,
  ): Promise<TimestampLookup | undefined> {
    return this.partitionLog(topic, partition).offsetForTimestamp(timestamp);
  }

  async maxTimestamp(topic: string, partition: number): Promise<TimestampLookup | undefined> {
    return this.partitionLog(topic, partition).maxTimestamp();
  }

  onChange(topic: string, partition: number, listener: () => void): Unsubscribe {
    return this.notifier.subscribe(topic, partition, listener);
  }

  protected topic(name: string): T {
    const state = this.topics.get(name);
    if (state === undefined) {
      throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown topic '${name}'`);
    }
    return state;
  }
}

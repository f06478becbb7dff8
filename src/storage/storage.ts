/**
 * The storage interface every backend implements (memory, SeaweedMQ, later a local log).
 *
 * It speaks in domain terms — topics, partitions, record batches, offsets — never in wire structs,
 * so a backend does not change when a protocol version does. Failures a client should see are thrown
 * as KafkaError with the Kafka error code (UNKNOWN_TOPIC_OR_PARTITION, OFFSET_OUT_OF_RANGE,
 * CORRUPT_MESSAGE, TOPIC_ALREADY_EXISTS, ...); anything else thrown is an I/O failure or a bug.
 */

import type { LockService } from '../coordination/lock-service.js';
import type { StoreMetrics } from '../metrics/metrics.js';
import { KafkaError } from '../protocol/error-codes.js';
import type { RecordBatch } from '../protocol/records/batch.js';

/**
 * An append that failed after the backend had acknowledged its first `storedRecords` records, stored
 * from `baseOffset` on; what became of the rest is unknown. The idempotent-producer state keeps it so
 * the producer's retry of the batch stores only the rest instead of the whole batch again.
 */
export class PartialAppendError extends KafkaError {
  constructor(
    code: number,
    message: string,
    readonly storedRecords: number,
    readonly baseOffset: bigint,
  ) {
    super(code, message);
  }
}

export type TopicConfigs = Record<string, string>;

export interface TopicInfo {
  readonly name: string;
  /** 32 lowercase hex characters: the topic's UUID as Kafka carries it. */
  readonly id: string;
  readonly partitions: number;
  /** Only the configs set on the topic; defaults are the broker's business. */
  readonly configs: TopicConfigs;
}

export interface CreateTopicSpec {
  readonly name: string;
  readonly partitions: number;
  readonly configs: TopicConfigs;
}

export interface AppendOptions {
  /** When set, the batch is stamped with this log-append time (ms) instead of keeping CreateTime. */
  readonly logAppendTimeMs?: bigint;
  /**
   * The producer asked for acks=-1 (all): resolve only once the records would survive a restart of
   * the store. A store that persists every append before resolving can ignore it.
   */
  readonly durable?: boolean;
  /**
   * Views of the batches in the appended bytes, in order, already validated by the produce path
   * (header, CRC-32C and every record: src/protocol/records/validate.ts). A store may use them
   * instead of walking the bytes again; without them it validates the header and CRC itself.
   */
  readonly validated?: readonly RecordBatch[];
  /**
   * Who wrote the batches (Kafka's AppendOrigin). 'coordinator': the transaction coordinator's
   * markers (control batches), to which the checks made on client batches do not apply. Default 'client'.
   */
  readonly origin?: 'client' | 'coordinator';
}

export interface AppendResult {
  /** Offset assigned to the first record of the first batch. */
  readonly baseOffset: bigint;
  /** Log-append time used, or -1n when the topic keeps CreateTime. */
  readonly logAppendTimeMs: bigint;
  readonly logStartOffset: bigint;
}

export interface PartitionOffsets {
  /** First offset still held. */
  readonly logStartOffset: bigint;
  /** Offset the next appended record gets (Kafka's high watermark with a single replica). */
  readonly highWatermark: bigint;
}

export interface ReadResult extends PartitionOffsets {
  /**
   * Whole record batches (magic 2) in offset order, the first holding the requested offset. Their
   * total size stays within maxBytes, except that one batch is always returned when any exists at the
   * offset, even if larger (KIP-74).
   */
  readonly batches: Buffer[];
}

export interface TimestampLookup {
  readonly offset: bigint;
  readonly timestamp: bigint;
}

export interface CommittedOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly leaderEpoch: number;
  readonly metadata: string | null;
  readonly commitTimestampMs: bigint;
}

/** What the cleaner of a compacted topic (cleanup.policy=compact) works by; see src/compaction/. */
export interface CompactionSettings {
  /** How long a tombstone stays readable after the cleaning that first kept it (delete.retention.ms). */
  readonly deleteRetentionMs: bigint;
  /** Clean only when dirty bytes / (clean + dirty bytes) reach this (min.cleanable.dirty.ratio)... */
  readonly minCleanableDirtyRatio: number;
  /** ...or when dirty records are older than this (max.compaction.lag.ms). */
  readonly maxCompactionLagMs: bigint;
  /** Records younger than this stay uncleaned (min.compaction.lag.ms). */
  readonly minCompactionLagMs: bigint;
  /** Never clean at or past this offset (a last stable offset); undefined: no such bound. */
  readonly maxOffset?: bigint;
}

export interface CompactionResult {
  /** Whether the partition was cleaned (false: nothing cleanable, or below the dirty ratio). */
  readonly cleaned: boolean;
  /** Dirty bytes / (clean + dirty bytes) before cleaning. */
  readonly dirtyRatio: number;
  /** First offset not cleaned yet, after this pass. */
  readonly firstDirtyOffset: bigint;
  readonly recordsRead: number;
  readonly recordsKept: number;
  readonly bytesBefore: number;
  readonly bytesAfter: number;
}

/** One partition's share of a log directory, as DescribeLogDirs reports it. */
export interface LogDirPartition {
  readonly topic: string;
  readonly partition: number;
  /** Bytes the partition takes in this directory. */
  readonly sizeBytes: bigint;
  /** Files the partition's log is kept in, when the store has segments (metrics only). */
  readonly segments?: number;
}

/** Where a store keeps partitions: a directory, or what stands for one (an address, "memory"). */
export interface LogDir {
  readonly path: string;
  /** Size and free space of the volume holding it, when known. */
  readonly totalBytes?: bigint;
  readonly usableBytes?: bigint;
  readonly partitions: readonly LogDirPartition[];
}

/** Something a long-polling reader can wait on; fired after appends (and deletes) on a partition. */
export type Unsubscribe = () => void;

export interface Storage {
  /** Short name for logs and docs ("memory", "log", "seaweedmq"). */
  readonly kind: string;
  /**
   * Whether read() returns batches with the headers they were appended with (producer id, epoch,
   * sequence, attributes), so state kept above the store can be rebuilt by replaying the log
   * (src/producers/snapshots.ts). A store that re-batches records leaves it unset.
   */
  readonly keepsBatchHeaders?: boolean;
  /**
   * Whether append() assigns offsets and queues the batches before it first yields, so an append
   * called later to the same partition always lands after it: Produce requests of one connection may
   * then be pipelined (the next handled while this one is written and fsynced).
   */
  readonly appendsInCallOrder?: boolean;

  start(): Promise<void>;
  close(): Promise<void>;

  // ---- topics ----
  createTopic(spec: CreateTopicSpec): Promise<TopicInfo>;
  /** Removes the topic and all its records; wakes readers waiting on it. */
  deleteTopic(name: string): Promise<void>;
  listTopics(): Promise<TopicInfo[]>;
  describeTopic(name: string): Promise<TopicInfo | undefined>;
  /** Grows the topic to `total` partitions; existing partitions keep their records and offsets. */
  createPartitions(name: string, total: number): Promise<TopicInfo>;
  /** Replaces the topic's configs with exactly these. */
  setTopicConfigs(name: string, configs: TopicConfigs): Promise<TopicInfo>;

  // ---- records ----
  /**
   * Appends one or more v2 record batches (as a client sent them). The store validates them (magic,
   * sizes, CRC-32C) and throws CORRUPT_MESSAGE without storing anything if any is invalid, then
   * assigns offsets by stamping each batch's base offset.
   */
  append(topic: string, partition: number, batches: Buffer, options?: AppendOptions): Promise<AppendResult>;
  read(topic: string, partition: number, offset: bigint, maxBytes: number): Promise<ReadResult>;
  offsets(topic: string, partition: number): Promise<PartitionOffsets>;
  /** First offset whose record timestamp is >= timestamp, or undefined when none is. */
  offsetForTimestamp(
    topic: string,
    partition: number,
    timestamp: bigint,
  ): Promise<TimestampLookup | undefined>;
  /** The record with the largest timestamp (the first such offset), or undefined when empty. */
  maxTimestamp(topic: string, partition: number): Promise<TimestampLookup | undefined>;
  /** Advances the log start offset to `offset` (DeleteRecords); returns the new log start offset. */
  deleteRecordsBefore(topic: string, partition: number, offset: bigint): Promise<bigint>;
  /** Calls `listener` once the next time the partition changes. */
  onChange(topic: string, partition: number, listener: () => void): Unsubscribe;
  /**
   * Optional retention capability: drops whole batches from the start while their newest timestamp is
   * more than retentionMs before nowMs, and while the partition stays at or above retentionBytes without
   * them (negative limits: none); returns the log start offset. A store without it gets time-based
   * retention from offsetForTimestamp and deleteRecordsBefore (src/retention/).
   */
  enforceRetention?(
    topic: string,
    partition: number,
    nowMs: bigint,
    retentionMs: bigint,
    retentionBytes: bigint,
  ): Promise<bigint>;

  /**
   * Optional compaction capability: keeps the latest record of every key (offsets unchanged, see
   * src/compaction/), when the partition is dirty enough by `settings`. A store without it keeps
   * every record of a compacted topic.
   */
  compact?(
    topic: string,
    partition: number,
    settings: CompactionSettings,
    nowMs: bigint,
  ): Promise<CompactionResult>;

  // ---- operations (optional: a store without them reports less) ----
  /** The store's directories and partition sizes (DescribeLogDirs, size metrics). */
  describeLogDirs?(): Promise<LogDir[]>;
  /** Gives the store where to report its own metrics (call latencies, events); called once, before start(). */
  attachMetrics?(metrics: StoreMetrics): void;

  // ---- committed offsets ----
  commitOffsets(group: string, offsets: readonly CommittedOffset[]): Promise<void>;
  fetchOffsets(group: string): Promise<CommittedOffset[]>;
  deleteOffsets(group: string, partitions: readonly { topic: string; partition: number }[]): Promise<void>;
  listOffsetGroups(): Promise<string[]>;

  // ---- small metadata (group state, producer ids, ...) ----
  kvGet(namespace: string, key: string): Promise<Buffer | undefined>;
  kvPut(namespace: string, key: string, value: Buffer): Promise<void>;
  kvDelete(namespace: string, key: string): Promise<void>;
  kvList(namespace: string): Promise<Map<string, Buffer>>;

  /**
   * Optional: named expiring locks shared by every gateway on this store. With them, gateways share
   * the coordination of consumer groups and move it off a gateway that stops (src/coordination/).
   */
  readonly locks?: LockService;
}

import type { Logger } from 'pino';
import { ErrorCode, isKafkaError } from '../protocol/error-codes.js';
import type { CommittedOffset } from '../storage/storage.js';
import type { Group } from './group.js';
import { encodeGroup } from './group-codec.js';
import type { OffsetEntry } from './offsets.js';
import { GROUPS_NAMESPACE, type GroupStore } from './store.js';
import { encodeTxnOffsets, TXN_OFFSETS_NAMESPACE, txnOffsetsKey } from './txn-offsets-codec.js';
import type { TopicPartition } from './types.js';

/** Write failures both of Kafka's translations agree on. */
const COMMON_WRITE_ERRORS: readonly (readonly [number, number])[] = [
  [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.COORDINATOR_NOT_AVAILABLE],
  [ErrorCode.NOT_ENOUGH_REPLICAS, ErrorCode.COORDINATOR_NOT_AVAILABLE],
  [ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND, ErrorCode.COORDINATOR_NOT_AVAILABLE],
  [ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.NOT_COORDINATOR],
  [ErrorCode.KAFKA_STORAGE_ERROR, ErrorCode.NOT_COORDINATOR],
];
const TOO_LARGE = [
  ErrorCode.MESSAGE_TOO_LARGE,
  ErrorCode.RECORD_LIST_TOO_LARGE,
  ErrorCode.INVALID_FETCH_SIZE,
];

const GROUP_WRITE_ERRORS = new Map<number, number>([
  ...COMMON_WRITE_ERRORS,
  [ErrorCode.REQUEST_TIMED_OUT, ErrorCode.REBALANCE_IN_PROGRESS],
  ...TOO_LARGE.map((c) => [c, ErrorCode.UNKNOWN_SERVER_ERROR] as const),
]);

const OFFSET_WRITE_ERRORS = new Map<number, number>([
  ...COMMON_WRITE_ERRORS,
  [ErrorCode.NETWORK_EXCEPTION, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS],
  ...TOO_LARGE.map((c) => [c, ErrorCode.INVALID_COMMIT_OFFSET_SIZE] as const),
]);

/** Anything that is not a KafkaError is an I/O failure of the backend, treated as KAFKA_STORAGE_ERROR. */
function translate(err: unknown, table: ReadonlyMap<number, number>): number {
  if (!isKafkaError(err)) return ErrorCode.NOT_COORDINATOR;
  return table.get(err.code) ?? err.code;
}

/** Kafka's translation of a failed group-metadata write into what the member is told. */
export function groupWriteErrorCode(err: unknown): number {
  return translate(err, GROUP_WRITE_ERRORS);
}

/** Kafka's translation of a failed offset-commit write (GroupMetadataManager.maybeConvertOffsetCommitError). */
export function offsetWriteErrorCode(err: unknown): number {
  return translate(err, OFFSET_WRITE_ERRORS);
}

export function toCommitted(e: OffsetEntry): CommittedOffset {
  return {
    topic: e.topic,
    partition: e.partition,
    offset: e.offset,
    leaderEpoch: e.leaderEpoch,
    metadata: e.metadata,
    commitTimestampMs: BigInt(e.commitTimestampMs),
  };
}

export function fromCommitted(c: CommittedOffset): OffsetEntry {
  return {
    topic: c.topic,
    partition: c.partition,
    offset: c.offset,
    leaderEpoch: c.leaderEpoch,
    metadata: c.metadata,
    commitTimestampMs: Number(c.commitTimestampMs),
    expireTimestampMs: undefined,
  };
}

/**
 * The coordinator's writes. Each group's writes are chained, so they reach the store in the order they
 * were issued (as appends to Kafka's offsets partition are), whatever the backend's own concurrency.
 */
export class GroupPersistence {
  constructor(
    readonly store: GroupStore,
    private readonly log: Logger,
  ) {}

  private enqueue<T>(group: Group, op: () => Promise<T>): Promise<T> {
    const result = group.writes.then(op);
    group.writes = result.catch(() => undefined);
    return result;
  }

  /** Persists the group's metadata with the given assignment; resolves to an error code (NONE on success). */
  storeGroup(group: Group, assignment: ReadonlyMap<string, Buffer>): Promise<number> {
    const value = encodeGroup(group, assignment);
    return this.enqueue(group, () => this.store.kvPut(GROUPS_NAMESPACE, group.groupId, value)).then(
      () => ErrorCode.NONE,
      (err: unknown) => {
        this.log.warn({ err, groupId: group.groupId }, 'failed to store group metadata');
        return groupWriteErrorCode(err);
      },
    );
  }

  /** Resolves to an error code (NONE on success). */
  commitOffsets(group: Group, entries: readonly OffsetEntry[]): Promise<number> {
    const offsets = entries.map(toCommitted);
    return this.enqueue(group, () => this.store.commitOffsets(group.groupId, offsets)).then(
      () => ErrorCode.NONE,
      (err: unknown) => {
        this.log.warn({ err, groupId: group.groupId }, 'failed to commit offsets');
        return offsetWriteErrorCode(err);
      },
    );
  }

  /** Persists a producer's pending transactional offsets for the group; resolves to an error code. */
  storeTxnOffsets(group: Group, producerId: bigint, entries: readonly OffsetEntry[]): Promise<number> {
    const value = encodeTxnOffsets(group.groupId, producerId, entries);
    const key = txnOffsetsKey(group.groupId, producerId);
    return this.enqueue(group, () => this.store.kvPut(TXN_OFFSETS_NAMESPACE, key, value)).then(
      () => ErrorCode.NONE,
      (err: unknown) => {
        this.log.warn({ err, groupId: group.groupId }, 'failed to store transactional offsets');
        return offsetWriteErrorCode(err);
      },
    );
  }

  /** Forgets a producer's pending transactional offsets once its transaction is over. */
  removeTxnOffsets(group: Group, producerId: bigint): Promise<number> {
    const key = txnOffsetsKey(group.groupId, producerId);
    return this.enqueue(group, () => this.store.kvDelete(TXN_OFFSETS_NAMESPACE, key)).then(
      () => ErrorCode.NONE,
      (err: unknown) => {
        this.log.warn({ err, groupId: group.groupId }, 'failed to remove transactional offsets');
        return offsetWriteErrorCode(err);
      },
    );
  }

  /**
   * Removes offsets and, when `removeGroup`, the group's metadata. Failures are logged only: like Kafka's
   * tombstones, the in-memory removal stands.
   */
  async remove(group: Group, partitions: readonly TopicPartition[], removeGroup: boolean): Promise<void> {
    try {
      await this.enqueue(group, async () => {
        if (partitions.length > 0) await this.store.deleteOffsets(group.groupId, partitions);
        if (removeGroup) await this.store.kvDelete(GROUPS_NAMESPACE, group.groupId);
      });
    } catch (err) {
      this.log.warn({ err, groupId: group.groupId }, 'failed to remove offsets or group metadata');
    }
  }
}

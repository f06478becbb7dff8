/**
 * Writes of transactional-id metadata to the store (Kafka's transaction log). A transition is marked
 * pending while it is written, so other requests for the id get CONCURRENT_TRANSACTIONS, and only a
 * successful write changes the entry, as Kafka updates its cache only after the log append.
 */
import type { Logger } from 'pino';
import { ErrorCode, isKafkaError } from '../protocol/error-codes.js';
import type { Storage } from '../storage/storage.js';
import type { TxnEntry } from './decisions.js';
import { encodeTxn, TRANSACTIONS_NAMESPACE } from './txn-codec.js';
import type { TxnMetadata } from './types.js';

export type TxnStore = Pick<Storage, 'kvGet' | 'kvPut' | 'kvDelete' | 'kvList'>;

/** Kafka's translation of a failed transaction-log append into what the client is told. */
const WRITE_ERRORS = new Map<number, number>([
  [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.COORDINATOR_NOT_AVAILABLE],
  [ErrorCode.NOT_ENOUGH_REPLICAS, ErrorCode.COORDINATOR_NOT_AVAILABLE],
  [ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND, ErrorCode.COORDINATOR_NOT_AVAILABLE],
  [ErrorCode.REQUEST_TIMED_OUT, ErrorCode.COORDINATOR_NOT_AVAILABLE],
  [ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.NOT_COORDINATOR],
  [ErrorCode.KAFKA_STORAGE_ERROR, ErrorCode.NOT_COORDINATOR],
  [ErrorCode.MESSAGE_TOO_LARGE, ErrorCode.UNKNOWN_SERVER_ERROR],
  [ErrorCode.RECORD_LIST_TOO_LARGE, ErrorCode.UNKNOWN_SERVER_ERROR],
]);

/** Anything that is not a KafkaError is an I/O failure of the store, answered as Kafka answers a storage error. */
export function txnWriteErrorCode(err: unknown): number {
  if (!isKafkaError(err)) return ErrorCode.NOT_COORDINATOR;
  return WRITE_ERRORS.get(err.code) ?? err.code;
}

export class TxnLog {
  constructor(
    readonly store: TxnStore,
    private readonly log: Logger,
  ) {}

  /** Writes `next` for the entry (after `before`, if given); resolves to an error code, NONE on success. */
  async transition(entry: TxnEntry, next: TxnMetadata, before?: () => Promise<void>): Promise<number> {
    entry.pending = next.state;
    try {
      if (before !== undefined) await before();
      await this.store.kvPut(TRANSACTIONS_NAMESPACE, next.transactionalId, encodeTxn(next));
      entry.metadata = next;
      return ErrorCode.NONE;
    } catch (err) {
      this.log.warn(
        { err, transactionalId: next.transactionalId, state: next.state },
        'failed to write transaction state',
      );
      return txnWriteErrorCode(err);
    } finally {
      entry.pending = undefined;
    }
  }

  /** Writes without marking the entry pending (the caller holds it pending); throws on failure. */
  async put(next: TxnMetadata): Promise<void> {
    await this.store.kvPut(TRANSACTIONS_NAMESPACE, next.transactionalId, encodeTxn(next));
  }

  /** Removes an expired transactional id; false when the store refused. */
  async remove(transactionalId: string): Promise<boolean> {
    try {
      await this.store.kvDelete(TRANSACTIONS_NAMESPACE, transactionalId);
      return true;
    } catch (err) {
      this.log.warn({ err, transactionalId }, 'failed to remove expired transactional id');
      return false;
    }
  }
}

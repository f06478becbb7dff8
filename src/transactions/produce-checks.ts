/**
 * The transaction rules a Produce must pass before its batch is appended (Kafka 3.9): a
 * transactional batch must go to a partition its producer added to its open transaction (KIP-890
 * verification), and a producer with a transaction open on the partition may not write outside it.
 */
import { ErrorCode } from '../protocol/error-codes.js';
import type { RecordBatch } from '../protocol/records/batch.js';
import type { TopicInfo } from '../storage/storage.js';
import type { TransactionCoordinator } from './coordinator.js';
import type { TxnPartitions } from './partitions.js';

export interface ProduceRefusal {
  readonly errorCode: number;
  readonly message: string;
}

/** Whether the batch needs the (asynchronous) check at all: cheap enough for every produce. */
export function needsTransactionCheck(
  partitions: TxnPartitions,
  topic: TopicInfo,
  partition: number,
  first: RecordBatch,
): boolean {
  return first.isTransactional || (first.producerId >= 0n && partitions.isTracked(topic.id, partition));
}

/** How Kafka's produce path reports what the coordinator's verification answered. */
function fromVerification(code: number): ProduceRefusal | undefined {
  switch (code) {
    case ErrorCode.NONE:
      return undefined;
    case ErrorCode.TRANSACTION_ABORTABLE:
      return {
        errorCode: ErrorCode.INVALID_TXN_STATE,
        message: 'Partition was not added to the transaction',
      };
    case ErrorCode.PRODUCER_FENCED:
      return {
        errorCode: ErrorCode.INVALID_PRODUCER_EPOCH,
        message: 'The producer epoch is not the current one',
      };
    case ErrorCode.CONCURRENT_TRANSACTIONS:
    case ErrorCode.COORDINATOR_LOAD_IN_PROGRESS:
    case ErrorCode.COORDINATOR_NOT_AVAILABLE:
    case ErrorCode.NOT_COORDINATOR:
      // Retriable for every client version, and no metadata refresh (as Kafka picks it).
      return {
        errorCode: ErrorCode.NOT_ENOUGH_REPLICAS,
        message: `Unable to verify the partition has been added to the transaction (error ${code})`,
      };
    default:
      return { errorCode: code, message: 'Transaction verification failed' };
  }
}

export async function checkTransactionalProduce(
  coordinator: TransactionCoordinator,
  partitions: TxnPartitions,
  topic: TopicInfo,
  partition: number,
  first: RecordBatch,
  transactionalId: string | null,
): Promise<ProduceRefusal | undefined> {
  const producerId = first.producerId;
  const open = partitions.hasOngoing(topic.id, partition, producerId);
  if (!first.isTransactional) {
    if (!open) return undefined;
    return {
      errorCode: ErrorCode.INVALID_TXN_STATE,
      message: `Expected transactional write from producer ${producerId} in partition ${topic.name}-${partition}`,
    };
  }
  // Only the first batch of a transaction on a partition is verified, as Kafka does; requests
  // without a transactional id (Produce v0-2) cannot be.
  if (open || transactionalId === null) return undefined;
  const verdict = await coordinator.verify(transactionalId, producerId, first.producerEpoch, [
    { topic: topic.name, partition },
  ]);
  return fromVerification('errorCode' in verdict ? verdict.errorCode : verdict.results[0]!);
}

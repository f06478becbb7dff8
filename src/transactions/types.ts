/** The transaction coordinator's data, in Kafka's terms (TransactionMetadata and its states). */

export type TxnState =
  | 'Empty'
  | 'Ongoing'
  | 'PrepareCommit'
  | 'PrepareAbort'
  | 'CompleteCommit'
  | 'CompleteAbort'
  | 'Dead'
  | 'PrepareEpochFence';

export const TXN_STATES: readonly TxnState[] = [
  'Empty',
  'Ongoing',
  'PrepareCommit',
  'PrepareAbort',
  'CompleteCommit',
  'CompleteAbort',
  'Dead',
  'PrepareEpochFence',
];

export const NO_PRODUCER_ID = -1n;
export const NO_PRODUCER_EPOCH = -1;
/** Epochs at or above this one are exhausted: the coordinator must keep one epoch to fence with. */
export const EXHAUSTED_EPOCH = 32766;

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** One transactional id's state, as persisted; replaced whole on every transition. */
export interface TxnMetadata {
  readonly transactionalId: string;
  readonly producerId: bigint;
  /** The producer id before the last rotation, so a retried InitProducerId can be recognised. */
  readonly lastProducerId: bigint;
  readonly producerEpoch: number;
  readonly lastProducerEpoch: number;
  readonly txnTimeoutMs: number;
  readonly state: TxnState;
  /** Data partitions of the open transaction, sorted by topic then partition. */
  readonly partitions: readonly TopicPartition[];
  /** Consumer groups whose offsets the open transaction commits (AddOffsetsToTxn), sorted. */
  readonly groups: readonly string[];
  /** When the first partition or group was added; -1 outside a transaction. */
  readonly txnStartTimestamp: number;
  readonly txnLastUpdateTimestamp: number;
}

export type TxnResult = 'commit' | 'abort';

export interface ProducerIdAndEpoch {
  readonly producerId: bigint;
  readonly producerEpoch: number;
}

/** What completing a transaction writes: a marker to each partition, the outcome to each group. */
export interface MarkerJob {
  readonly transactionalId: string;
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly result: TxnResult;
  readonly partitions: readonly TopicPartition[];
  readonly groups: readonly string[];
}

export function isEpochExhausted(epoch: number): boolean {
  return epoch >= EXHAUSTED_EPOCH;
}

export function partitionKey(tp: TopicPartition): string {
  return `${tp.partition}:${tp.topic}`;
}

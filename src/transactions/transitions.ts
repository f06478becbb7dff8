/**
 * The transitions of a transactional id's metadata (Kafka's TransactionMetadata.prepare*): each builds
 * the next value from the current one and refuses a transition Kafka never makes, which would be a bug.
 */
import {
  isEpochExhausted,
  NO_PRODUCER_EPOCH,
  partitionKey,
  type TopicPartition,
  type TxnMetadata,
  type TxnState,
} from './types.js';

const VALID_PREVIOUS: Record<TxnState, readonly TxnState[]> = {
  Empty: ['Empty', 'CompleteCommit', 'CompleteAbort'],
  Ongoing: ['Ongoing', 'Empty', 'CompleteCommit', 'CompleteAbort'],
  PrepareCommit: ['Ongoing'],
  PrepareAbort: ['Ongoing', 'PrepareEpochFence'],
  CompleteCommit: ['PrepareCommit'],
  CompleteAbort: ['PrepareAbort'],
  Dead: ['Empty', 'CompleteAbort', 'CompleteCommit'],
  PrepareEpochFence: ['Ongoing'],
};

export class IllegalTransitionError extends Error {}

function transition(from: TxnMetadata, to: Partial<TxnMetadata> & { state: TxnState }): TxnMetadata {
  if (!VALID_PREVIOUS[to.state].includes(from.state)) {
    throw new IllegalTransitionError(
      `transactional id ${from.transactionalId}: no transition from ${from.state} to ${to.state}`,
    );
  }
  return { ...from, ...to };
}

export function newMetadata(
  transactionalId: string,
  producerId: bigint,
  txnTimeoutMs: number,
  now: number,
): TxnMetadata {
  return {
    transactionalId,
    producerId,
    lastProducerId: -1n,
    producerEpoch: NO_PRODUCER_EPOCH,
    lastProducerEpoch: NO_PRODUCER_EPOCH,
    txnTimeoutMs,
    state: 'Empty',
    partitions: [],
    groups: [],
    txnStartTimestamp: -1,
    txnLastUpdateTimestamp: now,
  };
}

export type EpochBump = { readonly metadata: TxnMetadata } | { readonly fenced: true };

/**
 * InitProducerId without a new producer id. With an expected epoch (KIP-360) the producer is
 * recovering: it gets the next epoch if it holds the current one, the current epoch again if this is
 * a retry of a bump it never heard about, and is fenced otherwise.
 */
export function incrementEpoch(
  m: TxnMetadata,
  txnTimeoutMs: number,
  expectedEpoch: number | undefined,
  now: number,
): EpochBump {
  if (isEpochExhausted(m.producerEpoch)) {
    throw new IllegalTransitionError(`producer id ${m.producerId} has no epoch left`);
  }
  const bumped = m.producerEpoch + 1;
  let epochs: [number, number];
  if (expectedEpoch === undefined) epochs = [bumped, NO_PRODUCER_EPOCH];
  else if (m.producerEpoch === NO_PRODUCER_EPOCH || expectedEpoch === m.producerEpoch) {
    epochs = [bumped, m.producerEpoch];
  } else if (expectedEpoch === m.lastProducerEpoch) epochs = [m.producerEpoch, m.lastProducerEpoch];
  else return { fenced: true };
  return {
    metadata: transition(m, {
      state: 'Empty',
      lastProducerId: m.producerId,
      producerEpoch: epochs[0],
      lastProducerEpoch: epochs[1],
      txnTimeoutMs,
      partitions: [],
      groups: [],
      txnStartTimestamp: -1,
      txnLastUpdateTimestamp: now,
    }),
  };
}

/** InitProducerId when the epoch is exhausted: a new producer id at epoch 0. */
export function rotateProducerId(
  m: TxnMetadata,
  newProducerId: bigint,
  txnTimeoutMs: number,
  now: number,
  recordLastEpoch: boolean,
): TxnMetadata {
  return transition(m, {
    state: 'Empty',
    producerId: newProducerId,
    lastProducerId: m.producerId,
    producerEpoch: 0,
    lastProducerEpoch: recordLastEpoch ? m.producerEpoch : NO_PRODUCER_EPOCH,
    txnTimeoutMs,
    partitions: [],
    groups: [],
    txnStartTimestamp: -1,
    txnLastUpdateTimestamp: now,
  });
}

function sortPartitions(tps: Iterable<TopicPartition>): TopicPartition[] {
  const byKey = new Map<string, TopicPartition>();
  for (const tp of tps) byKey.set(partitionKey(tp), { topic: tp.topic, partition: tp.partition });
  return [...byKey.values()].sort((a, b) =>
    a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1,
  );
}

/** AddPartitionsToTxn / AddOffsetsToTxn: the transaction starts (or goes on) with these in it. */
export function addToTransaction(
  m: TxnMetadata,
  partitions: readonly TopicPartition[],
  groups: readonly string[],
  now: number,
): TxnMetadata {
  const starting = m.state === 'Empty' || m.state === 'CompleteCommit' || m.state === 'CompleteAbort';
  return transition(m, {
    state: 'Ongoing',
    partitions: sortPartitions([...m.partitions, ...partitions]),
    groups: [...new Set([...m.groups, ...groups])].sort(),
    txnStartTimestamp: starting ? now : m.txnStartTimestamp,
    txnLastUpdateTimestamp: now,
  });
}

export function prepareEnd(m: TxnMetadata, commit: boolean, now: number): TxnMetadata {
  return transition(m, { state: commit ? 'PrepareCommit' : 'PrepareAbort', txnLastUpdateTimestamp: now });
}

/**
 * The epoch a fenced transaction is aborted with: one above the current, unless a previous fence failed
 * to be written, in which case that epoch was never handed out and is used again.
 */
export function fencedEpoch(m: TxnMetadata, failedFence: boolean): number {
  if (m.producerEpoch >= 32767) throw new IllegalTransitionError('cannot fence a producer at epoch 32767');
  return failedFence ? m.producerEpoch : m.producerEpoch + 1;
}

/** An epoch fence (timeout, or a new producer while a transaction is open) aborts with a bumped epoch. */
export function prepareFencedAbort(m: TxnMetadata, epoch: number, now: number): TxnMetadata {
  const fencing = transition(m, { state: 'PrepareEpochFence' });
  return transition(fencing, {
    state: 'PrepareAbort',
    producerEpoch: epoch,
    lastProducerEpoch: NO_PRODUCER_EPOCH,
    txnLastUpdateTimestamp: now,
  });
}

/** Markers written: the transaction is over. */
export function complete(m: TxnMetadata, now: number): TxnMetadata {
  return transition(m, {
    state: m.state === 'PrepareCommit' ? 'CompleteCommit' : 'CompleteAbort',
    partitions: [],
    groups: [],
    txnLastUpdateTimestamp: now,
  });
}

export function hasPendingTransaction(m: TxnMetadata): boolean {
  return m.state === 'Ongoing' || m.state === 'PrepareAbort' || m.state === 'PrepareCommit';
}

export function containsPartition(m: TxnMetadata, tp: TopicPartition): boolean {
  return m.partitions.some((p) => p.topic === tp.topic && p.partition === tp.partition);
}

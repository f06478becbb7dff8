/** DescribeTransactions and ListTransactions answers built from the coordinator's entries. */
import { ErrorCode } from '../protocol/error-codes.js';
import type { TxnEntry } from './decisions.js';
import { OFFSETS_TOPIC, offsetsPartitionFor } from './offsets-topic.js';
import { TXN_STATES, type TxnState } from './types.js';

export interface DescribedTxn {
  readonly errorCode: number;
  readonly transactionalId: string;
  readonly transactionState: string;
  readonly transactionTimeoutMs: number;
  readonly transactionStartTimeMs: bigint;
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly topics: { topic: string; partitions: number[] }[];
}

export interface ListFilter {
  readonly states: readonly string[];
  readonly producerIds: readonly bigint[];
  /** Only transactions running longer than this (ms); negative: no filter. */
  readonly durationMs: bigint;
}

export interface ListedTxns {
  readonly errorCode: number;
  readonly unknownStateFilters: string[];
  readonly transactions: { transactionalId: string; producerId: bigint; transactionState: string }[];
}

export function describeEntry(
  transactionalId: string,
  entry: TxnEntry | undefined,
  errorCode: number,
): DescribedTxn {
  const none: DescribedTxn = {
    errorCode,
    transactionalId,
    transactionState: '',
    transactionTimeoutMs: 0,
    transactionStartTimeMs: -1n,
    producerId: -1n,
    producerEpoch: -1,
    topics: [],
  };
  if (errorCode !== ErrorCode.NONE) return none;
  // An id being expired is already gone for Kafka.
  if (entry === undefined || entry.metadata.state === 'Dead' || entry.pending === 'Dead') {
    return { ...none, errorCode: ErrorCode.TRANSACTIONAL_ID_NOT_FOUND };
  }
  const m = entry.metadata;
  const topics = new Map<string, number[]>();
  const add = (topic: string, partition: number): void => {
    const list = topics.get(topic);
    if (list === undefined) topics.set(topic, [partition]);
    else if (!list.includes(partition)) list.push(partition);
  };
  for (const tp of m.partitions) add(tp.topic, tp.partition);
  for (const group of m.groups) add(OFFSETS_TOPIC, offsetsPartitionFor(group));
  return {
    errorCode: ErrorCode.NONE,
    transactionalId,
    transactionState: m.state,
    transactionTimeoutMs: m.txnTimeoutMs,
    transactionStartTimeMs: BigInt(m.txnStartTimestamp),
    producerId: m.producerId,
    producerEpoch: m.producerEpoch,
    topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })),
  };
}

export function listEntries(entries: Iterable<TxnEntry>, filter: ListFilter, now: number): ListedTxns {
  const unknownStateFilters = filter.states.filter((s) => !TXN_STATES.includes(s as TxnState));
  const states = new Set(filter.states);
  const producerIds = new Set(filter.producerIds);
  const transactions: ListedTxns['transactions'] = [];
  for (const e of entries) {
    const m = e.metadata;
    if (m.state === 'Dead' || e.pending === 'Dead') continue;
    if (producerIds.size > 0 && !producerIds.has(m.producerId)) continue;
    if (states.size > 0 && !states.has(m.state)) continue;
    if (filter.durationMs >= 0n && BigInt(now - m.txnStartTimestamp) <= filter.durationMs) continue;
    transactions.push({
      transactionalId: m.transactionalId,
      producerId: m.producerId,
      transactionState: m.state,
    });
  }
  return { errorCode: ErrorCode.NONE, unknownStateFilters, transactions };
}

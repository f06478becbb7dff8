/**
 * A transactional id's metadata as persisted in the kv namespace "transactions" (Kafka's
 * TransactionLogValue): JSON, with 64-bit ids as decimal strings.
 */
import { TXN_STATES, type TopicPartition, type TxnMetadata, type TxnState } from './types.js';

export const TRANSACTIONS_NAMESPACE = 'transactions';

interface StoredTxn {
  version: 1;
  producerId: string;
  lastProducerId: string;
  producerEpoch: number;
  lastProducerEpoch: number;
  txnTimeoutMs: number;
  state: TxnState;
  partitions: { topic: string; partition: number }[];
  groups: string[];
  txnStartTimestamp: number;
  txnLastUpdateTimestamp: number;
}

export function encodeTxn(m: TxnMetadata): Buffer {
  const stored: StoredTxn = {
    version: 1,
    producerId: m.producerId.toString(),
    lastProducerId: m.lastProducerId.toString(),
    producerEpoch: m.producerEpoch,
    lastProducerEpoch: m.lastProducerEpoch,
    txnTimeoutMs: m.txnTimeoutMs,
    state: m.state,
    partitions: m.partitions.map((p) => ({ topic: p.topic, partition: p.partition })),
    groups: [...m.groups],
    txnStartTimestamp: m.txnStartTimestamp,
    txnLastUpdateTimestamp: m.txnLastUpdateTimestamp,
  };
  return Buffer.from(JSON.stringify(stored), 'utf8');
}

function int(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v))
    throw new Error(`stored transaction: ${what} is not an integer`);
  return v;
}

function id(v: unknown, what: string): bigint {
  if (typeof v !== 'string' || !/^-?\d+$/.test(v))
    throw new Error(`stored transaction: ${what} is not an id`);
  return BigInt(v);
}

function partitions(v: unknown): TopicPartition[] {
  if (!Array.isArray(v)) throw new Error('stored transaction: partitions is not a list');
  return v.map((p: { topic?: unknown; partition?: unknown }) => {
    if (typeof p.topic !== 'string') throw new Error('stored transaction: partition without topic');
    return { topic: p.topic, partition: int(p.partition, 'partition') };
  });
}

export function decodeTxn(transactionalId: string, bytes: Buffer): TxnMetadata {
  const s = JSON.parse(bytes.toString('utf8')) as Partial<Record<keyof StoredTxn, unknown>>;
  if (s.version !== 1) throw new Error(`stored transaction: unknown version ${String(s.version)}`);
  if (!TXN_STATES.includes(s.state as TxnState))
    throw new Error(`stored transaction: bad state ${String(s.state)}`);
  if (!Array.isArray(s.groups) || !s.groups.every((g) => typeof g === 'string')) {
    throw new Error('stored transaction: groups is not a list of names');
  }
  return {
    transactionalId,
    producerId: id(s.producerId, 'producerId'),
    lastProducerId: id(s.lastProducerId, 'lastProducerId'),
    producerEpoch: int(s.producerEpoch, 'producerEpoch'),
    lastProducerEpoch: int(s.lastProducerEpoch, 'lastProducerEpoch'),
    txnTimeoutMs: int(s.txnTimeoutMs, 'txnTimeoutMs'),
    state: s.state as TxnState,
    partitions: partitions(s.partitions),
    groups: s.groups as string[],
    txnStartTimestamp: int(s.txnStartTimestamp, 'txnStartTimestamp'),
    txnLastUpdateTimestamp: int(s.txnLastUpdateTimestamp, 'txnLastUpdateTimestamp'),
  };
}

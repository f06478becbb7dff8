/**
 * What the coordinator decides for each request, given a transactional id's current entry: Kafka's
 * TransactionCoordinator checks in the same order, as pure functions of (entry, request, now). The
 * coordinator (coordinator.ts) carries the decisions out: it persists, writes markers and answers.
 */
import { ErrorCode } from '../protocol/error-codes.js';
import {
  addToTransaction,
  complete,
  containsPartition,
  fencedEpoch,
  incrementEpoch,
  prepareEnd,
  prepareFencedAbort,
  rotateProducerId,
} from './transitions.js';
import {
  isEpochExhausted,
  NO_PRODUCER_EPOCH,
  type ProducerIdAndEpoch,
  type TopicPartition,
  type TxnMetadata,
  type TxnState,
} from './types.js';

/** A transactional id as the coordinator holds it: its persisted metadata plus in-memory flags. */
export interface TxnEntry {
  metadata: TxnMetadata;
  /** Set while a transition is being written (Kafka's pendingState): other requests must wait. */
  pending: TxnState | undefined;
  /** A fence's bumped epoch failed to be written, so the next fence reuses it. */
  failedFence: boolean;
}

export type Decision =
  | { readonly kind: 'error'; readonly errorCode: number }
  /** Nothing to write: answer NONE. */
  | { readonly kind: 'none' }
  /** Write `next`, then answer. */
  | { readonly kind: 'write'; readonly next: TxnMetadata }
  /** Abort the open transaction with a bumped epoch, then answer CONCURRENT_TRANSACTIONS. */
  | { readonly kind: 'fence'; readonly next: TxnMetadata };

const error = (errorCode: number): Decision => ({ kind: 'error', errorCode });

export interface InitProducerIdRequest {
  readonly txnTimeoutMs: number;
  readonly expected: ProducerIdAndEpoch | undefined;
}

export function decideInitProducerId(
  entry: TxnEntry,
  req: InitProducerIdRequest,
  now: number,
  allocateProducerId: () => bigint,
): Decision {
  const m = entry.metadata;
  const expected = req.expected;
  if (entry.pending !== undefined) return error(ErrorCode.CONCURRENT_TRANSACTIONS);
  if (expected !== undefined) {
    // A producer recovering with its id and epoch is fenced unless it holds the current id (the epoch is
    // checked below), the metadata is brand new, or it retries a rotation it never heard about.
    const valid =
      m.producerEpoch === NO_PRODUCER_EPOCH ||
      expected.producerId === m.producerId ||
      (expected.producerId === m.lastProducerId && isEpochExhausted(expected.producerEpoch));
    if (!valid) return error(ErrorCode.PRODUCER_FENCED);
  }
  switch (m.state) {
    case 'PrepareAbort':
    case 'PrepareCommit':
      return error(ErrorCode.CONCURRENT_TRANSACTIONS);
    case 'Empty':
    case 'CompleteAbort':
    case 'CompleteCommit': {
      if (
        isEpochExhausted(m.producerEpoch) &&
        (expected === undefined || expected.producerEpoch === m.producerEpoch)
      ) {
        return {
          kind: 'write',
          next: rotateProducerId(m, allocateProducerId(), req.txnTimeoutMs, now, expected !== undefined),
        };
      }
      const bump = incrementEpoch(m, req.txnTimeoutMs, expected?.producerEpoch, now);
      return 'fenced' in bump ? error(ErrorCode.PRODUCER_FENCED) : { kind: 'write', next: bump.metadata };
    }
    case 'Ongoing':
      // The open transaction is aborted first, with an epoch that fences its producer; the client
      // retries and then gets an epoch of its own.
      return { kind: 'fence', next: prepareFencedAbort(m, fencedEpoch(m, entry.failedFence), now) };
    case 'Dead':
    case 'PrepareEpochFence':
      throw new Error(`transactional id ${m.transactionalId} is in state ${m.state}, which is never stored`);
  }
}

export interface AddRequest {
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly partitions: readonly TopicPartition[];
  readonly groups: readonly string[];
}

export function decideAdd(entry: TxnEntry, req: AddRequest, now: number): Decision {
  const m = entry.metadata;
  if (m.producerId !== req.producerId) return error(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
  if (m.producerEpoch !== req.producerEpoch) return error(ErrorCode.PRODUCER_FENCED);
  if (entry.pending !== undefined) return error(ErrorCode.CONCURRENT_TRANSACTIONS);
  if (m.state === 'PrepareCommit' || m.state === 'PrepareAbort')
    return error(ErrorCode.CONCURRENT_TRANSACTIONS);
  if (
    m.state === 'Ongoing' &&
    req.partitions.every((tp) => containsPartition(m, tp)) &&
    req.groups.every((g) => m.groups.includes(g))
  ) {
    return { kind: 'none' };
  }
  return { kind: 'write', next: addToTransaction(m, req.partitions, req.groups, now) };
}

/**
 * AddPartitionsToTxn with verify_only (KIP-890), which is also how a transactional Produce checks its
 * partition: errors for the whole transaction, else per partition NONE or TRANSACTION_ABORTABLE.
 */
export function decideVerify(
  entry: TxnEntry | undefined,
  producerId: bigint,
  producerEpoch: number,
  partitions: readonly TopicPartition[],
): { readonly errorCode: number } | { readonly results: readonly number[] } {
  if (entry === undefined) return { errorCode: ErrorCode.INVALID_PRODUCER_ID_MAPPING };
  const m = entry.metadata;
  if (m.producerId !== producerId) return { errorCode: ErrorCode.INVALID_PRODUCER_ID_MAPPING };
  if (m.producerEpoch !== producerEpoch) return { errorCode: ErrorCode.PRODUCER_FENCED };
  if (m.state === 'PrepareCommit' || m.state === 'PrepareAbort') {
    return { errorCode: ErrorCode.CONCURRENT_TRANSACTIONS };
  }
  return {
    results: partitions.map((tp) =>
      containsPartition(m, tp) ? ErrorCode.NONE : ErrorCode.TRANSACTION_ABORTABLE,
    ),
  };
}

/** Whether the group's offsets belong to the producer's open transaction (TxnOffsetCommit's check). */
export function decideVerifyGroup(
  entry: TxnEntry | undefined,
  producerId: bigint,
  producerEpoch: number,
  groupId: string,
): number {
  if (entry === undefined) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
  const m = entry.metadata;
  if (m.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
  if (m.producerEpoch !== producerEpoch) return ErrorCode.PRODUCER_FENCED;
  if (m.state === 'PrepareCommit' || m.state === 'PrepareAbort') return ErrorCode.CONCURRENT_TRANSACTIONS;
  return m.groups.includes(groupId) ? ErrorCode.NONE : ErrorCode.TRANSACTION_ABORTABLE;
}

export interface EndRequest {
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly commit: boolean;
  /** False when the coordinator aborts on its own (timeout, fence): it passes the bumped epoch. */
  readonly fromClient: boolean;
}

export function decideEnd(entry: TxnEntry, req: EndRequest, now: number): Decision {
  const m = entry.metadata;
  if (m.producerId !== req.producerId) return error(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
  // A client must hold exactly the current epoch; the coordinator may abort with a newer one.
  if ((req.fromClient && req.producerEpoch !== m.producerEpoch) || req.producerEpoch < m.producerEpoch) {
    return error(ErrorCode.PRODUCER_FENCED);
  }
  if (entry.pending !== undefined) return error(ErrorCode.CONCURRENT_TRANSACTIONS);
  const invalid = error(ErrorCode.INVALID_TXN_STATE);
  switch (m.state) {
    case 'Ongoing':
      return { kind: 'write', next: prepareEnd(m, req.commit, now) };
    case 'CompleteCommit':
      return req.commit ? { kind: 'none' } : invalid;
    case 'CompleteAbort':
      return req.commit ? invalid : { kind: 'none' };
    case 'PrepareCommit':
      return req.commit ? error(ErrorCode.CONCURRENT_TRANSACTIONS) : invalid;
    case 'PrepareAbort':
      return req.commit ? invalid : error(ErrorCode.CONCURRENT_TRANSACTIONS);
    case 'Empty':
      return invalid;
    case 'Dead':
    case 'PrepareEpochFence':
      throw new Error(`transactional id ${m.transactionalId} is in state ${m.state}, which is never stored`);
  }
}

/** The transition that ends a prepared transaction once its markers are written. */
export function decideComplete(m: TxnMetadata, now: number): TxnMetadata {
  return complete(m, now);
}

/** Open transactions past their timeout (Kafka's timedOutTransactions). */
export function timedOut(entries: Iterable<TxnEntry>, now: number): TxnEntry[] {
  const out: TxnEntry[] = [];
  for (const e of entries) {
    const m = e.metadata;
    if (e.pending === undefined && m.state === 'Ongoing' && m.txnStartTimestamp + m.txnTimeoutMs < now) {
      out.push(e);
    }
  }
  return out;
}

/** Transactional ids idle for transactional.id.expiration.ms with no transaction open. */
export function expired(entries: Iterable<TxnEntry>, now: number, expirationMs: number): TxnEntry[] {
  const out: TxnEntry[] = [];
  for (const e of entries) {
    const s = e.metadata.state;
    const idle = s === 'Empty' || s === 'CompleteCommit' || s === 'CompleteAbort';
    if (e.pending === undefined && idle && e.metadata.txnLastUpdateTimestamp <= now - expirationMs)
      out.push(e);
  }
  return out;
}

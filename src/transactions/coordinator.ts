/**
 * Kafka's transaction coordinator in domain terms: transactional ids, their producer ids and epochs and
 * the state of their transaction. Decisions are pure (decisions.ts, transitions.ts); this class holds
 * the entries, runs the timers and carries decisions out through its ports: the kv store (the
 * transaction log), the marker writer and the partition tracker. Each method answers what Kafka
 * would, with Kafka error codes as data.
 */
import { pino, type Logger } from 'pino';
import { realTimers, systemClock } from '../groups/real-time.js';
import type { Cancel, Clock, Timers } from '../groups/time.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { txnConfig, type TxnConfig } from './config.js';
import { Completion, type MarkerWriter } from './completion.js';
import {
  decideAdd,
  decideEnd,
  decideInitProducerId,
  decideVerify,
  decideVerifyGroup,
  expired,
  timedOut,
  type Decision,
  type TxnEntry,
} from './decisions.js';
import {
  describeEntry,
  listEntries,
  type DescribedTxn,
  type ListFilter,
  type ListedTxns,
} from './describe.js';
import { fencedEpoch, newMetadata, prepareFencedAbort } from './transitions.js';
import { decodeTxn, TRANSACTIONS_NAMESPACE } from './txn-codec.js';
import { TxnLog, type TxnStore } from './txn-log.js';
import type { ProducerIdAndEpoch, TopicPartition, TxnMetadata } from './types.js';

/** Makes partitions able to hold transactions (the per-partition index) before their first one. */
export interface PartitionTracker {
  track(partitions: readonly TopicPartition[]): Promise<void>;
}

export interface TransactionCoordinatorOptions {
  readonly store: TxnStore;
  readonly markers: MarkerWriter;
  readonly partitions: PartitionTracker;
  readonly allocateProducerId: () => bigint;
  readonly config?: Partial<TxnConfig>;
  readonly clock?: Clock;
  readonly timers?: Timers;
  readonly logger?: Logger;
  /** Another gateway coordinates every transactional id: load nothing, answer NOT_COORDINATOR. */
  readonly remote?: boolean;
}

export type TxnCoordinatorStatus = 'idle' | 'loading' | 'active' | 'remote' | 'closed';

export interface InitProducerIdResult {
  readonly errorCode: number;
  readonly producerId: bigint;
  readonly producerEpoch: number;
}

export type VerifyResult = { readonly errorCode: number } | { readonly results: readonly number[] };

const initError = (errorCode: number): InitProducerIdResult => ({
  errorCode,
  producerId: -1n,
  producerEpoch: -1,
});

export class TransactionCoordinator {
  readonly config: TxnConfig;
  private readonly entries = new Map<string, TxnEntry>();
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly log: Logger;
  private readonly txnLog: TxnLog;
  private readonly completion: Completion;
  private state: TxnCoordinatorStatus = 'idle';
  private readonly timersByName = new Map<string, Cancel>();

  constructor(private readonly options: TransactionCoordinatorOptions) {
    this.config = txnConfig(options.config);
    this.clock = options.clock ?? systemClock;
    this.timers = options.timers ?? realTimers;
    this.log = options.logger ?? pino({ level: 'silent' });
    this.txnLog = new TxnLog(options.store, this.log);
    this.completion = new Completion(options.markers, this.txnLog, this.clock, this.timers, this.log);
    if (options.remote === true) this.state = 'remote';
  }

  get status(): TxnCoordinatorStatus {
    return this.state;
  }

  /**
   * Reads every transactional id from the store. Transactions found prepared are completed (their
   * markers written again), as Kafka does when it loads a transaction log partition.
   */
  async load(): Promise<void> {
    if (this.state === 'remote') return;
    if (this.state !== 'idle') throw new Error(`transaction coordinator cannot load when ${this.state}`);
    this.state = 'loading';
    let stored: Map<string, Buffer>;
    try {
      stored = await this.options.store.kvList(TRANSACTIONS_NAMESPACE);
    } catch (err) {
      if (this.state === 'loading') this.state = 'idle';
      throw err;
    }
    if (this.state !== 'loading') return;
    for (const [id, bytes] of stored) {
      try {
        this.entries.set(id, { metadata: decodeTxn(id, bytes), pending: undefined, failedFence: false });
      } catch (err) {
        this.log.error({ err, transactionalId: id }, 'ignoring unreadable stored transaction');
      }
    }
    this.state = 'active';
    let prepared = 0;
    for (const entry of this.entries.values()) {
      const s = entry.metadata.state;
      if (s === 'PrepareCommit' || s === 'PrepareAbort') {
        prepared++;
        void this.completion.start(entry);
      }
    }
    this.schedule('abort', this.config.abortTimedOutIntervalMs, () => this.abortTimedOut());
    this.schedule('expire', this.config.removeExpiredIntervalMs, () => this.expireTransactionalIds());
    this.log.info({ transactionalIds: this.entries.size, prepared }, 'transaction coordinator loaded');
  }

  /** Like load(), retrying with backoff while the store is unavailable; requests meanwhile wait. */
  async loadInBackground(maxBackoffMs = 10_000): Promise<{ loaded: Promise<void> }> {
    const first = await this.load().then(
      () => undefined,
      (e: unknown) => e,
    );
    if (first === undefined || this.state !== 'idle') return { loaded: Promise.resolve() };
    this.log.error({ err: first }, 'cannot load transactions yet; transaction requests wait for the store');
    this.state = 'loading';
    const loaded = (async () => {
      for (let backoff = 250; this.state === 'loading'; backoff = Math.min(maxBackoffMs, backoff * 2)) {
        await new Promise<void>((resolve) =>
          this.timersByName.set('load', this.timers.schedule(backoff, resolve)),
        );
        if (this.state !== 'loading') return;
        this.state = 'idle';
        try {
          await this.load();
        } catch (err) {
          this.state = 'loading';
          this.log.warn({ err }, 'loading transactions failed again; retrying');
        }
      }
    })();
    return { loaded };
  }

  /** Stops the timers and waits for marker writing in flight (it resumes on the next load). */
  async close(): Promise<void> {
    this.state = 'closed';
    for (const cancel of this.timersByName.values()) cancel();
    this.timersByName.clear();
    await this.completion.close();
  }

  async initProducerId(
    transactionalId: string,
    txnTimeoutMs: number,
    expected: ProducerIdAndEpoch | undefined,
  ): Promise<InitProducerIdResult> {
    if (transactionalId === '') return initError(ErrorCode.INVALID_REQUEST);
    if (txnTimeoutMs <= 0 || txnTimeoutMs > this.config.maxTimeoutMs) {
      return initError(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    }
    const unavailable = this.unavailable();
    if (unavailable !== undefined) return initError(unavailable);
    const entry = this.entryOrCreate(transactionalId, txnTimeoutMs);
    const decision = decideInitProducerId(
      entry,
      { txnTimeoutMs, expected },
      this.clock.now(),
      this.options.allocateProducerId,
    );
    if (decision.kind === 'fence') {
      const code = await this.fenceAndAbort(entry, decision.next);
      return initError(code === ErrorCode.NONE ? ErrorCode.CONCURRENT_TRANSACTIONS : code);
    }
    const code = await this.carryOut(entry, decision);
    if (code !== ErrorCode.NONE) return initError(code);
    this.log.info(
      { transactionalId, producerId: entry.metadata.producerId, producerEpoch: entry.metadata.producerEpoch },
      'initialized transactional id',
    );
    return {
      errorCode: ErrorCode.NONE,
      producerId: entry.metadata.producerId,
      producerEpoch: entry.metadata.producerEpoch,
    };
  }

  /** AddPartitionsToTxn (client form): one error code for every partition. */
  addPartitions(
    transactionalId: string,
    producerId: bigint,
    producerEpoch: number,
    partitions: readonly TopicPartition[],
  ): Promise<number> {
    return this.add(transactionalId, { producerId, producerEpoch, partitions, groups: [] });
  }

  /** AddOffsetsToTxn: the group's offsets become part of the transaction. */
  addOffsets(
    transactionalId: string,
    producerId: bigint,
    producerEpoch: number,
    groupId: string,
  ): Promise<number> {
    return this.add(transactionalId, { producerId, producerEpoch, partitions: [], groups: [groupId] });
  }

  private async add(transactionalId: string, req: Parameters<typeof decideAdd>[1]): Promise<number> {
    if (transactionalId === '') return ErrorCode.INVALID_REQUEST;
    const unavailable = this.unavailable();
    if (unavailable !== undefined) return unavailable;
    const entry = this.entries.get(transactionalId);
    if (entry === undefined) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    const decision = decideAdd(entry, req, this.clock.now());
    if (decision.kind !== 'write') return this.carryOut(entry, decision);
    const known = new Set(entry.metadata.partitions.map((p) => `${p.partition}:${p.topic}`));
    const added = req.partitions.filter((p) => !known.has(`${p.partition}:${p.topic}`));
    return this.carryOut(entry, decision, () => this.options.partitions.track(added));
  }

  /**
   * AddPartitionsToTxn with verify_only, and a transactional Produce's check of its partition. On a
   * gateway that does not coordinate, the coordinating gateway's record in the store is read.
   */
  async verify(
    transactionalId: string,
    producerId: bigint,
    producerEpoch: number,
    partitions: readonly TopicPartition[],
  ): Promise<VerifyResult> {
    if (transactionalId === '') return { errorCode: ErrorCode.INVALID_REQUEST };
    if (this.state === 'remote') {
      const entry = await this.storedEntry(transactionalId);
      return decideVerify(entry, producerId, producerEpoch, partitions);
    }
    const unavailable = this.unavailable();
    if (unavailable !== undefined) return { errorCode: unavailable };
    return decideVerify(this.entries.get(transactionalId), producerId, producerEpoch, partitions);
  }

  /** TxnOffsetCommit's check that AddOffsetsToTxn put the group in the producer's transaction. */
  async verifyGroup(
    transactionalId: string,
    producerId: bigint,
    producerEpoch: number,
    groupId: string,
  ): Promise<number> {
    if (transactionalId === '') return ErrorCode.INVALID_REQUEST;
    if (this.state === 'remote') {
      return decideVerifyGroup(await this.storedEntry(transactionalId), producerId, producerEpoch, groupId);
    }
    const unavailable = this.unavailable();
    if (unavailable !== undefined) return unavailable;
    return decideVerifyGroup(this.entries.get(transactionalId), producerId, producerEpoch, groupId);
  }

  /** EndTxn: answers once the markers are written, or once writing them has failed and is retried. */
  async endTxn(
    transactionalId: string,
    producerId: bigint,
    producerEpoch: number,
    commit: boolean,
  ): Promise<number> {
    if (transactionalId === '') return ErrorCode.INVALID_REQUEST;
    const unavailable = this.unavailable();
    if (unavailable !== undefined) return unavailable;
    const entry = this.entries.get(transactionalId);
    if (entry === undefined) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    const decision = decideEnd(
      entry,
      { producerId, producerEpoch, commit, fromClient: true },
      this.clock.now(),
    );
    const code = await this.carryOut(entry, decision);
    if (code !== ErrorCode.NONE || decision.kind !== 'write') return code;
    await this.completion.start(entry);
    return ErrorCode.NONE;
  }

  describe(transactionalId: string): DescribedTxn {
    const unavailable = transactionalId === '' ? ErrorCode.INVALID_REQUEST : this.unavailable();
    if (unavailable !== undefined) return describeEntry(transactionalId, undefined, unavailable);
    return describeEntry(transactionalId, this.entries.get(transactionalId), ErrorCode.NONE);
  }

  list(filter: ListFilter): ListedTxns {
    if (this.state === 'remote')
      return { errorCode: ErrorCode.NONE, unknownStateFilters: [], transactions: [] };
    const unavailable = this.unavailable();
    if (unavailable !== undefined)
      return { errorCode: unavailable, unknownStateFilters: [], transactions: [] };
    return listEntries(this.entries.values(), filter, this.clock.now());
  }

  /** Aborts the transactions open longer than their timeout, fencing their producers (runs on a timer). */
  async abortTimedOut(): Promise<number> {
    if (this.state !== 'active') return 0;
    const due = timedOut(this.entries.values(), this.clock.now());
    await Promise.all(
      due.map(async (entry) => {
        const m = entry.metadata;
        this.log.info(
          { transactionalId: m.transactionalId, producerId: m.producerId, txnTimeoutMs: m.txnTimeoutMs },
          'aborting transaction past its timeout',
        );
        const next = prepareFencedAbort(m, fencedEpoch(m, entry.failedFence), this.clock.now());
        const code = await this.fenceAndAbort(entry, next);
        if (code !== ErrorCode.NONE) {
          this.log.warn(
            { transactionalId: m.transactionalId, errorCode: code },
            'timed-out transaction not aborted',
          );
        }
      }),
    );
    return due.length;
  }

  /** Forgets transactional ids idle past transactional.id.expiration.ms (runs on a timer). */
  async expireTransactionalIds(): Promise<number> {
    if (this.state !== 'active') return 0;
    const due = expired(this.entries.values(), this.clock.now(), this.config.transactionalIdExpirationMs);
    await Promise.all(
      due.map(async (entry) => {
        const id = entry.metadata.transactionalId;
        entry.pending = 'Dead';
        if (await this.txnLog.remove(id)) {
          if (this.entries.get(id) === entry) this.entries.delete(id);
          this.log.info({ transactionalId: id }, 'expired transactional id');
        }
        entry.pending = undefined;
      }),
    );
    return due.length;
  }

  /** The current metadata of a transactional id (tests and DescribeProducers). */
  metadata(transactionalId: string): TxnMetadata | undefined {
    return this.entries.get(transactionalId)?.metadata;
  }

  private unavailable(): number | undefined {
    switch (this.state) {
      case 'active':
        return undefined;
      case 'loading':
        return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
      case 'remote':
        return ErrorCode.NOT_COORDINATOR;
      default:
        return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    }
  }

  private entryOrCreate(transactionalId: string, txnTimeoutMs: number): TxnEntry {
    let entry = this.entries.get(transactionalId);
    if (entry === undefined) {
      const metadata = newMetadata(
        transactionalId,
        this.options.allocateProducerId(),
        txnTimeoutMs,
        this.clock.now(),
      );
      entry = { metadata, pending: undefined, failedFence: false };
      this.entries.set(transactionalId, entry);
    }
    return entry;
  }

  private async storedEntry(transactionalId: string): Promise<TxnEntry | undefined> {
    const bytes = await this.options.store.kvGet(TRANSACTIONS_NAMESPACE, transactionalId);
    if (bytes === undefined) return undefined;
    return { metadata: decodeTxn(transactionalId, bytes), pending: undefined, failedFence: false };
  }

  /** Writes a decision's new metadata (after `before`, if any) and answers with its error code. */
  private async carryOut(entry: TxnEntry, decision: Decision, before?: () => Promise<void>): Promise<number> {
    switch (decision.kind) {
      case 'error':
        return decision.errorCode;
      case 'none':
        return ErrorCode.NONE;
      case 'fence':
        throw new Error('a fence is carried out by fenceAndAbort');
      case 'write':
        return this.txnLog.transition(entry, decision.next, before);
    }
  }

  /**
   * Aborts the open transaction with a bumped epoch. The bumped epoch takes effect in memory before
   * it is written, so the fenced producer is refused at once; if the write fails, the next fence
   * reuses that epoch, which was never handed out.
   */
  private async fenceAndAbort(entry: TxnEntry, next: TxnMetadata): Promise<number> {
    entry.metadata = { ...entry.metadata, producerEpoch: next.producerEpoch, lastProducerEpoch: -1 };
    const code = await this.txnLog.transition(entry, next);
    if (code !== ErrorCode.NONE) {
      entry.failedFence = true;
      return code;
    }
    entry.failedFence = false;
    await this.completion.start(entry);
    return ErrorCode.NONE;
  }

  /** Runs `task` every `intervalMs` (a fixed rate, as Kafka's scheduler; the tasks skip pending ids). */
  private schedule(name: string, intervalMs: number, task: () => Promise<unknown>): void {
    const run = (): void => {
      if (this.state !== 'active') return;
      this.schedule(name, intervalMs, task);
      void task().catch((err: unknown) => this.log.error({ err }, 'transaction coordinator task failed'));
    };
    this.timersByName.set(name, this.timers.schedule(intervalMs, run));
  }
}

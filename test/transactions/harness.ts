import { FakeTime } from '../groups/fake-time.js';
import { MemoryGroupStore } from '../groups/memory-store.js';
import type { MarkerWriter } from '../../src/transactions/completion.js';
import { TransactionCoordinator, type PartitionTracker } from '../../src/transactions/coordinator.js';
import type { TxnConfig } from '../../src/transactions/config.js';
import { encodeTxn, TRANSACTIONS_NAMESPACE, decodeTxn } from '../../src/transactions/txn-codec.js';
import type { MarkerJob, TopicPartition, TxnMetadata } from '../../src/transactions/types.js';

/** Records every marker job; `failing` makes the named partitions (topic:partition) or groups fail. */
export class FakeMarkers implements MarkerWriter {
  readonly jobs: MarkerJob[] = [];
  readonly failing = new Set<string>();

  async write(job: MarkerJob): Promise<MarkerJob | undefined> {
    this.jobs.push(job);
    const partitions = job.partitions.filter((tp) => this.failing.has(`${tp.topic}:${tp.partition}`));
    const groups = job.groups.filter((g) => this.failing.has(g));
    return partitions.length + groups.length === 0 ? undefined : { ...job, partitions, groups };
  }
}

export class FakeTracker implements PartitionTracker {
  readonly tracked: TopicPartition[] = [];
  async track(partitions: readonly TopicPartition[]): Promise<void> {
    this.tracked.push(...partitions);
  }
}

/** Lets promise chains and the coordinator's async continuations run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

export interface Setup {
  time: FakeTime;
  store: MemoryGroupStore;
  markers: FakeMarkers;
  tracker: FakeTracker;
  coordinator: TransactionCoordinator;
  nextId: () => bigint;
  stored(id: string): TxnMetadata | undefined;
  preload(m: TxnMetadata): void;
}

export function setup(config: Partial<TxnConfig> = {}, remote = false): Setup {
  const time = new FakeTime();
  const store = new MemoryGroupStore();
  const markers = new FakeMarkers();
  const tracker = new FakeTracker();
  let id = 1000n;
  const nextId = (): bigint => id++;
  const coordinator = new TransactionCoordinator({
    store,
    markers,
    partitions: tracker,
    allocateProducerId: nextId,
    config: { abortTimedOutIntervalMs: 1000, ...config },
    clock: time,
    timers: time,
    remote,
  });
  return {
    time,
    store,
    markers,
    tracker,
    coordinator,
    nextId,
    stored(txnId) {
      const b = store.kv.get(TRANSACTIONS_NAMESPACE)?.get(txnId);
      return b === undefined ? undefined : decodeTxn(txnId, b);
    },
    preload(m) {
      const ns = store.kv.get(TRANSACTIONS_NAMESPACE) ?? new Map<string, Buffer>();
      ns.set(m.transactionalId, encodeTxn(m));
      store.kv.set(TRANSACTIONS_NAMESPACE, ns);
    },
  };
}

export function txn(overrides: Partial<TxnMetadata> & { transactionalId: string }): TxnMetadata {
  return {
    producerId: 500n,
    lastProducerId: -1n,
    producerEpoch: 0,
    lastProducerEpoch: -1,
    txnTimeoutMs: 60_000,
    state: 'Empty',
    partitions: [],
    groups: [],
    txnStartTimestamp: -1,
    txnLastUpdateTimestamp: 1_000_000,
    ...overrides,
  };
}

export const T0: TopicPartition = { topic: 'orders', partition: 0 };
export const T1: TopicPartition = { topic: 'orders', partition: 1 };
export const U0: TopicPartition = { topic: 'users', partition: 0 };

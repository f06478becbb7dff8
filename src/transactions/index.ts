/** Transactions: the coordinator and the per-partition indexes, wired over one store. */
import type { Logger } from 'pino';
import { realTimers } from '../groups/real-time.js';
import type { ProducerRegistry } from '../producers/producer-state.js';
import type { Storage } from '../storage/storage.js';
import { txnConfig, type TxnConfig } from './config.js';
import { TransactionCoordinator } from './coordinator.js';
import { StoreMarkerWriter, type TxnOffsetsCompleter } from './markers.js';
import { TxnPartitions } from './partitions.js';

export { TransactionCoordinator } from './coordinator.js';
export { TxnPartitions } from './partitions.js';

export interface Transactions {
  readonly coordinator: TransactionCoordinator;
  readonly partitions: TxnPartitions;
  /** Loads both (the coordinator in the background while the store is unavailable). */
  load(): Promise<void>;
  close(): Promise<void>;
}

export interface TransactionsOptions {
  readonly storage: Storage;
  readonly producers: ProducerRegistry;
  readonly groups: TxnOffsetsCompleter;
  readonly logger: Logger;
  readonly config: Partial<TxnConfig>;
  readonly remote: boolean;
}

export function createTransactions(o: TransactionsOptions): Transactions {
  const config = txnConfig(o.config);
  const partitions = new TxnPartitions(o.storage, {
    logger: o.logger,
    timers: realTimers,
    snapshotIntervalMs: config.partitionSnapshotIntervalMs,
  });
  const coordinator = new TransactionCoordinator({
    store: o.storage,
    markers: new StoreMarkerWriter(o.storage, o.producers, partitions, o.groups, o.logger),
    partitions,
    allocateProducerId: () => o.producers.allocate(),
    config,
    logger: o.logger,
    remote: o.remote,
  });
  return {
    coordinator,
    partitions,
    async load() {
      await partitions
        .load()
        .catch((err: unknown) =>
          o.logger.error(
            { err },
            'cannot load transaction indexes; partitions are read from the log when used',
          ),
        );
      await coordinator.loadInBackground();
    },
    async close() {
      await coordinator.close();
      await partitions.close();
    },
  };
}

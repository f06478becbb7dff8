import type { GatewayConfig } from './config.js';
import { LogCleaner } from './compaction/cleaner-service.js';
import { ProducePolicies } from './configs/produce-policy.js';
import { ConfigRegistry } from './configs/registry.js';
import { SlotManager } from './coordination/slot-manager.js';
import { GroupCoordinator, realTimers, systemClock } from './groups/index.js';
import { SecurityService } from './security/service.js';
import type { Logger } from './log.js';
import type { GatewayMetrics } from './metrics/metrics.js';
import { NO_METRICS } from './metrics/metrics.js';
import { QuotaManager } from './quotas/manager.js';
import { QuotaStore } from './quotas/quota-store.js';
import { ProducerRegistry } from './producers/producer-state.js';
import { ProducerStateStore } from './producers/snapshots.js';
import { RetentionEnforcer } from './retention/enforcer.js';
import type { SupportedApi } from './server/dispatch.js';
import type { Storage } from './storage/storage.js';
import { TopicService } from './topics/topic-service.js';
import { createTransactions, type Transactions } from './transactions/index.js';

/** What handlers share: the configuration, the store and the gateway-wide state kept above it. */
export interface Services {
  readonly config: GatewayConfig;
  readonly storage: Storage;
  readonly log: Logger;
  readonly topics: TopicService;
  readonly producers: ProducerRegistry;
  /** Snapshots the producer state to the store and restores it at start (replay observers plug in here). */
  readonly producerState: ProducerStateStore;
  /** Topic and broker config definitions, validation and resolved views (DescribeConfigs). */
  readonly configs: ConfigRegistry;
  /** What each topic's configs ask of produced batches (validation limits, timestamp windows). */
  readonly producePolicies: ProducePolicies;
  /** Applies retention.ms / retention.bytes on a timer; the gateway starts and stops it. */
  readonly retention: RetentionEnforcer;
  /** Compacts topics with cleanup.policy=compact on a timer, on stores that can. */
  readonly cleaner: LogCleaner;
  /** The classic group coordinator; gateway start loads it before listening. */
  readonly groups: GroupCoordinator;
  /** The transaction coordinator and the per-partition transaction indexes; gateway start loads them. */
  readonly transactions: Transactions;
  /**
   * Which gateway coordinates which consumer group, when several share a store with locks and no
   * --group-coordinator is given; undefined when this gateway coordinates every group.
   */
  readonly coordinatorSlots: SlotManager | undefined;
  /** Where requests, connections and stores report metrics (a no-op without --metrics-port). */
  readonly metrics: GatewayMetrics;
  /** Client quotas: their definitions (AlterClientQuotas) and their enforcement. */
  readonly quotas: QuotaManager;
  /** SASL mechanisms, credentials and the ACL authorizer. */
  readonly security: SecurityService;
  /** Filled once the dispatcher is built; ApiVersions answers from it. */
  supportedApis: readonly SupportedApi[];
}

export function createServices(
  config: GatewayConfig,
  storage: Storage,
  log: Logger,
  metrics: GatewayMetrics = NO_METRICS,
): Services {
  const configs = new ConfigRegistry(config);
  // Ids start from the clock so a restarted gateway does not hand out ids a store still knows.
  const producers = new ProducerRegistry(BigInt(Date.now()) * 1000n);
  // The gateway named to coordinate groups also coordinates transactions: TxnOffsetCommit and the
  // markers' offset commits must reach the groups' coordinator.
  const remote = config.groupCoordinator !== undefined && config.groupCoordinator.nodeId !== config.nodeId;
  const slots =
    storage.locks === undefined || config.groupCoordinator !== undefined
      ? undefined
      : new SlotManager({
          nodeId: config.nodeId,
          kinds: { group: config.coordination.slots },
          leaseMs: config.coordination.leaseMs,
          locks: storage.locks,
          store: storage,
          clock: systemClock,
          timers: realTimers,
          logger: log,
        });
  const groups = new GroupCoordinator({
    store: storage,
    logger: log,
    config: config.groups,
    remote,
    ownership: slots && { status: (groupId) => slots.statusFor('group', groupId) },
  });
  const transactions = createTransactions({
    storage,
    producers,
    groups,
    logger: log,
    config: config.transactions,
    remote,
  });
  return {
    config,
    storage,
    log,
    topics: new TopicService(storage, config, log),
    producers,
    producerState: new ProducerStateStore(producers, storage, log, {
      intervalMs: config.producerSnapshotIntervalMs,
    }),
    groups,
    transactions,
    coordinatorSlots: slots,
    configs,
    producePolicies: new ProducePolicies(configs, config.maxDecompressedRatio),
    retention: new RetentionEnforcer(storage, configs, log, { intervalMs: config.retentionCheckIntervalMs }),
    cleaner: new LogCleaner(storage, configs, log, {
      backoffMs: config.logCleanerBackoffMs,
      stableOffset: (topic, partition) => transactions.partitions.lastStableOffset(topic, partition),
    }),
    metrics,
    quotas: new QuotaManager(new QuotaStore(storage), config.quotaWindow),
    security: new SecurityService(config.security, storage, log),
    supportedApis: [],
  };
}

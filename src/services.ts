import type { GatewayConfig } from './config.js';
import { ConfigRegistry } from './configs/registry.js';
import { GroupCoordinator } from './groups/index.js';
import type { Logger } from './log.js';
import { ProducerRegistry } from './producers/producer-state.js';
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
  /** Topic and broker config definitions, validation and resolved views (DescribeConfigs). */
  readonly configs: ConfigRegistry;
  /** Applies retention.ms / retention.bytes on a timer; the gateway starts and stops it. */
  readonly retention: RetentionEnforcer;
  /** The classic group coordinator; gateway start loads it before listening. */
  readonly groups: GroupCoordinator;
  /** The transaction coordinator and the per-partition transaction indexes; gateway start loads them. */
  readonly transactions: Transactions;
  /** Filled once the dispatcher is built; ApiVersions answers from it. */
  supportedApis: readonly SupportedApi[];
}

export function createServices(config: GatewayConfig, storage: Storage, log: Logger): Services {
  const configs = new ConfigRegistry(config);
  // Ids start from the clock so a restarted gateway does not hand out ids a store still knows.
  const producers = new ProducerRegistry(BigInt(Date.now()) * 1000n);
  // The gateway named to coordinate groups also coordinates transactions: TxnOffsetCommit and the
  // markers' offset commits must reach the groups' coordinator.
  const remote = config.groupCoordinator !== undefined && config.groupCoordinator.nodeId !== config.nodeId;
  const groups = new GroupCoordinator({ store: storage, logger: log, config: config.groups, remote });
  return {
    config,
    storage,
    log,
    topics: new TopicService(storage, config, log),
    producers,
    groups,
    transactions: createTransactions({
      storage,
      producers,
      groups,
      logger: log,
      config: config.transactions,
      remote,
    }),
    configs,
    retention: new RetentionEnforcer(storage, configs, log, { intervalMs: config.retentionCheckIntervalMs }),
    supportedApis: [],
  };
}

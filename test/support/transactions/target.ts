import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_CONFIG, type GatewayConfig } from '../../../src/config.js';
import type { Services } from '../../../src/services.js';
import { startGateway } from '../gateway.js';

/**
 * The broker the transaction suites run against: a gateway (memory store here, SeaweedMQ in
 * test/seaweedmq) or, with KAFKA_BOOTSTRAP=host:port, any broker such as the reference Kafka.
 */
export interface TxnTarget {
  readonly bootstrap: string;
  /** The gateway's services, to check coordinator state; undefined for an external broker. */
  readonly services: Services | undefined;
  stop(): Promise<void>;
}

/** The 4.x kafka-clients the suites run besides 3.9 (the compatibility matrix's java-4 too). */
export const JAVA4_CLIENTS = process.env.COMPAT_JAVA4_VERSION ?? '4.4.0';

export type StartTarget = (config: Partial<GatewayConfig>) => Promise<TxnTarget>;

/** Settings that keep the suites short: Kafka's abort check runs every 10 s, groups wait 3 s to form. */
export const FAST_TXN_CONFIG: Partial<GatewayConfig> = {
  transactions: { abortTimedOutIntervalMs: 500 },
  groups: { initialRebalanceDelayMs: 0 },
};

export const memoryTarget: StartTarget = async (config) => {
  const external = process.env.KAFKA_BOOTSTRAP;
  if (external !== undefined)
    return { bootstrap: external, services: undefined, stop: async () => undefined };
  const g = await startGateway({ config: { ...FAST_TXN_CONFIG, ...config } });
  return { bootstrap: g.bootstrap, services: g.services, stop: () => g.stop() };
};

/** A gateway on the durable log store in a fresh directory, removed when it stops. */
export const logStoreTarget: StartTarget = async (config) => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'txn-log-'));
  const g = await startGateway({
    config: {
      ...FAST_TXN_CONFIG,
      store: 'log',
      log: { ...DEFAULT_CONFIG.log, dataDir },
      ...config,
    },
  });
  return {
    bootstrap: g.bootstrap,
    services: g.services,
    stop: async () => {
      await g.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
};

/** Transactional ids of `prefix` the gateway's coordinator aborted (undefined: cannot be asked). */
export function abortedTransactions(target: TxnTarget, prefix: string): number | undefined {
  return target.services?.transactions.coordinator
    .list({ states: ['CompleteAbort'], producerIds: [], durationMs: -1n })
    .transactions.filter((t) => t.transactionalId.startsWith(prefix)).length;
}

import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import type { GatewayConfig } from './config.js';
import { HANDLERS } from './handlers/index.js';
import type { Logger } from './log.js';
import { createMetrics, startOpsListener } from './metrics/ops-listener.js';
import { Dispatcher } from './server/dispatch.js';
import { RequestBudget } from './server/request-budget.js';
import { KafkaServer } from './server/server.js';
import { PLAINTEXT_LISTENER, type ListenerConfig } from './security/listeners.js';
import type { Services } from './services.js';
import { createServices } from './services.js';
import { LogStorage } from './storage/log/log-storage.js';
import { MemoryStorage } from './storage/memory/memory-storage.js';
import { SeaweedMqStorage } from './storage/seaweedmq/index.js';
import type { Storage } from './storage/storage.js';

export interface Gateway {
  /** The first listener's address. */
  readonly address: AddressInfo;
  /** Every listener's address, by listener name. */
  readonly addresses: ReadonlyMap<string, AddressInfo>;
  /** The /metrics, /healthz and /readyz listener, when --metrics-port is set. */
  readonly metricsAddress: AddressInfo | undefined;
  readonly services: Services;
  /** Re-reads TLS certificates and the PLAIN users file (SIGHUP). */
  reload(): void;
  stop(): Promise<void>;
}

/** The listeners to open: --listeners, or one PLAINTEXT listener from --host/--port. */
export function effectiveListeners(config: GatewayConfig): ListenerConfig[] {
  if (config.security.listeners.length > 0) return [...config.security.listeners];
  return [
    {
      ...PLAINTEXT_LISTENER,
      host: config.host,
      port: config.port,
      advertisedHost: config.advertisedHost,
      advertisedPort: config.advertisedPort,
    },
  ];
}

export function createStorage(config: GatewayConfig, log: Logger): Storage {
  switch (config.store) {
    case 'memory':
      return new MemoryStorage({ logger: log });
    case 'log':
      return new LogStorage({
        dataDir: config.log.dataDir,
        logger: log,
        defaults: {
          flushIntervalMessages: config.log.flushIntervalMessages,
          flushIntervalMs: config.log.flushIntervalMs,
          segmentBytes: config.log.segmentBytes,
        },
      });
    case 'seaweedmq':
      // Never falls back to memory: an unreachable cluster answers retriable errors until it is back.
      return new SeaweedMqStorage({ ...config.seaweedmq, logger: log });
  }
}

/** Wires the store, the handlers and the listener together and starts listening. */
export async function startGateway(
  config: GatewayConfig,
  log: Logger,
  storage = createStorage(config, log),
): Promise<Gateway> {
  const metrics = createMetrics(config, storage);
  if (metrics.enabled) storage.attachMetrics?.(metrics.store);
  await storage.start();
  const services = createServices(config, storage, log, metrics);
  const dispatcher = new Dispatcher(HANDLERS);
  services.supportedApis = dispatcher.supported;
  const server = new KafkaServer(
    dispatcher,
    services,
    {
      maxRequestBytes: config.maxRequestBytes,
      maxPendingResponseBytes: config.maxPendingResponseBytes,
      maxQueuedRequests: 64,
      budget: new RequestBudget(config.queuedMaxRequestBytes),
      requestReceiveTimeoutMs: config.requestReceiveTimeoutMs,
      connectionsMaxIdleMs: config.connectionsMaxIdleMs,
    },
    log,
    effectiveListeners(config),
    config.security.tls,
  );
  // Groups and committed offsets are loaded before listening when the store answers; a SeaweedMQ
  // cluster that is not up yet must not stop the gateway: group requests then get
  // COORDINATOR_LOAD_IN_PROGRESS until the load succeeds.
  await services.groups.loadInBackground();
  // Likewise for transactions; a transaction left prepared by the last run is completed now.
  await services.transactions.load();
  await services.producerState.loadInBackground();
  // Gateways sharing a SeaweedMQ namespace share quotas: re-read them as often as the ACLs.
  services.quotas.loadInBackground(log, {
    refreshMs: storage.kind === 'seaweedmq' ? config.security.aclRefreshMs : undefined,
  });
  services.security.start();
  let addresses: Map<string, AddressInfo>;
  try {
    addresses = await server.listen();
  } catch (err) {
    await services.transactions.close();
    services.security.close();
    await services.groups.close();
    await services.producerState.stop();
    await storage.close();
    throw err;
  }
  services.retention.start();
  const ops = await startOpsListener(config, services, metrics, () => server.listening, log).catch(
    async (err: unknown) => {
      await server.close();
      await services.transactions.close();
      await services.groups.close();
      await services.producerState.stop();
      await storage.close();
      throw err;
    },
  );
  const address = [...addresses.values()][0]!;
  services.cleaner.start();
  services.producerState.start();
  startCoordination(services, config, address);
  for (const [name, a] of addresses) {
    log.info(
      { listener: name, host: a.address, port: a.port, store: storage.kind },
      'kafka-gateway listening',
    );
  }
  let stopping: Promise<void> | undefined;
  return {
    address,
    addresses,
    metricsAddress: ops?.address,
    services,
    reload() {
      try {
        server.reloadTls();
      } catch (err) {
        log.error({ err }, 'could not reload the TLS key and certificates; keeping the previous ones');
      }
      services.security.reload();
      log.info('reloaded TLS certificates and users files');
    },
    stop() {
      stopping ??= (async () => {
        // The coordinator goes first: it answers parked JoinGroup/SyncGroup requests (NOT_COORDINATOR), so
        // connections drain at once instead of waiting out a rebalance, and it finishes its writes. Its
        // slots are handed over and freed first, so other gateways take them without waiting them out.
        // Transactions close before that: their markers still commit offsets through the groups.
        await services.transactions.close();
        await services.coordinatorSlots?.stop();
        await services.groups.close();
        await server.close();
        await services.retention.stop();
        await services.cleaner.stop();
        await services.producerState.stop();
        services.quotas.close();
        services.security.close();
        await ops?.close();
        await storage.close();
        log.info('kafka-gateway stopped');
      })();
      return stopping;
    },
  };
}

/**
 * Joins the other gateways on the store in coordinating consumer groups, under the address clients
 * are told to use: the first listener's advertised address, else the address it listens on (the
 * machine's name when that is a wildcard). Gateways register one address, so with several listeners
 * a coordinator found on another gateway is named by that gateway's first listener.
 */
function startCoordination(services: Services, config: GatewayConfig, address: AddressInfo): void {
  const slots = services.coordinatorSlots;
  if (slots === undefined) return;
  const first = effectiveListeners(config)[0]!;
  const wildcard = first.host === '0.0.0.0' || first.host === '::' || first.host === '';
  const host = first.advertisedHost ?? (wildcard ? hostname() : first.host);
  const port = first.advertisedPort ?? address.port;
  const inSlot = (slot: number) => (groupId: string) => slots.slotOf('group', groupId) === slot;
  slots.start(
    { host, port },
    {
      takeOver: (_kind, slot) => services.groups.takeOver(inSlot(slot)),
      handOver: (_kind, slot) => services.groups.handOver(inSlot(slot)),
    },
  );
}

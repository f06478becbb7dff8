import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import type { GatewayConfig } from './config.js';
import { HANDLERS } from './handlers/index.js';
import type { Logger } from './log.js';
import { createMetrics, startOpsListener } from './metrics/ops-listener.js';
import { Dispatcher } from './server/dispatch.js';
import { RequestBudget } from './server/request-budget.js';
import { KafkaServer } from './server/server.js';
import type { Services } from './services.js';
import { createServices } from './services.js';
import { LogStorage } from './storage/log/log-storage.js';
import { MemoryStorage } from './storage/memory/memory-storage.js';
import { SeaweedMqStorage } from './storage/seaweedmq/index.js';
import type { Storage } from './storage/storage.js';

export interface Gateway {
  readonly address: AddressInfo;
  /** The /metrics, /healthz and /readyz listener, when --metrics-port is set. */
  readonly metricsAddress: AddressInfo | undefined;
  readonly services: Services;
  stop(): Promise<void>;
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
  );
  // Groups and committed offsets are loaded before listening when the store answers; a SeaweedMQ
  // cluster that is not up yet must not stop the gateway: group requests then get
  // COORDINATOR_LOAD_IN_PROGRESS until the load succeeds.
  await services.groups.loadInBackground();
  await services.producerState.loadInBackground();
  services.quotas.loadInBackground(log);
  let address: AddressInfo;
  try {
    address = await server.listen(config.host, config.port);
  } catch (err) {
    await services.groups.close();
    await services.producerState.stop();
    await storage.close();
    throw err;
  }
  services.retention.start();
  const ops = await startOpsListener(config, services, metrics, () => server.listening, log).catch(
    async (err: unknown) => {
      await server.close();
      await services.groups.close();
      await services.producerState.stop();
      await storage.close();
      throw err;
    },
  );
  services.cleaner.start();
  services.producerState.start();
  startCoordination(services, config, address);
  log.info({ host: address.address, port: address.port, store: storage.kind }, 'kafka-gateway listening');
  let stopping: Promise<void> | undefined;
  return {
    address,
    metricsAddress: ops?.address,
    services,
    stop() {
      stopping ??= (async () => {
        // The coordinator goes first: it answers parked JoinGroup/SyncGroup requests (NOT_COORDINATOR), so
        // connections drain at once instead of waiting out a rebalance, and it finishes its writes. Its
        // slots are handed over and freed first, so other gateways take them without waiting them out.
        await services.coordinatorSlots?.stop();
        await services.groups.close();
        await server.close();
        await services.retention.stop();
        await services.cleaner.stop();
        await services.producerState.stop();
        services.quotas.close();
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
 * are told to use: --advertised-host/--advertised-port, else the address listened on (the machine's
 * name when that is a wildcard).
 */
function startCoordination(services: Services, config: GatewayConfig, address: AddressInfo): void {
  const slots = services.coordinatorSlots;
  if (slots === undefined) return;
  const wildcard = config.host === '0.0.0.0' || config.host === '::' || config.host === '';
  const host = config.advertisedHost ?? (wildcard ? hostname() : config.host);
  const port = config.advertisedPort ?? address.port;
  const inSlot = (slot: number) => (groupId: string) => slots.slotOf('group', groupId) === slot;
  slots.start(
    { host, port },
    {
      takeOver: (_kind, slot) => services.groups.takeOver(inSlot(slot)),
      handOver: (_kind, slot) => services.groups.handOver(inSlot(slot)),
    },
  );
}

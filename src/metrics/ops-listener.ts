/** Wiring of the metrics registry and the operations HTTP listener into a gateway. */
import type { AddressInfo } from 'node:net';
import type { GatewayConfig } from '../config.js';
import type { Logger } from '../log.js';
import type { Services } from '../services.js';
import type { Storage } from '../storage/storage.js';
import { OpsHttpListener } from './http-listener.js';
import type { GatewayMetrics } from './metrics.js';
import { NO_METRICS } from './metrics.js';
import { PrometheusMetrics } from './prometheus.js';
import { readiness } from './readiness.js';
import { registerStateGauges } from './scrape.js';

/** Prometheus metrics when the listener is on; no-ops (nothing collected) when it is off. */
export function createMetrics(config: GatewayConfig, storage: Storage): GatewayMetrics {
  return config.metrics.port === undefined ? NO_METRICS : new PrometheusMetrics(storage.kind);
}

export interface OpsListener {
  readonly address: AddressInfo;
  close(): Promise<void>;
}

export async function startOpsListener(
  config: GatewayConfig,
  services: Services,
  metrics: GatewayMetrics,
  listening: () => boolean,
  log: Logger,
): Promise<OpsListener | undefined> {
  const port = config.metrics.port;
  if (port === undefined || !(metrics instanceof PrometheusMetrics)) return undefined;
  registerStateGauges(metrics.registry, services, log);
  const listener = new OpsHttpListener(
    {
      metrics: async () => ({ contentType: metrics.registry.contentType, body: await metrics.scrape() }),
      readiness: () => readiness(services, listening),
    },
    log,
  );
  const address = await listener.listen(config.metrics.host, port);
  log.info({ host: address.address, port: address.port }, 'metrics and health endpoints listening');
  return { address, close: () => listener.close() };
}

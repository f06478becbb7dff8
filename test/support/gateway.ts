import type { GatewayConfig } from '../../src/config.js';
import { DEFAULT_CONFIG } from '../../src/config.js';
import { startGateway as start } from '../../src/gateway.js';
import { silentLogger } from '../../src/log.js';
import type { Services } from '../../src/services.js';
import type { Storage } from '../../src/storage/storage.js';

export interface RunningGateway {
  host: string;
  port: number;
  bootstrap: string;
  /** The gateway's services, for tests that check its state directly. */
  services: Services;
  /** http://127.0.0.1:port of /metrics, /healthz and /readyz, when config.metrics.port was set. */
  metricsUrl: string | undefined;
  stop(): Promise<void>;
}

export interface TestGatewayOptions {
  autoCreateTopics?: boolean;
  defaultPartitions?: number;
  config?: Partial<GatewayConfig>;
  storage?: Storage;
}

/** Starts a gateway in this process on a free loopback port. */
export async function startGateway(options: TestGatewayOptions = {}): Promise<RunningGateway> {
  const config: GatewayConfig = {
    ...DEFAULT_CONFIG,
    host: '127.0.0.1',
    port: 0,
    autoCreateTopics: options.autoCreateTopics ?? true,
    defaultPartitions: options.defaultPartitions ?? 1,
    ...options.config,
  };
  const gateway = await start(config, silentLogger, options.storage);
  const port = gateway.address.port;
  const m = gateway.metricsAddress;
  return {
    host: '127.0.0.1',
    port,
    bootstrap: `127.0.0.1:${port}`,
    services: gateway.services,
    metricsUrl: m === undefined ? undefined : `http://127.0.0.1:${m.port}`,
    stop: () => gateway.stop(),
  };
}

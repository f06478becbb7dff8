import { randomBytes } from 'node:crypto';
import type { GatewayConfig } from '../../src/config.js';
import { DEFAULT_CONFIG } from '../../src/config.js';
import type { Gateway } from '../../src/gateway.js';
import { startGateway } from '../../src/gateway.js';
import { silentLogger } from '../../src/log.js';

/** A gateway on a free loopback port for the admin end-to-end suites, with its services in reach. */
export interface AdminGateway {
  readonly bootstrap: string;
  readonly gateway: Gateway;
  stop(): Promise<void>;
}

export async function startAdminGateway(config: Partial<GatewayConfig> = {}): Promise<AdminGateway> {
  const gateway = await startGateway(
    { ...DEFAULT_CONFIG, host: '127.0.0.1', port: 0, autoCreateTopics: false, ...config },
    silentLogger,
  );
  // The gateway starts its retention timer; starting it again is a no-op, so this holds either way.
  gateway.services.retention.start();
  return {
    bootstrap: `127.0.0.1:${gateway.address.port}`,
    gateway,
    async stop() {
      await gateway.services.retention.stop();
      await gateway.stop();
    },
  };
}

/** Topic names unique per run. */
export function topicName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** Polls `check` until it holds; fails after `ms` (a generous bound, not a timing assertion). */
export async function eventually(check: () => Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

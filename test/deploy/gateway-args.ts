import type { GatewayConfig } from '../../src/config.js';
import { buildCommand, configFromOptions } from '../../src/cli.js';

/**
 * Runs the gateway's own command-line parser on `args`, as the container's `node bin/kafka-gateway.js`
 * would. KAFKA_GATEWAY_* variables of the test's environment are hidden meanwhile: the container does
 * not have them, and they would otherwise fill in flags the arguments leave out.
 */
export function parseGatewayArgs(args: readonly string[], env: Record<string, string> = {}): GatewayConfig {
  const saved = Object.entries(process.env).filter(([name]) => name.startsWith('KAFKA_GATEWAY_'));
  for (const [name] of saved) delete process.env[name];
  Object.assign(process.env, env);
  try {
    const command = buildCommand()
      .exitOverride()
      .configureOutput({ writeErr: () => {} });
    command.parse(['node', 'kafka-gateway', ...args]);
    return configFromOptions(command.opts());
  } finally {
    for (const name of Object.keys(env)) delete process.env[name];
    for (const [name, value] of saved) process.env[name] = value;
  }
}

import type { RequestContext } from './handler.js';

export interface BrokerEntry {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
}

/**
 * The brokers Metadata and DescribeCluster list: this gateway, plus the gateway named by
 * --group-coordinator when that is another one (clients such as kafkajs only talk to a coordinator
 * they find among the brokers). Partitions are all led by this gateway.
 */
export function brokerEntries(ctx: RequestContext): BrokerEntry[] {
  const { config } = ctx.services;
  const self = { nodeId: config.nodeId, ...advertisedAddress(ctx) };
  const named = config.groupCoordinator;
  return named === undefined || named.nodeId === self.nodeId ? [self] : [self, named];
}

/**
 * The address clients should use for this gateway: the one advertised for the listener the client
 * came in on, else the configured one, else the one they reached.
 */
export function advertisedAddress(ctx: RequestContext): { host: string; port: number } {
  const { config } = ctx.services;
  const listener = ctx.session.listener;
  return {
    host: listener.advertisedHost ?? config.advertisedHost ?? ctx.localHost,
    port: listener.advertisedPort ?? config.advertisedPort ?? ctx.localPort,
  };
}

import type { RequestContext } from './handler.js';

export interface BrokerEntry {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
}

/**
 * The brokers Metadata and DescribeCluster list: this gateway, plus the other live gateways when they
 * share the groups, or the gateway named by --group-coordinator when that is another one (clients
 * such as kafkajs only talk to a coordinator they find among the brokers). Partitions are all led by
 * this gateway.
 */
export function brokerEntries(ctx: RequestContext): BrokerEntry[] {
  const { config, coordinatorSlots } = ctx.services;
  const self = { nodeId: config.nodeId, ...advertisedAddress(ctx) };
  if (coordinatorSlots !== undefined) {
    // Every live gateway: a client may be sent to any of them as a group coordinator.
    return [self, ...coordinatorSlots.gateways().filter((g) => g.nodeId !== self.nodeId)];
  }
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

/**
 * The gateway coordinating `id` of a slot kind (`group`, later `transaction`): this one, under the
 * address the client reached, or the live gateway holding the slot; undefined while nobody holds it.
 */
export function slotOwnerAddress(ctx: RequestContext, kind: string, id: string): BrokerEntry | undefined {
  const slots = ctx.services.coordinatorSlots;
  const owner = slots?.ownerOf(kind, id);
  if (owner === undefined) return undefined;
  const { nodeId } = ctx.services.config;
  return owner.nodeId === nodeId ? { nodeId, ...advertisedAddress(ctx) } : owner;
}

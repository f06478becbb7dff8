import type { RequestContext } from './handler.js';

/** The address clients should use for this gateway: the configured one, else the one they reached. */
export function advertisedAddress(ctx: RequestContext): { host: string; port: number } {
  const { config } = ctx.services;
  return {
    host: config.advertisedHost ?? ctx.localHost,
    port: config.advertisedPort ?? ctx.localPort,
  };
}

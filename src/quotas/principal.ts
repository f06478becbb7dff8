import type { RequestContext } from '../handlers/handler.js';

/**
 * The user name quotas are looked up by: the name of the connection's principal (the SASL user,
 * the client certificate's subject, or Kafka's ANONYMOUS without authentication).
 */
export function quotaUser(ctx: RequestContext): string {
  return ctx.session.principal.name;
}

import type { RequestContext } from '../handlers/handler.js';

/**
 * The user name quotas are looked up by: Kafka's principal name. Without authentication every
 * client is Kafka's ANONYMOUS user; once connections authenticate (SASL/TLS), this is where their
 * principal's name comes from.
 */
export function quotaUser(_ctx: RequestContext): string {
  return 'ANONYMOUS';
}

import { principalString, samePrincipal, type Principal } from '../principal.js';
import type { Session } from '../session.js';
import { SaslAuthenticationError } from './mechanism.js';

/**
 * Marks the session authenticated as `principal` and returns its lifetime in ms (0: no expiry).
 * A re-authentication (KIP-368) must keep the principal. The session expires after
 * connections.max.reauth.ms, or sooner when the credential does (an OAUTHBEARER token), and only
 * when connections.max.reauth.ms is set, as in Kafka.
 */
export function completeAuthentication(
  session: Session,
  done: { readonly principal: Principal; readonly lifetimeMs?: number },
  maxReauthMs: number,
): number {
  if (session.reauthenticating) {
    session.reauthenticating = false;
    if (!samePrincipal(session.principal, done.principal)) {
      throw new SaslAuthenticationError(
        `Cannot change principals during re-authentication from ${principalString(session.principal)} to ${principalString(done.principal)}`,
      );
    }
  }
  session.principal = done.principal;
  session.authenticated = true;
  session.exchange = undefined;
  if (maxReauthMs <= 0) {
    session.expiresAtMs = undefined;
    return 0;
  }
  const lifetime = Math.max(0, Math.min(maxReauthMs, done.lifetimeMs ?? maxReauthMs));
  session.expiresAtMs = Date.now() + lifetime;
  return lifetime;
}

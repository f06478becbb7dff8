/**
 * Which requests a connection may send in its authentication state, as Kafka's
 * SaslServerAuthenticator allows them: before a SASL exchange succeeds only ApiVersions and
 * SaslHandshake (then SaslAuthenticate); once a session has expired (KIP-368) only the
 * re-authentication. Anything else closes the connection.
 */
import type { Session } from './session.js';

const API_VERSIONS = 18;
const SASL_HANDSHAKE = 17;
const SASL_AUTHENTICATE = 36;

/** Undefined when the request may go on, else why the connection closes. */
export function refusal(session: Session, apiKey: number, nowMs: number): string | undefined {
  if (!session.authenticated) {
    if (apiKey === API_VERSIONS || apiKey === SASL_HANDSHAKE) return undefined;
    if (apiKey === SASL_AUTHENTICATE && session.exchange !== undefined) return undefined;
    return `Unexpected Kafka request of type ${apiKey} during SASL authentication`;
  }
  if (session.expired(nowMs) && apiKey !== SASL_HANDSHAKE && apiKey !== SASL_AUTHENTICATE) {
    return `SASL session expired: the client did not re-authenticate (request of type ${apiKey})`;
  }
  return undefined;
}

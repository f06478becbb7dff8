/**
 * What a connection knows about its client's identity: the listener it came in on, who it is
 * (ANONYMOUS, its certificate's subject, or the SASL user), and the SASL exchange in progress.
 * Owned by the connection; the SASL handlers move it along and the gate reads it.
 */
import type { ListenerConfig } from './listeners.js';
import { usesSasl } from './listeners.js';
import { ANONYMOUS, type Principal } from './principal.js';
import type { SaslExchange } from './sasl/mechanism.js';

export class Session {
  principal: Principal;
  /** False on a SASL listener until a SASL exchange succeeds. */
  authenticated: boolean;
  /** The exchange SaslHandshake started, until it completes or fails. */
  exchange: SaslExchange | undefined;
  mechanism: string | undefined;
  /** A SaslHandshake on an authenticated session: the exchange must end with the same principal. */
  reauthenticating = false;
  /** SaslHandshake v0: the tokens that follow travel as raw size-prefixed frames, not as requests. */
  rawTokens = false;
  /** When the SASL session ends (KIP-368); undefined: never. */
  expiresAtMs: number | undefined;
  /** Set when the response being sent must be the connection's last (a failed authentication). */
  closeAfterResponse = false;

  constructor(
    readonly listener: ListenerConfig,
    /** The client's IP address, as ACL host fields name it. */
    readonly clientHost: string,
    certificatePrincipal: Principal | undefined,
  ) {
    this.principal = certificatePrincipal ?? ANONYMOUS;
    this.authenticated = !usesSasl(listener.protocol);
  }

  get saslListener(): boolean {
    return usesSasl(this.listener.protocol);
  }

  expired(nowMs: number): boolean {
    return this.expiresAtMs !== undefined && nowMs >= this.expiresAtMs;
  }
}

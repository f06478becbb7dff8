/**
 * A connection's authentication: its Session, which requests it may send in its state (gate.ts), and
 * the raw SASL tokens that follow a SaslHandshake v0 (they are not Kafka requests).
 */
import type { Logger } from '../log.js';
import { refusal } from './gate.js';
import type { ListenerConfig } from './listeners.js';
import type { Principal } from './principal.js';
import { completeAuthentication } from './sasl/complete.js';
import { SaslAuthenticationError } from './sasl/mechanism.js';
import type { SecurityService } from './service.js';
import { Session } from './session.js';

export type Admission =
  | { readonly kind: 'request' }
  | { readonly kind: 'close'; readonly reason: string }
  /** The frame was a raw SASL token; the response token (null: authentication failed, close). */
  | { readonly kind: 'token'; readonly response: Promise<Buffer | null> };

export class ConnectionAuth {
  readonly session: Session;

  constructor(
    listener: ListenerConfig,
    clientHost: string,
    certificatePrincipal: Principal | undefined,
    private readonly security: SecurityService,
    private readonly log: Logger,
  ) {
    this.session = new Session(listener, clientHost, certificatePrincipal);
  }

  admit(frame: Buffer): Admission {
    const session = this.session;
    if (session.rawTokens) return { kind: 'token', response: this.rawToken(frame) };
    // A frame too short for a header is the dispatcher's to refuse.
    if (frame.length < 2) return { kind: 'request' };
    const reason = refusal(session, frame.readInt16BE(0), Date.now());
    return reason === undefined ? { kind: 'request' } : { kind: 'close', reason };
  }

  private async rawToken(token: Buffer): Promise<Buffer | null> {
    const session = this.session;
    session.rawTokens = false;
    const exchange = session.exchange;
    if (exchange === undefined) return null;
    try {
      const step = await exchange.step(token);
      if (step.done !== undefined)
        completeAuthentication(session, step.done, this.security.config.maxReauthMs);
      else session.rawTokens = true;
      return step.response;
    } catch (err) {
      session.exchange = undefined;
      if (!(err instanceof SaslAuthenticationError)) throw err;
      this.log.info({ mechanism: session.mechanism, reason: err.message }, 'SASL authentication failed');
      return null;
    }
  }
}

import type { Principal } from '../principal.js';

/** A failed authentication: answered SASL_AUTHENTICATION_FAILED with this message, then closed. */
export class SaslAuthenticationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SaslAuthenticationError';
  }
}

export interface SaslStep {
  /** The server's token for the client (may be empty). */
  readonly response: Buffer;
  /** Set on the last step: who the client is, and for how long the credential stays valid. */
  readonly done?: { readonly principal: Principal; readonly lifetimeMs?: number };
}

/** One authentication in progress: the client's tokens in, the server's out. */
export interface SaslExchange {
  step(token: Buffer): Promise<SaslStep>;
}

export interface SaslMechanism {
  readonly name: string;
  start(): SaslExchange;
}

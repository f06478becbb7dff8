import type { Services } from '../services.js';
import type { Logger } from '../log.js';
import type { Session } from '../security/session.js';

/** What a handler knows about the request beyond its body. */
export interface RequestContext {
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
  /** Address and port the client reached us on, used when no advertised address is configured. */
  readonly localHost: string;
  readonly localPort: number;
  readonly remoteHost: string;
  readonly services: Services;
  /** Who the client is and how it authenticated; the SASL handlers move it along. */
  readonly session: Session;
  readonly log: Logger;
  /** Aborted when the connection closes, so long waits (fetch) can stop early. */
  readonly signal: AbortSignal;
  /**
   * Lets the connection start handling its next request before this one is answered (responses still
   * leave in order). Produce calls it once its batches are queued in the store. Absent: not possible.
   */
  readonly release?: () => void;
}

/**
 * One Kafka API. `handle` answers with the response body, or null when Kafka sends none
 * (Produce with acks=0). Kafka errors are data in the response; a throw closes the connection.
 */
export interface ApiHandler<Req = unknown, Res = unknown> {
  readonly apiKey: number;
  readonly minVersion: number;
  readonly maxVersion: number;
  handle(request: Req, ctx: RequestContext): Res | null | Promise<Res | null>;
}

export function defineHandler<Req, Res>(handler: ApiHandler<Req, Res>): ApiHandler<Req, Res> {
  return handler;
}

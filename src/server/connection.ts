import type { Socket } from 'node:net';
import type { RequestContext } from '../handlers/handler.js';
import type { Logger } from '../log.js';
import { FrameDecoder } from '../protocol/frame.js';
import { ProtocolError } from '../protocol/reader.js';
import type { Services } from '../services.js';
import { ConnectionAuth } from '../security/connection-auth.js';
import { PLAINTEXT_LISTENER, type ListenerConfig } from '../security/listeners.js';
import type { Principal } from '../security/principal.js';
import type { Dispatcher } from './dispatch.js';
import { ReceiveGuard, type ReceiveLimits } from './receive-guard.js';

export interface ConnectionLimits extends ReceiveLimits {
  readonly maxRequestBytes: number;
  readonly maxPendingResponseBytes: number;
  /** Decoded frames waiting for their turn before the socket stops reading. */
  readonly maxQueuedRequests: number;
  /** A connection with no traffic for this long and no request in hand is closed. */
  readonly connectionsMaxIdleMs: number;
}

function secs(ms: number): number {
  return ms / 1000;
}

function plainAddress(address: string | undefined): string {
  if (address === undefined) return '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/** Requests a connection may have released (RequestContext.release) and not yet answered. */
const MAX_RELEASED = 5;

/**
 * One client connection. Requests are handled one at a time in arrival order, as a Kafka broker
 * does, so responses leave in request order and a producer's pipelined batches are appended in
 * the order they were sent. A handler may release the connection early (Produce, once its batches
 * are queued in a store that keeps call order): the next request is then handled while it finishes,
 * and its response still waits for the ones before it.
 */
export class Connection {
  private readonly decoder: FrameDecoder;
  private readonly queue: Buffer[] = [];
  /** When each queued frame arrived (performance.now()), for the queue-time metric. */
  private readonly arrivals: number[] = [];
  private busy = false;
  /** Released requests not answered yet. */
  private released = 0;
  private closed = false;
  private readonly abort = new AbortController();
  private readonly log: Logger;
  private readonly localHost: string;
  private readonly localPort: number;
  private readonly remoteHost: string;
  private inFlight: Promise<void> = Promise.resolve();
  private readingPaused = false;
  /** Quota throttling: no request is read or handled before this time (Date.now()), 0 when not muted. */
  private mutedUntil = 0;
  private muteTimer: NodeJS.Timeout | undefined;
  private delayMs = 0;
  private readonly guard: ReceiveGuard;
  private readonly auth: ConnectionAuth;

  constructor(
    private readonly socket: Socket,
    private readonly dispatcher: Dispatcher,
    private readonly services: Services,
    private readonly limits: ConnectionLimits,
    parentLog: Logger,
    private readonly onClose: (c: Connection) => void,
    listener: ListenerConfig = PLAINTEXT_LISTENER,
    certificatePrincipal?: Principal,
  ) {
    this.decoder = new FrameDecoder(limits.maxRequestBytes);
    this.guard = new ReceiveGuard(
      limits,
      () =>
        this.fail(
          new ProtocolError(`no whole request within ${limits.requestReceiveTimeoutMs} ms`),
          'stalled',
        ),
      () => this.updateReading(),
    );
    this.localHost = plainAddress(socket.localAddress);
    this.localPort = socket.localPort ?? 0;
    this.remoteHost = plainAddress(socket.remoteAddress);
    this.log = parentLog.child({ remote: `${this.remoteHost}:${socket.remotePort ?? 0}` });
    this.auth = new ConnectionAuth(
      listener,
      this.remoteHost,
      certificatePrincipal,
      services.security,
      this.log,
    );
    socket.setNoDelay(true);
    services.metrics.connectionOpened();
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.updateReading());
    socket.on('error', (err) => this.log.debug({ err }, 'socket error'));
    socket.on('close', () => this.finish());
    // Kafka's connections.max.idle.ms; a request still being handled (a long rebalance) is not idle.
    socket.setTimeout(limits.connectionsMaxIdleMs, () => {
      if (this.busy || this.released > 0 || this.queue.length > 0) return;
      this.log.info({ idleMs: limits.connectionsMaxIdleMs }, 'idle connection closed');
      this.destroy();
    });
  }

  private onData(chunk: Buffer): void {
    this.guard.read(chunk.length);
    try {
      const arrived = performance.now();
      this.decoder.push(chunk, (frame) => {
        this.queue.push(frame);
        this.arrivals.push(arrived);
        this.guard.frameReceived();
      });
      this.guard.partial(this.decoder.bufferedBytes > 0);
    } catch (err) {
      this.fail(err, 'malformed frame');
      return;
    }
    this.updateReading();
    this.pump();
  }

  private pump(): void {
    if (this.busy || this.closed || this.mutedUntil > 0 || this.released >= MAX_RELEASED) return;
    const frame = this.queue.shift();
    if (frame === undefined) return;
    const arrived = this.arrivals.shift()!;
    this.busy = true;
    this.updateReading();
    let released = false;
    const release = (): void => {
      if (released || this.closed) return;
      released = true;
      this.busy = false;
      this.released++;
      // Not from inside the handler's own call stack: the next request starts on a fresh turn.
      queueMicrotask(() => this.pump());
    };
    const previous = this.inFlight;
    this.inFlight = this.process(frame, arrived, release, previous).finally(() => {
      this.guard.handled(frame.length + 4);
      if (released) this.released--;
      else this.busy = false;
      released = true;
      this.pump();
      this.updateReading();
    });
  }

  private async process(
    frame: Buffer,
    arrived: number,
    release: () => void,
    previous: Promise<void>,
  ): Promise<void> {
    const started = performance.now();
    const admission = this.auth.admit(frame);
    if (admission.kind === 'close') {
      this.fail(new ProtocolError(admission.reason), 'request refused');
      return;
    }
    if (admission.kind === 'token') {
      await this.answerToken(admission.response);
      return;
    }
    let chunks: Buffer[] | null;
    try {
      chunks = await this.dispatcher.dispatch(
        frame,
        (apiVersion, correlationId, clientId) => this.context(apiVersion, correlationId, clientId, release),
        this.onThrottle,
      );
    } catch (err) {
      await previous;
      this.fail(err, 'request failed');
      return;
    }
    // Responses leave in request order: after the one of the request before.
    await previous;
    const handled = performance.now();
    if (this.delayMs > 0) await this.delayResponse();
    if (this.closed) return;
    const metrics = this.services.metrics;
    if (chunks === null) {
      metrics.requestCompleted(
        frame.readInt16BE(0),
        frame.readInt16BE(2),
        secs(started - arrived),
        secs(handled - started),
        0,
      );
      return;
    }
    this.socket.cork();
    for (let i = 0; i < chunks.length - 1; i++) this.socket.write(chunks[i]!);
    if (metrics.enabled) {
      this.socket.write(chunks[chunks.length - 1]!, () =>
        metrics.requestCompleted(
          frame.readInt16BE(0),
          frame.readInt16BE(2),
          secs(started - arrived),
          secs(handled - started),
          secs(performance.now() - handled),
        ),
      );
    } else {
      this.socket.write(chunks[chunks.length - 1]!);
    }
    this.socket.uncork();
    // A failed authentication is answered, then the connection closes, as Kafka does.
    if (this.auth.session.closeAfterResponse) this.socket.end();
  }

  /** Writes the response to a raw SASL token (SaslHandshake v0), or closes when authentication failed. */
  private async answerToken(response: Promise<Buffer | null>): Promise<void> {
    let token: Buffer | null;
    try {
      token = await response;
    } catch (err) {
      this.fail(err, 'SASL authentication failed');
      return;
    }
    if (this.closed) return;
    if (token === null) {
      this.destroy();
      return;
    }
    const size = Buffer.allocUnsafe(4);
    size.writeInt32BE(token.length, 0);
    this.socket.write(Buffer.concat([size, token]));
  }

  /**
   * A quota throttled this client: like Kafka, stop reading its requests for the throttle time, and
   * for request versions older than KIP-219 (clients that do not back off themselves) also hold the
   * response back for that time.
   */
  private readonly onThrottle = (ms: number, delayResponse: boolean): void => {
    if (ms <= 0 || this.closed) return;
    if (delayResponse) this.delayMs = ms;
    this.mutedUntil = Math.max(this.mutedUntil, Date.now() + ms);
    this.updateReading();
    clearTimeout(this.muteTimer);
    this.muteTimer = setTimeout(() => {
      this.mutedUntil = 0;
      this.updateReading();
      this.pump();
    }, this.mutedUntil - Date.now());
  };

  private delayResponse(): Promise<void> {
    const ms = this.delayMs;
    this.delayMs = 0;
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  private context(
    apiVersion: number,
    correlationId: number,
    clientId: string | null,
    release: () => void,
  ): RequestContext {
    return {
      apiVersion,
      correlationId,
      clientId,
      localHost: this.localHost,
      localPort: this.localPort,
      remoteHost: this.remoteHost,
      services: this.services,
      session: this.auth.session,
      log: this.log,
      signal: this.abort.signal,
      release,
    };
  }

  /** Backpressure: stop reading while responses pile up unsent or requests pile up unhandled. */
  private updateReading(): void {
    if (this.closed) return;
    const overloaded =
      this.mutedUntil > 0 ||
      this.guard.blocked ||
      this.socket.writableLength > this.limits.maxPendingResponseBytes ||
      this.queue.length >= this.limits.maxQueuedRequests;
    if (overloaded && !this.readingPaused) {
      this.readingPaused = true;
      this.socket.pause();
    } else if (!overloaded && this.readingPaused) {
      this.readingPaused = false;
      this.socket.resume();
    }
  }

  private fail(err: unknown, what: string): void {
    const message = err instanceof Error ? err.message : String(err);
    const name = err instanceof Error ? err.name : 'Error';
    if (name === 'ProtocolError' || name === 'UnsupportedRequestError') {
      this.log.warn({ reason: message }, `${what}; closing connection`);
    } else {
      this.log.error({ err }, `${what}; closing connection`);
    }
    this.socket.destroy();
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.arrivals.length = 0;
    clearTimeout(this.muteTimer);
    this.guard.close();
    this.abort.abort();
    this.services.metrics.connectionClosed();
    this.onClose(this);
  }

  /** Lets the request being handled finish, then closes. */
  async drain(): Promise<void> {
    this.queue.length = 0;
    this.arrivals.length = 0;
    // Long waits (fetch) end early and still answer.
    this.abort.abort();
    await this.inFlight;
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
    this.finish();
  }
}

import type { Socket } from 'node:net';
import type { RequestContext } from '../handlers/handler.js';
import type { Logger } from '../log.js';
import { FrameDecoder } from '../protocol/frame.js';
import type { Services } from '../services.js';
import type { Dispatcher } from './dispatch.js';

export interface ConnectionLimits {
  readonly maxRequestBytes: number;
  readonly maxPendingResponseBytes: number;
  /** Decoded frames waiting for their turn before the socket stops reading. */
  readonly maxQueuedRequests: number;
}

function plainAddress(address: string | undefined): string {
  if (address === undefined) return '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/**
 * One client connection. Requests are handled one at a time in arrival order, as a Kafka broker
 * does, so responses leave in request order and a producer's pipelined batches are appended in
 * the order they were sent.
 */
export class Connection {
  private readonly decoder: FrameDecoder;
  private readonly queue: Buffer[] = [];
  private busy = false;
  private closed = false;
  private readonly abort = new AbortController();
  private readonly log: Logger;
  private readonly localHost: string;
  private readonly localPort: number;
  private readonly remoteHost: string;
  private inFlight: Promise<void> = Promise.resolve();
  private readingPaused = false;

  constructor(
    private readonly socket: Socket,
    private readonly dispatcher: Dispatcher,
    private readonly services: Services,
    private readonly limits: ConnectionLimits,
    parentLog: Logger,
    private readonly onClose: (c: Connection) => void,
  ) {
    this.decoder = new FrameDecoder(limits.maxRequestBytes);
    this.localHost = plainAddress(socket.localAddress);
    this.localPort = socket.localPort ?? 0;
    this.remoteHost = plainAddress(socket.remoteAddress);
    this.log = parentLog.child({ remote: `${this.remoteHost}:${socket.remotePort ?? 0}` });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.updateReading());
    socket.on('error', (err) => this.log.debug({ err }, 'socket error'));
    socket.on('close', () => this.finish());
  }

  private onData(chunk: Buffer): void {
    try {
      this.decoder.push(chunk, (frame) => this.queue.push(frame));
    } catch (err) {
      this.fail(err, 'malformed frame');
      return;
    }
    this.updateReading();
    this.pump();
  }

  private pump(): void {
    if (this.busy || this.closed) return;
    const frame = this.queue.shift();
    if (frame === undefined) return;
    this.busy = true;
    this.updateReading();
    this.inFlight = this.process(frame).finally(() => {
      this.busy = false;
      this.pump();
      this.updateReading();
    });
  }

  private async process(frame: Buffer): Promise<void> {
    let chunks: Buffer[] | null;
    try {
      chunks = await this.dispatcher.dispatch(frame, (apiVersion, correlationId, clientId) =>
        this.context(apiVersion, correlationId, clientId),
      );
    } catch (err) {
      this.fail(err, 'request failed');
      return;
    }
    if (chunks === null || this.closed) return;
    this.socket.cork();
    for (const c of chunks) this.socket.write(c);
    this.socket.uncork();
  }

  private context(apiVersion: number, correlationId: number, clientId: string | null): RequestContext {
    return {
      apiVersion,
      correlationId,
      clientId,
      localHost: this.localHost,
      localPort: this.localPort,
      remoteHost: this.remoteHost,
      services: this.services,
      log: this.log,
      signal: this.abort.signal,
    };
  }

  /** Backpressure: stop reading while responses pile up unsent or requests pile up unhandled. */
  private updateReading(): void {
    if (this.closed) return;
    const overloaded =
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
    this.abort.abort();
    this.onClose(this);
  }

  /** Lets the request being handled finish, then closes. */
  async drain(): Promise<void> {
    this.queue.length = 0;
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

import { connect, type Socket } from 'node:net';
import { requestFrame, withSize } from '../server/support/wire.js';

export type Outcome = 'answered' | 'closed' | 'timeout';

/** Correlation ids of our own ApiVersions pings; fuzzed requests use small ones. */
const PING_BASE = 0x7f000000;

/**
 * A raw connection for the fuzzer. Each case is sent followed by an ApiVersions "ping": the gateway
 * answers in request order, so the ping's answer means the case was handled (whether it had an
 * answer of its own or, like acks=0, none), and a close means the gateway refused it.
 */
export class FuzzConnection {
  private buffered: Buffer = Buffer.alloc(0);
  private closed = false;
  private pings = 0;
  private waiter: ((o: Outcome) => void) | undefined;
  private awaitedPing = -1;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.settle('closed');
    });
  }

  static open(host: string, port: number): Promise<FuzzConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      socket.once('connect', () => resolve(new FuzzConnection(socket)));
      socket.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends raw bytes (size prefix included, or deliberately wrong) then a ping. */
  send(bytes: Buffer, timeoutMs: number): Promise<Outcome> {
    if (this.closed) return Promise.resolve('closed');
    const id = PING_BASE + this.pings++;
    this.awaitedPing = id;
    return new Promise<Outcome>((resolve) => {
      const timer = setTimeout(() => this.settle('timeout'), timeoutMs);
      this.waiter = (o) => {
        clearTimeout(timer);
        resolve(o);
      };
      this.socket.write(bytes);
      this.socket.write(withSize(requestFrame(18, 0, {}, { correlationId: id, clientId: 'fuzz' })));
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private settle(o: Outcome): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.(o);
  }

  private onData(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 8) {
      const size = this.buffered.readInt32BE(0);
      if (this.buffered.length < 4 + size) return;
      const correlationId = this.buffered.readInt32BE(4);
      this.buffered = this.buffered.subarray(4 + size);
      if (correlationId === this.awaitedPing) this.settle('answered');
    }
  }
}

import { connect } from 'node:net';
import type { Socket } from 'node:net';
import type { RequestOptions } from './wire.js';
import { decodeResponse, requestFrame, withSize } from './wire.js';

/**
 * A bare TCP client for the gateway: writes whatever bytes a test wants and splits what comes back
 * into frames by hand (not with the gateway's FrameDecoder, which is under test elsewhere).
 */
export class RawClient {
  private buffered = Buffer.alloc(0);
  private readonly frames: Buffer[] = [];
  private waiter: (() => void) | undefined;
  private closedFlag = false;
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      while (this.buffered.length >= 4) {
        const size = this.buffered.readInt32BE(0);
        if (this.buffered.length < 4 + size) break;
        this.frames.push(this.buffered.subarray(4, 4 + size));
        this.buffered = this.buffered.subarray(4 + size);
      }
      this.wake();
    });
    // The gateway closing on us mid-write shows up as EPIPE/ECONNRESET: expected in these tests.
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      socket.on('close', () => {
        this.closedFlag = true;
        this.wake();
        resolve();
      }),
    );
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port }, () => {
        socket.off('error', reject);
        resolve(new RawClient(socket));
      });
      socket.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.closedFlag;
  }

  /** Frames received and not yet taken. */
  get pending(): number {
    return this.frames.length;
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  send(apiKey: number, version: number, body: object, o: RequestOptions = {}): void {
    this.write(withSize(requestFrame(apiKey, version, body, o)));
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  /** The next response frame (without its size prefix). */
  async nextFrame(timeoutMs = 15_000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const f = this.frames.shift();
      if (f !== undefined) return f;
      if (this.closedFlag) throw new Error('connection closed before a response arrived');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no response within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  async call<T>(apiKey: number, version: number, body: object, correlationId: number): Promise<T> {
    this.send(apiKey, version, body, { correlationId });
    const res = decodeResponse<T>(apiKey, version, await this.nextFrame());
    if (res.correlationId !== correlationId) {
      throw new Error(`correlation id ${res.correlationId}, expected ${correlationId}`);
    }
    return res.body;
  }

  /** Resolves once the gateway has closed the connection; rejects if it has not within the bound. */
  async waitClosed(timeoutMs = 15_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`connection still open after ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([this.closed, bound]);
    } finally {
      clearTimeout(timer);
    }
  }

  destroy(): void {
    this.socket.destroy();
  }
}

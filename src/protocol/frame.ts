import { ProtocolError } from './reader.js';

/**
 * Splits a byte stream into size-prefixed Kafka frames. A frame inside one incoming chunk is
 * returned as a view of that chunk; only a frame that spans chunks is copied, once. The declared
 * size is checked against the limit before any of the frame is buffered.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private head = 0;
  private buffered = 0;
  private pending = -1;

  constructor(private readonly maxFrameBytes: number) {}

  /** Bytes held waiting for the rest of a frame. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Feeds a chunk; calls onFrame for each complete frame (without its size prefix). */
  push(chunk: Buffer, onFrame: (frame: Buffer) => void): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.pending < 0) {
        if (this.buffered < 4) return;
        const size = this.readSize();
        if (size < 0) throw new ProtocolError(`negative frame size ${size}`);
        if (size > this.maxFrameBytes) {
          throw new ProtocolError(`frame of ${size} bytes exceeds the ${this.maxFrameBytes}-byte limit`);
        }
        this.consume(4);
        this.pending = size;
      }
      if (this.buffered < this.pending) return;
      const frame = this.take(this.pending);
      this.pending = -1;
      onFrame(frame);
    }
  }

  private readSize(): number {
    const first = this.chunks[0]!;
    if (first.length - this.head >= 4) return first.readInt32BE(this.head);
    const four = this.peekCopy(4);
    return four.readInt32BE(0);
  }

  private peekCopy(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    let copied = 0;
    let offset = this.head;
    for (const c of this.chunks) {
      const part = Math.min(c.length - offset, n - copied);
      c.copy(out, copied, offset, offset + part);
      copied += part;
      offset = 0;
      if (copied === n) break;
    }
    return out;
  }

  private consume(n: number): void {
    this.buffered -= n;
    let left = n;
    while (left > 0) {
      const first = this.chunks[0]!;
      const avail = first.length - this.head;
      if (avail > left) {
        this.head += left;
        return;
      }
      left -= avail;
      this.chunks.shift();
      this.head = 0;
    }
  }

  private take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    const first = this.chunks[0]!;
    if (first.length - this.head >= n) {
      const view = first.subarray(this.head, this.head + n);
      this.consume(n);
      return view;
    }
    const out = this.peekCopy(n);
    this.consume(n);
    return out;
  }
}

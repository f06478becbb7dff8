const EMPTY: Buffer = Buffer.alloc(0);

/**
 * Builds an outgoing frame as a list of chunks. Primitives go into a growing scratch buffer; large
 * byte slices (record batches) are appended as their own chunks so fetch responses never copy them.
 */
export class Writer {
  private buf: Buffer;
  private pos = 0;
  private segStart = 0;
  private readonly chunks: Buffer[] = [];
  private external = 0;
  private flushedLocal = 0;

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  /** Total bytes written so far, external chunks included. */
  get length(): number {
    return this.external + this.flushedLocal + (this.pos - this.segStart);
  }

  private ensure(n: number): number {
    if (this.pos + n > this.buf.length) {
      const used = this.pos - this.segStart;
      const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, used + n, 256));
      this.buf.copy(next, 0, this.segStart, this.pos);
      this.buf = next;
      this.segStart = 0;
      this.pos = used;
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  int8(v: number): this {
    const at = this.ensure(1);
    this.buf.writeInt8(v, at);
    return this;
  }
  bool(v: boolean): this {
    const at = this.ensure(1);
    this.buf[at] = v ? 1 : 0;
    return this;
  }
  int16(v: number): this {
    const at = this.ensure(2);
    this.buf.writeInt16BE(v, at);
    return this;
  }
  uint16(v: number): this {
    const at = this.ensure(2);
    this.buf.writeUInt16BE(v, at);
    return this;
  }
  int32(v: number): this {
    const at = this.ensure(4);
    this.buf.writeInt32BE(v, at);
    return this;
  }
  uint32(v: number): this {
    const at = this.ensure(4);
    this.buf.writeUInt32BE(v, at);
    return this;
  }
  int64(v: bigint): this {
    const at = this.ensure(8);
    this.buf.writeBigInt64BE(v, at);
    return this;
  }
  float64(v: number): this {
    const at = this.ensure(8);
    this.buf.writeDoubleBE(v, at);
    return this;
  }

  uvarint(v: number): this {
    let value = v >>> 0;
    // ensure() may replace this.buf, so take the index before touching the buffer.
    while (value >= 0x80) {
      const at = this.ensure(1);
      this.buf[at] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    const at = this.ensure(1);
    this.buf[at] = value;
    return this;
  }

  uuid(hex: string): this {
    const at = this.ensure(16);
    const written = this.buf.write(hex, at, 16, 'hex');
    if (written !== 16) throw new RangeError(`uuid must be 32 hex characters, got "${hex}"`);
    return this;
  }

  /** Raw UTF-8 bytes of `s`, with no length; the caller wrote the length from byteLength. */
  utf8(s: string, byteLength: number): this {
    const at = this.ensure(byteLength);
    this.buf.write(s, at, byteLength, 'utf8');
    return this;
  }

  /** Copies small byte strings into the frame; large ones become their own chunk. */
  raw(b: Buffer): this {
    if (b.length >= 4096) return this.attach(b);
    const at = this.ensure(b.length);
    b.copy(this.buf, at);
    return this;
  }

  /** Appends `b` without copying it. */
  attach(b: Buffer): this {
    if (b.length === 0) return this;
    this.cut();
    this.chunks.push(b);
    this.external += b.length;
    return this;
  }

  private cut(): void {
    if (this.pos > this.segStart) {
      this.chunks.push(this.buf.subarray(this.segStart, this.pos));
      this.flushedLocal += this.pos - this.segStart;
      this.segStart = this.pos;
    }
  }

  finish(): Buffer[] {
    this.cut();
    return this.chunks.length === 0 ? [EMPTY] : this.chunks;
  }

  /**
   * For a writer that began with `int32(0)` as a size placeholder: fills in the size and returns
   * the chunks. Until the first cut the placeholder stays at offset 0 of the live buffer (growth
   * copies from segStart, which is 0 then), so afterwards it is always at the head of chunk 0.
   */
  finishFrame(): Buffer[] {
    const chunks = this.finish();
    chunks[0]!.writeInt32BE(this.length - 4, 0);
    return chunks;
  }
}

/** Thrown when a frame is shorter than its contents claim or carries an impossible length. */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/**
 * Reads Kafka protocol primitives from a Buffer. Byte strings come back as zero-copy views into the
 * frame; callers that keep them beyond the request must copy.
 */
export class Reader {
  pos: number;
  readonly end: number;

  constructor(
    readonly buf: Buffer,
    start = 0,
    end = buf.length,
  ) {
    this.pos = start;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): number {
    const at = this.pos;
    if (n < 0 || at + n > this.end) {
      throw new ProtocolError(`need ${n} bytes at ${at}, frame ends at ${this.end}`);
    }
    this.pos = at + n;
    return at;
  }

  int8(): number {
    return this.buf.readInt8(this.need(1));
  }
  bool(): boolean {
    return this.buf[this.need(1)] !== 0;
  }
  int16(): number {
    return this.buf.readInt16BE(this.need(2));
  }
  uint16(): number {
    return this.buf.readUInt16BE(this.need(2));
  }
  int32(): number {
    return this.buf.readInt32BE(this.need(4));
  }
  uint32(): number {
    return this.buf.readUInt32BE(this.need(4));
  }
  int64(): bigint {
    return this.buf.readBigInt64BE(this.need(8));
  }
  float64(): number {
    return this.buf.readDoubleBE(this.need(8));
  }

  uvarint(): number {
    let value = 0;
    let shift = 0;
    for (;;) {
      const b = this.buf[this.need(1)]!;
      if (shift === 28) {
        if (b > 0x0f) throw new ProtocolError('unsigned varint longer than 32 bits');
        return (value | (b << 28)) >>> 0;
      }
      value |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return value >>> 0;
      shift += 7;
    }
  }

  uuid(): string {
    const at = this.need(16);
    return this.buf.toString('hex', at, at + 16);
  }

  /** Length of a string/bytes/array: int16/int32 in classic encodings, uvarint-1 in compact ones. -1 = null. */
  compactLength(): number {
    return this.uvarint() - 1;
  }

  stringOfLength(len: number): string {
    const at = this.need(len);
    return this.buf.toString('utf8', at, at + len);
  }

  bytesOfLength(len: number): Buffer {
    const at = this.need(len);
    return this.buf.subarray(at, at + len);
  }

  skip(n: number): void {
    this.need(n);
  }
}

/**
 * A segment's sparse indexes, kept in memory as typed columns and written to disk when the segment
 * stops being active (and at a clean shutdown), in Kafka's layout: big-endian (relative offset u32,
 * position u32) entries in .index, (timestamp i64, relative offset u32) in .timeindex. An entry is
 * added every index.interval.bytes of appended batches, so a lookup lands at most that far (plus
 * one batch) before the batch it looks for.
 */

const OFFSET_ENTRY = 8;
const TIME_ENTRY = 12;

/** relative offset → file position of the batch starting there. */
export class OffsetIndex {
  private rel = new Uint32Array(16);
  private pos = new Uint32Array(16);
  private n = 0;

  get length(): number {
    return this.n;
  }

  relOffset(i: number): number {
    return this.rel[i]!;
  }

  position(i: number): number {
    return this.pos[i]!;
  }

  append(relOffset: number, position: number): void {
    if (this.n > 0 && (relOffset <= this.rel[this.n - 1]! || position <= this.pos[this.n - 1]!)) return;
    if (this.n === this.rel.length) {
      this.rel = grow(this.rel);
      this.pos = grow(this.pos);
    }
    this.rel[this.n] = relOffset;
    this.pos[this.n] = position;
    this.n++;
  }

  /** Position of the last entry whose offset is <= relOffset, or 0 (the segment's start). */
  floorPosition(relOffset: number): number {
    const i = floorIndex(this.rel, this.n, relOffset);
    return i < 0 ? 0 : this.pos[i]!;
  }

  /** Forgets entries at or past `position` (after a truncation). */
  truncateToPosition(position: number): void {
    while (this.n > 0 && this.pos[this.n - 1]! >= position) this.n--;
  }

  serialize(): Buffer {
    const out = Buffer.allocUnsafe(this.n * OFFSET_ENTRY);
    for (let i = 0; i < this.n; i++) {
      out.writeUInt32BE(this.rel[i]!, i * OFFSET_ENTRY);
      out.writeUInt32BE(this.pos[i]!, i * OFFSET_ENTRY + 4);
    }
    return out;
  }

  /** Parses an index file; undefined when it is not a plausible index of a segment of `segmentSize` bytes. */
  static parse(data: Buffer, segmentSize: number): OffsetIndex | undefined {
    if (data.length % OFFSET_ENTRY !== 0) return undefined;
    const index = new OffsetIndex();
    for (let at = 0; at < data.length; at += OFFSET_ENTRY) {
      const rel = data.readUInt32BE(at);
      const position = data.readUInt32BE(at + 4);
      const before = index.n;
      if (position >= segmentSize) return undefined;
      index.append(rel, position);
      if (index.n === before) return undefined; // not strictly increasing
    }
    return index;
  }
}

/** Running maximum timestamp → relative offset of the batch where it was reached. */
export class TimeIndex {
  private ts = new BigInt64Array(16);
  private rel = new Uint32Array(16);
  private n = 0;

  get length(): number {
    return this.n;
  }

  get lastTimestamp(): bigint | undefined {
    return this.n === 0 ? undefined : this.ts[this.n - 1];
  }

  get lastRelOffset(): number | undefined {
    return this.n === 0 ? undefined : this.rel[this.n - 1];
  }

  append(timestamp: bigint, relOffset: number): void {
    if (this.n > 0 && timestamp <= this.ts[this.n - 1]!) return;
    if (this.n === this.ts.length) {
      const ts = new BigInt64Array(this.n * 2);
      ts.set(this.ts);
      this.ts = ts;
      this.rel = grow(this.rel);
    }
    this.ts[this.n] = timestamp;
    this.rel[this.n] = relOffset;
    this.n++;
  }

  /**
   * Relative offset of the last entry with a timestamp below `timestamp`: no batch up to that
   * offset holds a record at or after it. Undefined when there is none (search from the start).
   */
  lastBelow(timestamp: bigint): number | undefined {
    let lo = 0;
    let hi = this.n - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ts[mid]! < timestamp) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? undefined : this.rel[found];
  }

  truncateToRelOffset(relOffset: number): void {
    while (this.n > 0 && this.rel[this.n - 1]! >= relOffset) this.n--;
  }

  serialize(): Buffer {
    const out = Buffer.allocUnsafe(this.n * TIME_ENTRY);
    for (let i = 0; i < this.n; i++) {
      out.writeBigInt64BE(this.ts[i]!, i * TIME_ENTRY);
      out.writeUInt32BE(this.rel[i]!, i * TIME_ENTRY + 8);
    }
    return out;
  }

  static parse(data: Buffer): TimeIndex | undefined {
    if (data.length % TIME_ENTRY !== 0) return undefined;
    const index = new TimeIndex();
    let lastRel = -1;
    for (let at = 0; at < data.length; at += TIME_ENTRY) {
      const ts = data.readBigInt64BE(at);
      const rel = data.readUInt32BE(at + 8);
      const before = index.n;
      if (rel < lastRel) return undefined;
      index.append(ts, rel);
      if (index.n === before) return undefined;
      lastRel = rel;
    }
    return index;
  }
}

function grow(a: Uint32Array): Uint32Array<ArrayBuffer> {
  const out = new Uint32Array(a.length * 2);
  out.set(a);
  return out;
}

function floorIndex(values: Uint32Array, n: number, key: number): number {
  let lo = 0;
  let hi = n - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! <= key) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

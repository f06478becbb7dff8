/**
 * The retained batches of one partition, oldest first, kept as parallel columns rather than one
 * object per batch: a batch costs about 40 bytes here beyond its own bytes, which live in shared
 * chunks (see arena.ts) and are handed out as fresh views on read. Entries are removed only from
 * the front (delete records, retention), so a head index advances and the columns are compacted
 * now and then.
 */

const MIN_CAPACITY = 16;
const INT64_MIN = -(2n ** 63n);

export class BatchIndex {
  private capacity = MIN_CAPACITY;
  private head = 0;
  private tail = 0;
  private bases = new BigInt64Array(MIN_CAPACITY);
  private maxTimestamps = new BigInt64Array(MIN_CAPACITY);
  /** max of maxTimestamps over every batch ever appended up to this one: monotone, so searchable. */
  private runningMax = new BigInt64Array(MIN_CAPACITY);
  /** The buffer holding each batch; consecutive batches often share one. */
  private chunks: (Buffer | undefined)[] = new Array<Buffer | undefined>(MIN_CAPACITY);
  private starts = new Uint32Array(MIN_CAPACITY);
  private sizes = new Uint32Array(MIN_CAPACITY);
  private lastRunningMax = INT64_MIN;
  private totalBytes = 0;

  get length(): number {
    return this.tail - this.head;
  }

  /** Bytes of all retained batches. */
  get bytes(): number {
    return this.totalBytes;
  }

  baseOffset(i: number): bigint {
    return this.bases[this.head + i]!;
  }

  maxTimestamp(i: number): bigint {
    return this.maxTimestamps[this.head + i]!;
  }

  size(i: number): number {
    return this.sizes[this.head + i]!;
  }

  /** A view of batch i's bytes. */
  buffer(i: number): Buffer {
    const at = this.head + i;
    const start = this.starts[at]!;
    return this.chunks[at]!.subarray(start, start + this.sizes[at]!);
  }

  push(baseOffset: bigint, maxTimestamp: bigint, chunk: Buffer, start: number, size: number): void {
    if (this.tail === this.capacity) {
      const live = this.length;
      this.relayout(live * 2 <= this.capacity ? this.capacity : this.capacity * 2);
    }
    const at = this.tail++;
    if (maxTimestamp > this.lastRunningMax) this.lastRunningMax = maxTimestamp;
    this.bases[at] = baseOffset;
    this.maxTimestamps[at] = maxTimestamp;
    this.runningMax[at] = this.lastRunningMax;
    this.chunks[at] = chunk;
    this.starts[at] = start;
    this.sizes[at] = size;
    this.totalBytes += size;
  }

  /** Forgets the `n` oldest batches. */
  dropFront(n: number): void {
    const count = Math.min(n, this.length);
    for (let i = 0; i < count; i++) {
      const at = this.head + i;
      this.totalBytes -= this.sizes[at]!;
      this.chunks[at] = undefined; // let the bytes be collected now, not at the next compaction
    }
    this.head += count;
    if (this.head === this.tail) {
      this.head = this.tail = 0;
      if (this.capacity > MIN_CAPACITY * 4) this.relayout(MIN_CAPACITY);
    } else if (this.head * 2 > this.capacity) {
      // Shrink too, so a log that once held many batches does not keep huge columns forever.
      const live = this.length;
      this.relayout(live * 4 < this.capacity ? Math.max(MIN_CAPACITY, live * 2) : this.capacity);
    }
  }

  /** Index of the last batch whose base offset is <= offset, or -1. */
  floorIndex(offset: bigint): number {
    let lo = this.head;
    let hi = this.tail - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.bases[mid]! <= offset) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? -1 : found - this.head;
  }

  /**
   * Index of the first batch at or before which some batch (possibly already dropped) has a max
   * timestamp >= ts, or `length` when none. No retained batch before this index can hold such a record.
   */
  firstReachingTimestamp(ts: bigint): number {
    let lo = this.head;
    let hi = this.tail;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.runningMax[mid]! >= ts) hi = mid;
      else lo = mid + 1;
    }
    return lo - this.head;
  }

  private relayout(newCapacity: number): void {
    const live = this.length;
    const { head, tail } = this;
    const big = (src: BigInt64Array): BigInt64Array<ArrayBuffer> => {
      const dst = new BigInt64Array(newCapacity);
      dst.set(src.subarray(head, tail));
      return dst;
    };
    const small = (src: Uint32Array): Uint32Array<ArrayBuffer> => {
      const dst = new Uint32Array(newCapacity);
      dst.set(src.subarray(head, tail));
      return dst;
    };
    this.bases = big(this.bases);
    this.maxTimestamps = big(this.maxTimestamps);
    this.runningMax = big(this.runningMax);
    this.starts = small(this.starts);
    this.sizes = small(this.sizes);
    const chunks = new Array<Buffer | undefined>(newCapacity);
    for (let i = 0; i < live; i++) chunks[i] = this.chunks[head + i];
    this.chunks = chunks;
    this.capacity = newCapacity;
    this.head = 0;
    this.tail = live;
  }
}

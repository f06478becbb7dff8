/**
 * Records read from SeaweedMQ beyond what a Kafka Fetch asked for, kept for the next Fetch of the
 * partition. Each FetchMessage has a fixed cost at the broker, so reading a few MiB per call instead
 * of the consumer's 1 MiB per partition roughly doubles sequential reads (docs/BENCHMARKS.md).
 * Records at an offset never change within a partition generation, so a window stays valid until it is
 * read past or evicted; the total held is bounded, least recently used windows going first.
 */
import type { KafkaRecord } from './envelope.js';

interface Window {
  readonly generation: string;
  readonly start: bigint;
  readonly records: readonly KafkaRecord[];
  readonly bytes: number;
}

function recordBytes(r: KafkaRecord): number {
  let n = 32 + (r.key?.length ?? 0) + (r.value?.length ?? 0);
  for (const h of r.headers) n += h.key.length + (h.value?.length ?? 0);
  return n;
}

export function bytesOf(records: readonly KafkaRecord[]): number {
  let n = 0;
  for (const r of records) n += recordBytes(r);
  return n;
}

export class ReadAheadCache {
  /** Insertion order is recency order: a hit moves its window to the end. */
  private readonly windows = new Map<string, Window>();
  private held = 0;

  constructor(private readonly maxBytes: number) {}

  get heldBytes(): number {
    return this.held;
  }

  /** The cached records from `offset` on, or undefined when the window does not hold that offset. */
  take(key: string, generation: string, offset: bigint): readonly KafkaRecord[] | undefined {
    const w = this.windows.get(key);
    if (w === undefined) return undefined;
    const end = w.start + BigInt(w.records.length);
    if (w.generation !== generation || offset < w.start || offset >= end) {
      // A read elsewhere (a seek, the next window, a new generation): this window will not serve again.
      this.drop(key, w);
      return undefined;
    }
    this.windows.delete(key);
    this.windows.set(key, w);
    return w.records.slice(Number(offset - w.start));
  }

  /** Keeps `records` (starting at `start`) for later reads of the partition, replacing its window. */
  put(key: string, generation: string, start: bigint, records: readonly KafkaRecord[]): void {
    const old = this.windows.get(key);
    if (old !== undefined) this.drop(key, old);
    const bytes = bytesOf(records);
    if (records.length === 0 || bytes > this.maxBytes) return;
    this.windows.set(key, { generation, start, records, bytes });
    this.held += bytes;
    for (const [k, w] of this.windows) {
      if (this.held <= this.maxBytes) break;
      this.drop(k, w);
    }
  }

  /**
   * Adds records that continue the partition's window (`start` is its end), or starts one when the
   * partition has none; records that do not continue what is held are dropped.
   */
  extend(key: string, generation: string, start: bigint, records: readonly KafkaRecord[]): void {
    const w = this.windows.get(key);
    if (w === undefined) {
      this.put(key, generation, start, records);
      return;
    }
    if (w.generation !== generation || w.start + BigInt(w.records.length) !== start) return;
    this.put(key, generation, w.start, [...w.records, ...records]);
  }

  forget(key: string): void {
    const w = this.windows.get(key);
    if (w !== undefined) this.drop(key, w);
  }

  /** Forgets every window of a topic (deleted, or its log start moved). */
  forgetTopic(prefix: string): void {
    for (const [k, w] of this.windows) if (k.startsWith(prefix)) this.drop(k, w);
  }

  private drop(key: string, w: Window): void {
    this.windows.delete(key);
    this.held -= w.bytes;
  }
}

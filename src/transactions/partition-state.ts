/**
 * One partition's view of transactions, rebuilt from the batch headers of its log in offset order
 * (Kafka keeps the same in its ProducerStateManager and transaction index): the first offset of
 * every transaction still open, from which the last stable offset (LSO) follows, and the index of
 * aborted transactions that read_committed fetches return. Pure: fed on append and by scanning the
 * log, it never reads anything itself.
 */
import type { MarkerType } from '../protocol/records/control.js';

export interface BatchHeader {
  readonly baseOffset: bigint;
  readonly lastOffset: bigint;
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly transactional: boolean;
  readonly control: boolean;
  /** For a control batch: the transaction marker it holds. */
  readonly marker: MarkerType | undefined;
}

export interface OngoingTxn {
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly firstOffset: bigint;
}

export interface AbortedTxn {
  readonly producerId: bigint;
  readonly firstOffset: bigint;
  /** Offset of the abort marker. */
  readonly lastOffset: bigint;
}

export interface CompletedTxn extends AbortedTxn {
  readonly aborted: boolean;
}

export interface PartitionTxnSnapshot {
  readonly nextOffset: bigint;
  readonly ongoing: readonly OngoingTxn[];
  readonly aborted: readonly AbortedTxn[];
}

export class PartitionTxnState {
  private next: bigint;
  private readonly open = new Map<bigint, OngoingTxn>();
  /** Ordered by lastOffset, since markers are fed in offset order. */
  private aborted: AbortedTxn[] = [];
  /** Longest aborted transaction (marker offset - first offset): bounds the index search. */
  private maxSpan = 0n;
  /** Appends fed before the ones in front of them, by base offset; applied once the gap is filled. */
  private readonly early = new Map<bigint, readonly BatchHeader[]>();

  constructor(snapshot: PartitionTxnSnapshot) {
    this.next = snapshot.nextOffset;
    for (const t of snapshot.ongoing) this.open.set(t.producerId, t);
    for (const a of snapshot.aborted) this.pushAborted(a);
  }

  /** Offsets below this one have been fed. */
  get nextOffset(): bigint {
    return this.next;
  }

  /** True when appends wait for an earlier range that was never fed (another writer, a lost race). */
  get hasGap(): boolean {
    return this.early.size > 0;
  }

  get ongoing(): readonly OngoingTxn[] {
    return [...this.open.values()];
  }

  hasOngoing(producerId: bigint): boolean {
    return this.open.has(producerId);
  }

  /**
   * The headers of one append (or one read), contiguous and in offset order. Headers already fed are
   * skipped; an append that starts past the fed range waits until the range before it is fed.
   * Returns the transactions the headers completed.
   */
  feed(headers: readonly BatchHeader[]): CompletedTxn[] {
    const first = headers[0];
    if (first === undefined) return [];
    if (first.baseOffset > this.next) {
      this.early.set(first.baseOffset, headers);
      return [];
    }
    const done: CompletedTxn[] = [];
    this.applyAll(headers, done);
    this.drain(done);
    return done;
  }

  /** The log below `offset` is gone (retention, DeleteRecords): nothing there can be fed any more. */
  skipTo(offset: bigint): void {
    if (offset > this.next) this.next = offset;
    this.truncateBefore(offset);
    this.drain([]);
  }

  /** The first offset a read_committed consumer may not read yet. */
  lastStableOffset(highWatermark: bigint, logStartOffset = 0n): bigint {
    let lso = highWatermark;
    for (const t of this.open.values()) if (t.firstOffset < lso) lso = t.firstOffset;
    return lso < logStartOffset ? logStartOffset : lso;
  }

  /** Aborted transactions that overlap the offsets [from, to), in marker order. */
  abortedBetween(from: bigint, to: bigint): AbortedTxn[] {
    const out: AbortedTxn[] = [];
    if (from >= to) return out;
    // An entry whose marker lies at or beyond `to + maxSpan` cannot start before `to`.
    const stop = to + this.maxSpan;
    for (let i = this.firstEndingAtOrAfter(from); i < this.aborted.length; i++) {
      const a = this.aborted[i]!;
      if (a.lastOffset >= stop) break;
      if (a.firstOffset < to) out.push(a);
    }
    return out;
  }

  /** Drops index entries wholly below the log start (their data is gone). */
  truncateBefore(logStartOffset: bigint): void {
    const keep = this.firstEndingAtOrAfter(logStartOffset);
    if (keep > 0) this.aborted = this.aborted.slice(keep);
  }

  snapshot(): PartitionTxnSnapshot {
    return { nextOffset: this.next, ongoing: this.ongoing, aborted: [...this.aborted] };
  }

  /** Applies the early appends the fed range has reached; parts already fed are skipped. */
  private drain(done: CompletedTxn[]): void {
    for (let progressed = true; progressed && this.early.size > 0;) {
      progressed = false;
      for (const [base, headers] of this.early) {
        if (base > this.next) continue;
        this.early.delete(base);
        this.applyAll(headers, done);
        progressed = true;
      }
    }
  }

  private applyAll(headers: readonly BatchHeader[], done: CompletedTxn[]): void {
    for (const h of headers) {
      if (h.lastOffset < this.next) continue;
      const completed = this.apply(h);
      if (completed !== undefined) done.push(completed);
      this.next = h.lastOffset + 1n;
    }
  }

  private apply(h: BatchHeader): CompletedTxn | undefined {
    if (h.producerId < 0n) return undefined;
    if (h.control) {
      const open = this.open.get(h.producerId);
      if (open === undefined || h.marker === undefined) return undefined;
      this.open.delete(h.producerId);
      const completed = {
        producerId: h.producerId,
        firstOffset: open.firstOffset,
        lastOffset: h.lastOffset,
        aborted: h.marker === 'abort',
      };
      if (completed.aborted) this.pushAborted(completed);
      return completed;
    }
    if (h.transactional && !this.open.has(h.producerId)) {
      const firstOffset = h.baseOffset < this.next ? this.next : h.baseOffset;
      this.open.set(h.producerId, { producerId: h.producerId, producerEpoch: h.producerEpoch, firstOffset });
    }
    return undefined;
  }

  private pushAborted(a: AbortedTxn): void {
    this.aborted.push({ producerId: a.producerId, firstOffset: a.firstOffset, lastOffset: a.lastOffset });
    const span = a.lastOffset - a.firstOffset;
    if (span > this.maxSpan) this.maxSpan = span;
  }

  private firstEndingAtOrAfter(offset: bigint): number {
    let lo = 0;
    let hi = this.aborted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.aborted[mid]!.lastOffset < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

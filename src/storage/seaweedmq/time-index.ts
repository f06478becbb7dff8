/**
 * A sparse, in-memory summary of a partition's record timestamps so that ListOffsets by time stays
 * exact without rescanning the whole partition each time. Every STEP offsets it remembers the largest
 * timestamp seen before that offset: when that is below the asked time, no earlier record can match,
 * so a search may start there. It is filled by the scans themselves (and is lost on restart).
 */
const STEP = 1000n;

interface Checkpoint {
  readonly offset: bigint;
  /** Largest timestamp among [base, offset), or null when that range is empty. */
  readonly maxBefore: bigint | null;
}

export class TimeIndex {
  private readonly checkpoints: Checkpoint[];
  private coveredEnd: bigint;
  private max: bigint | null = null;
  private maxOffset = -1n;

  constructor(
    readonly base: bigint,
    readonly generation: string,
  ) {
    this.checkpoints = [{ offset: base, maxBefore: null }];
    this.coveredEnd = base;
  }

  /** Offsets [base, covered) are summarized. */
  get covered(): bigint {
    return this.coveredEnd;
  }

  get maximum(): { timestamp: bigint; offset: bigint } | undefined {
    return this.max === null ? undefined : { timestamp: this.max, offset: this.maxOffset };
  }

  observe(offset: bigint, timestamp: bigint): void {
    if (offset !== this.coveredEnd) return;
    if (this.max === null || timestamp > this.max) {
      this.max = timestamp;
      this.maxOffset = offset;
    }
    this.coveredEnd = offset + 1n;
    if ((this.coveredEnd - this.base) % STEP === 0n) {
      this.checkpoints.push({ offset: this.coveredEnd, maxBefore: this.max });
    }
  }

  /** An offset at or before the first record whose timestamp is >= t. */
  searchStart(t: bigint): bigint {
    let lo = 0;
    let hi = this.checkpoints.length - 1;
    // Checkpoints' maxBefore only grows, so binary-search the last one still below t.
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      const m = this.checkpoints[mid]!.maxBefore;
      if (m === null || m < t) lo = mid;
      else hi = mid - 1;
    }
    return this.checkpoints[lo]!.offset;
  }
}

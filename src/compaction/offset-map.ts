/**
 * The cleaner's map from record key to the offset of its latest record in the dirty part of a log.
 * Keys are held as latin1 strings (one character per byte, so distinct keys stay distinct); the map
 * holds at most `capacity` keys, and a cleaning pass covers only as much of the dirty log as fits,
 * as Kafka's dedupe buffer does: the next pass goes on from there.
 */
export class KeyOffsetMap {
  private readonly offsets = new Map<string, number>();
  /** Largest offset put into the map; records past it are not covered and are always kept. */
  latestOffset = -1n;

  constructor(readonly capacity = 500_000) {}

  get size(): number {
    return this.offsets.size;
  }

  /** Whether `keys` more distinct keys may not fit. */
  wouldOverflow(keys: number): boolean {
    return this.offsets.size + keys > this.capacity;
  }

  put(key: Buffer, offset: bigint): void {
    this.offsets.set(key.toString('latin1'), Number(offset));
    if (offset > this.latestOffset) this.latestOffset = offset;
  }

  /** Notes that the map covers the log up to `offset` (a batch without keyed records there). */
  cover(offset: bigint): void {
    if (offset > this.latestOffset) this.latestOffset = offset;
  }

  get(key: Buffer): bigint | undefined {
    const offset = this.offsets.get(key.toString('latin1'));
    return offset === undefined ? undefined : BigInt(offset);
  }
}

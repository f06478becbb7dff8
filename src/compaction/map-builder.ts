/**
 * Fills the cleaner's key map from the dirty part of a log. The records of a transaction count only
 * once its COMMIT marker is seen: an aborted record must never displace the committed record of its
 * key (read_committed readers skip the aborted one, so the key's value would be lost), which is why
 * Kafka's cleaner leaves aborted transactions out of its map too. Records of a transaction whose
 * marker lies past the pass stay out of the map, so they and the earlier records of their keys are kept.
 */
import { RecordBatch } from '../protocol/records/batch.js';
import { markerTypeOf } from '../protocol/records/control.js';
import type { KeyOffsetMap } from './offset-map.js';

interface HeldRecord {
  readonly key: Buffer;
  readonly offset: bigint;
}

export class MapBuilder {
  /** Keyed records of transactions not ended yet in this pass, by producer id. */
  private readonly held = new Map<bigint, HeldRecord[]>();
  private heldCount = 0;

  /** `from`: the first dirty offset; records before it are not mapped. */
  constructor(
    readonly map: KeyOffsetMap,
    private readonly from: bigint,
  ) {}

  /** Adds one batch; returns false, adding nothing, when its keys might not fit: the pass ends there. */
  add(buf: Buffer): boolean {
    const batch = new RecordBatch(buf);
    if (batch.isControl) {
      const held = this.held.get(batch.producerId) ?? [];
      this.held.delete(batch.producerId);
      this.heldCount -= held.length;
      if (markerTypeOf(batch) === 'commit') for (const r of held) this.map.put(r.key, r.offset);
      this.map.cover(batch.lastOffset);
      return true;
    }
    const records = batch.records();
    if (this.map.size > 0 && this.map.wouldOverflow(records.length + this.heldCount)) return false;
    const keyed = records.filter((r) => r.key !== null && r.offset >= this.from);
    if (batch.isTransactional) {
      const held = this.held.get(batch.producerId) ?? [];
      for (const r of keyed) held.push({ key: r.key!, offset: r.offset });
      this.held.set(batch.producerId, held);
      this.heldCount += keyed.length;
    } else {
      for (const r of keyed) this.map.put(r.key!, r.offset);
    }
    this.map.cover(batch.lastOffset);
    return true;
  }
}

/** What the per-partition transaction index needs from stored or appended batches: their headers. */
import { RecordBatch } from '../protocol/records/batch.js';
import { markerTypeOf } from '../protocol/records/control.js';
import { OFF_ATTRIBUTES, ATTR_TRANSACTIONAL } from '../protocol/records/layout.js';
import type { BatchHeader } from './partition-state.js';

export function headerOf(batch: RecordBatch, baseOffset = batch.baseOffset): BatchHeader {
  return {
    baseOffset,
    lastOffset: baseOffset + BigInt(batch.lastOffsetDelta),
    producerId: batch.producerId,
    producerEpoch: batch.producerEpoch,
    transactional: batch.isTransactional,
    control: batch.isControl,
    // Only control batches are decoded, and they hold one small record.
    marker: batch.isControl ? markerTypeOf(batch) : undefined,
  };
}

/** Headers of stored batches (each with its own base offset). */
export function headersOfStored(buffers: readonly Buffer[]): BatchHeader[] {
  return buffers.map((b) => headerOf(new RecordBatch(b)));
}

/** Headers of the batches of one append, stored from `baseOffset` on. */
export function headersOfAppend(batches: readonly RecordBatch[], baseOffset: bigint): BatchHeader[] {
  const out: BatchHeader[] = [];
  let offset = baseOffset;
  for (const b of batches) {
    const h = headerOf(b, offset);
    out.push(h);
    offset = h.lastOffset + 1n;
  }
  return out;
}

/** True when any stored batch is transactional (reads only the attributes of each). */
export function anyTransactional(buffers: readonly Buffer[]): boolean {
  for (const b of buffers) {
    if (b.length > OFF_ATTRIBUTES + 1 && (b.readInt16BE(OFF_ATTRIBUTES) & ATTR_TRANSACTIONAL) !== 0)
      return true;
  }
  return false;
}

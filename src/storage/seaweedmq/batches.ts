/** Turns decoded Kafka records at consecutive offsets into v2 record batches within a byte budget. */
import { buildRecordBatch } from '../../protocol/records/builder.js';
import type { KafkaRecord } from './envelope.js';

const BATCH_OVERHEAD = 61;
/** Kafka clients handle large batches fine; this only bounds the work of re-encoding one. */
const MAX_RECORDS_PER_BATCH = 2000;

function recordSize(r: KafkaRecord): number {
  let n = 16 + (r.key?.length ?? 0) + (r.value?.length ?? 0);
  for (const h of r.headers) n += 6 + Buffer.byteLength(h.key) + (h.value?.length ?? 0);
  return n;
}

/**
 * Records that can share one batch: same timestamp type, and the same log-append time if any; the
 * same transaction (producer id and epoch) or none; a transaction marker always stands alone.
 */
function compatible(a: KafkaRecord, b: KafkaRecord): boolean {
  if (a.timestampType !== b.timestampType) return false;
  if (a.timestampType === 1 && a.timestamp !== b.timestamp) return false;
  if (a.txn === undefined || b.txn === undefined) return a.txn === b.txn;
  if (a.txn.control || b.txn.control) return false;
  return a.txn.producerId === b.txn.producerId && a.txn.producerEpoch === b.txn.producerEpoch;
}

/**
 * Batches for records[i] at offset baseOffset + i. The first batch always holds at least one record
 * (KIP-74); later batches are added only while the total stays within maxBytes.
 */
export function toBatches(records: readonly KafkaRecord[], baseOffset: bigint, maxBytes: number): Buffer[] {
  const out: Buffer[] = [];
  let total = 0;
  let i = 0;
  while (i < records.length) {
    const first = records[i]!;
    let size = BATCH_OVERHEAD + recordSize(first);
    let j = i + 1;
    while (j < records.length && j - i < MAX_RECORDS_PER_BATCH && compatible(first, records[j]!)) {
      const next = recordSize(records[j]!);
      if (total + size + next > maxBytes) break;
      size += next;
      j++;
    }
    const batch = buildRecordBatch({
      baseOffset: baseOffset + BigInt(i),
      baseTimestamp: first.timestamp,
      timestampType: first.timestampType,
      ...(first.txn === undefined
        ? {}
        : {
            producerId: first.txn.producerId,
            producerEpoch: first.txn.producerEpoch,
            transactional: true,
            control: first.txn.control,
          }),
      records: records.slice(i, j).map((r) => ({
        key: r.key,
        value: r.value,
        headers: r.headers,
        timestamp: r.timestamp,
      })),
    });
    if (out.length > 0 && total + batch.length > maxBytes) break;
    out.push(batch);
    total += batch.length;
    i = j;
    if (total >= maxBytes) break;
  }
  return out;
}

import { ErrorCode, KafkaError } from '../error-codes.js';
import { decompress } from './compression.js';
import type { RecordBatch } from './batch.js';
import type { DecodedRecord, RecordHeader } from './layout.js';
import { readVarint, readVarlong, readVarlongBig, type Cursor } from './varint.js';

function corrupt(message: string): KafkaError {
  return new KafkaError(ErrorCode.CORRUPT_MESSAGE, message);
}

/**
 * Decodes every record of a batch. Keys, values and header values are views into the batch (or into
 * the decompressed section), not copies. Any inconsistency — a record overrunning its declared
 * length, fewer or more bytes than recordCount records need — is CORRUPT_MESSAGE, as in Kafka.
 */
export function decodeRecords(batch: RecordBatch): DecodedRecord[] {
  return walk(batch, true) as DecodedRecord[];
}

/**
 * Parses every record as decodeRecords does but builds nothing: a structural check that a produce
 * path can afford for batches it otherwise keeps as opaque bytes (Kafka parses them on append too).
 */
export function checkRecords(batch: RecordBatch): void {
  walk(batch, false);
}

function walk(batch: RecordBatch, materialize: boolean): DecodedRecord[] | null {
  const section = batch.recordsSection();
  const codec = batch.compression;
  const buf = codec === 0 ? section : decompress(codec, section);
  const count = batch.recordCount;
  if (count < 0) throw corrupt(`negative recordCount ${count}`);
  const end = buf.length;
  // Each record takes at least 7 bytes, so a huge count cannot make us allocate before failing.
  if (count > end) throw corrupt(`recordCount ${count} cannot fit in ${end} bytes of records`);
  const baseOffset = materialize ? batch.baseOffset : 0n;
  const baseTimestamp = materialize ? batch.baseTimestamp : 0n;
  const logAppendTime = materialize && batch.timestampType === 1 ? batch.maxTimestamp : null;
  const cur: Cursor = { pos: 0 };
  const out = materialize ? new Array<DecodedRecord>(count) : null;
  for (let i = 0; i < count; i++) {
    const length = readVarint(buf, cur);
    const recStart = cur.pos;
    const recEnd = recStart + length;
    if (length < 0 || recEnd > end) throw corrupt(`record ${i} declares length ${length} past the batch end`);
    cur.pos++; // record attributes: unused in v2
    const deltaAt = cur.pos;
    let timestampDelta: number | bigint = readVarlong(buf, cur);
    if (!Number.isSafeInteger(timestampDelta)) {
      cur.pos = deltaAt;
      timestampDelta = readVarlongBig(buf, cur);
    }
    const offsetDelta = readVarint(buf, cur);
    const key = readBytes(buf, cur, recEnd, 'key', materialize);
    const value = readBytes(buf, cur, recEnd, 'value', materialize);
    const headerCount = readVarint(buf, cur);
    if (headerCount < 0) throw corrupt(`record ${i} has negative header count ${headerCount}`);
    if (headerCount > recEnd - cur.pos) throw corrupt(`record ${i} header count ${headerCount} overruns it`);
    const headers = materialize ? new Array<RecordHeader>(headerCount) : null;
    for (let h = 0; h < headerCount; h++) {
      const keyLen = readVarint(buf, cur);
      if (keyLen < 0) throw corrupt(`record ${i} header ${h} has negative key length ${keyLen}`);
      if (cur.pos + keyLen > recEnd) throw corrupt(`record ${i} header ${h} key overruns the record`);
      const keyAt = cur.pos;
      cur.pos += keyLen;
      const hvalue = readBytes(buf, cur, recEnd, 'header value', materialize);
      if (headers) headers[h] = { key: buf.toString('utf8', keyAt, keyAt + keyLen), value: hvalue };
    }
    if (cur.pos !== recEnd) {
      throw corrupt(`record ${i} declares length ${length} but its fields take ${cur.pos - recStart}`);
    }
    if (out) {
      out[i] = {
        offset: baseOffset + BigInt(offsetDelta),
        timestamp: logAppendTime ?? baseTimestamp + BigInt(timestampDelta),
        key,
        value,
        headers: headers!,
      };
    }
  }
  if (cur.pos !== end) throw corrupt(`${end - cur.pos} bytes remain after the batch's ${count} records`);
  return out;
}

const EMPTY = Buffer.alloc(0);

/** Reads a varint-length byte string; when not materializing, skips it and returns a shared placeholder. */
function readBytes(
  buf: Buffer,
  cur: Cursor,
  limit: number,
  what: string,
  materialize: boolean,
): Buffer | null {
  const len = readVarint(buf, cur);
  if (len === -1) return null;
  if (len < -1) throw corrupt(`record ${what} has invalid length ${len}`);
  const start = cur.pos;
  if (start + len > limit) throw corrupt(`record ${what} of ${len} bytes overruns the record`);
  cur.pos = start + len;
  return materialize ? buf.subarray(start, start + len) : EMPTY;
}

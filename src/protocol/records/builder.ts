import { crc32c } from '@node-rs/crc32';
import { compress } from './compression.js';
import {
  ATTR_CONTROL,
  ATTR_DELETE_HORIZON,
  ATTR_TIMESTAMP_TYPE,
  ATTR_TRANSACTIONAL,
  BATCH_HEADER_SIZE,
  Compression,
  LOG_OVERHEAD,
  OFF_ATTRIBUTES,
  OFF_CRC,
  type RecordHeader,
} from './layout.js';
import { sizeOfVarint, sizeOfVarlong, writeVarint, writeVarlong } from './varint.js';

export interface BuildRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers?: RecordHeader[];
  /** Defaults to the batch's baseTimestamp. */
  timestamp?: bigint;
  /** Defaults to the record's index in the batch. */
  offsetDelta?: number;
}

export interface BuildBatchOptions {
  baseOffset?: bigint;
  records: BuildRecord[];
  compression?: number;
  /** Defaults to the first record's timestamp, else the current time. */
  baseTimestamp?: bigint;
  producerId?: bigint;
  producerEpoch?: number;
  baseSequence?: number;
  /** 1 = LogAppendTime: every record gets baseTimestamp, which is also maxTimestamp. */
  timestampType?: 0 | 1;
  transactional?: boolean;
  /** Control batch (transaction markers); the caller supplies the control record key/value. */
  control?: boolean;
  partitionLeaderEpoch?: number;
  /** Defaults to the last record's offsetDelta (0 when empty); set it to keep a compacted range. */
  lastOffsetDelta?: number;
  /** Defaults to the largest record timestamp; a compacted LogAppendTime batch keeps its original. */
  maxTimestamp?: bigint;
  /**
   * Marks the batch with a tombstone delete horizon (attribute bit 6, KIP-534), stored in place of
   * the base timestamp; record timestamps stay right since their deltas are taken from it.
   */
  deleteHorizonMs?: bigint;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Builds one v2 record batch with a valid CRC. Sizes everything first, then writes into one buffer. */
export function buildRecordBatch(opts: BuildBatchOptions): Buffer {
  const records = opts.records;
  const n = records.length;
  const codec = opts.compression ?? Compression.None;
  const logAppend = opts.timestampType === 1;
  const baseTimestamp =
    opts.deleteHorizonMs ?? opts.baseTimestamp ?? records[0]?.timestamp ?? BigInt(Date.now());

  // Timestamp deltas as numbers; a delta beyond ±2^53 (absurd, but legal int64) stays a bigint.
  const deltas = new Array<number | bigint>(n);
  const bodySizes = new Int32Array(n);
  // The base timestamp of a batch with a delete horizon is not a record's: take the records' max.
  let maxTimestamp = opts.deleteHorizonMs === undefined ? baseTimestamp : -1n;
  let recordsSize = 0;
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    const ts = logAppend ? baseTimestamp : (r.timestamp ?? baseTimestamp);
    if (ts > maxTimestamp) maxTimestamp = ts;
    const big = ts - baseTimestamp;
    const delta = big >= -MAX_SAFE && big <= MAX_SAFE ? Number(big) : big;
    deltas[i] = delta;
    let body = 1 + sizeOfVarlong(delta) + sizeOfVarint(r.offsetDelta ?? i);
    body += bytesSize(r.key) + bytesSize(r.value);
    const headers = r.headers;
    body += sizeOfVarint(headers ? headers.length : 0);
    if (headers) {
      for (const h of headers) {
        const klen = Buffer.byteLength(h.key, 'utf8');
        body += sizeOfVarint(klen) + klen + bytesSize(h.value);
      }
    }
    bodySizes[i] = body;
    recordsSize += sizeOfVarint(body) + body;
  }

  let out: Buffer;
  if (codec === Compression.None) {
    out = Buffer.allocUnsafe(BATCH_HEADER_SIZE + recordsSize);
    writeRecords(out, BATCH_HEADER_SIZE, records, deltas, bodySizes);
  } else {
    const plain = Buffer.allocUnsafe(recordsSize);
    writeRecords(plain, 0, records, deltas, bodySizes);
    const packed = compress(codec, plain);
    out = Buffer.allocUnsafe(BATCH_HEADER_SIZE + packed.length);
    packed.copy(out, BATCH_HEADER_SIZE);
  }

  let attributes = codec;
  if (logAppend) attributes |= ATTR_TIMESTAMP_TYPE;
  if (opts.transactional) attributes |= ATTR_TRANSACTIONAL;
  if (opts.control) attributes |= ATTR_CONTROL;
  if (opts.deleteHorizonMs !== undefined) attributes |= ATTR_DELETE_HORIZON;
  const lastOffsetDelta = opts.lastOffsetDelta ?? (n > 0 ? (records[n - 1]!.offsetDelta ?? n - 1) : 0);

  out.writeBigInt64BE(opts.baseOffset ?? 0n, 0);
  out.writeInt32BE(out.length - LOG_OVERHEAD, 8);
  out.writeInt32BE(opts.partitionLeaderEpoch ?? -1, 12);
  out.writeInt8(2, 16);
  out.writeInt16BE(attributes, OFF_ATTRIBUTES);
  out.writeInt32BE(lastOffsetDelta, 23);
  out.writeBigInt64BE(baseTimestamp, 27);
  out.writeBigInt64BE(opts.maxTimestamp ?? maxTimestamp, 35);
  out.writeBigInt64BE(opts.producerId ?? -1n, 43);
  out.writeInt16BE(opts.producerEpoch ?? -1, 51);
  out.writeInt32BE(opts.baseSequence ?? -1, 53);
  out.writeInt32BE(n, 57);
  out.writeUInt32BE(crc32c(out.subarray(OFF_ATTRIBUTES)), OFF_CRC);
  return out;
}

function bytesSize(b: Buffer | null): number {
  return b === null ? 1 : sizeOfVarint(b.length) + b.length;
}

function writeBytes(buf: Buffer, pos: number, b: Buffer | null): number {
  if (b === null) return writeVarint(buf, pos, -1);
  pos = writeVarint(buf, pos, b.length);
  buf.set(b, pos); // TypedArray.set: cheaper than Buffer.copy for the small values typical here
  return pos + b.length;
}

function writeRecords(
  buf: Buffer,
  pos: number,
  records: BuildRecord[],
  deltas: Array<number | bigint>,
  bodySizes: Int32Array,
): number {
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    pos = writeVarint(buf, pos, bodySizes[i]!);
    buf[pos++] = 0; // record attributes
    pos = writeVarlong(buf, pos, deltas[i]!);
    pos = writeVarint(buf, pos, r.offsetDelta ?? i);
    pos = writeBytes(buf, pos, r.key);
    pos = writeBytes(buf, pos, r.value);
    const headers = r.headers;
    pos = writeVarint(buf, pos, headers ? headers.length : 0);
    if (headers) {
      for (const h of headers) {
        const klen = Buffer.byteLength(h.key, 'utf8');
        pos = writeVarint(buf, pos, klen);
        pos += buf.write(h.key, pos, klen, 'utf8');
        pos = writeBytes(buf, pos, h.value);
      }
    }
  }
  return pos;
}

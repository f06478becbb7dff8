import { ErrorCode, KafkaError } from '../error-codes.js';
import { decompress } from './compression.js';
import type { RecordBatch } from './batch.js';
import type { DecodedRecord, RecordHeader } from './layout.js';
import { readVarint, readVarlong, readVarlongBig, type Cursor } from './varint.js';

/**
 * What a produce path checks in every record besides its structure (Kafka's LogValidator).
 * Timestamps are milliseconds as numbers: every real timestamp is far inside ±2^53.
 */
export interface RecordChecks {
  /** Most bytes the records section may decompress to. */
  readonly maxDecodedBytes: number;
  /** CreateTime window: a record timestamp (other than -1) outside [min, max] is INVALID_TIMESTAMP. */
  readonly minTimestamp: number;
  readonly maxTimestamp: number;
  /** Whether the window applies (the topic keeps CreateTime). */
  readonly checkTimestamps: boolean;
  /** A compacted topic refuses records without a key. */
  readonly requireKeys: boolean;
}

/** A record Kafka refuses on its own (its batchIndex in record_errors), not the batch's shape. */
export interface RecordIssue {
  readonly index: number;
  readonly code: number;
  readonly message: string;
}

export interface RecordsSummary {
  /** Largest record timestamp (baseTimestamp + delta), -1 when the batch has none. */
  readonly maxTimestamp: number;
  readonly issues: readonly RecordIssue[];
}

/**
 * Decodes every record of a batch. Keys, values and header values are views into the batch (or into
 * the decompressed section), not copies. Any inconsistency — a record overrunning its declared
 * length, fewer or more bytes than recordCount records need — is CORRUPT_MESSAGE.
 */
export function decodeRecords(batch: RecordBatch): DecodedRecord[] {
  return new Walk(batch, ErrorCode.CORRUPT_MESSAGE, true, undefined).run() as DecodedRecord[];
}

/**
 * Parses every record as decodeRecords does but builds nothing: a structural check of stored data.
 * Throws CORRUPT_MESSAGE like decodeRecords.
 */
export function checkRecords(batch: RecordBatch): void {
  new Walk(batch, ErrorCode.CORRUPT_MESSAGE, false, undefined).run();
}

/**
 * The produce-path walk: structure as checkRecords (refused as INVALID_RECORD, as Kafka's record
 * reader does), plus offset deltas 0..n-1 in order, and the per-record checks, whose failures are
 * collected as Kafka collects them rather than thrown. Never materialises more than
 * `maxDecodedBytes` of decompressed records.
 */
export function validateRecords(batch: RecordBatch, checks: RecordChecks): RecordsSummary {
  const walk = new Walk(batch, ErrorCode.INVALID_RECORD, false, checks);
  try {
    walk.run();
  } catch (err) {
    // Undecodable compressed data or a broken varint is the client's invalid record, not damage in
    // transit (the CRC matched): INVALID_RECORD, which producers do not retry.
    if (err instanceof KafkaError && err.code === ErrorCode.CORRUPT_MESSAGE) {
      throw new KafkaError(ErrorCode.INVALID_RECORD, err.message);
    }
    throw err;
  }
  return { maxTimestamp: walk.maxTimestamp, issues: walk.issues };
}

const EMPTY = Buffer.alloc(0);

/** One pass over a batch's records; a class so the loop's state needs no closure per record. */
class Walk {
  maxTimestamp = -1;
  issues: RecordIssue[] = [];
  private readonly cur: Cursor = { pos: 0 };
  private buf: Buffer = EMPTY;

  constructor(
    private readonly batch: RecordBatch,
    private readonly errorCode: number,
    private readonly materialize: boolean,
    private readonly checks: RecordChecks | undefined,
  ) {}

  private fail(message: string): KafkaError {
    return new KafkaError(this.errorCode, message);
  }

  run(): DecodedRecord[] | null {
    const { batch, checks, materialize, cur } = this;
    const section = batch.recordsSection();
    const codec = batch.compression;
    const buf = codec === 0 ? section : decompress(codec, section, checks?.maxDecodedBytes);
    this.buf = buf;
    const count = batch.recordCount;
    if (count < 0) throw this.fail(`negative recordCount ${count}`);
    const end = buf.length;
    // Each record takes at least 7 bytes, so a huge count cannot make us allocate before failing.
    if (count > end) throw this.fail(`recordCount ${count} cannot fit in ${end} bytes of records`);
    const baseOffset = materialize ? batch.baseOffset : 0n;
    const baseTimestampBig = batch.baseTimestamp;
    const baseTimestamp = Number(baseTimestampBig);
    const logAppendTime = materialize && batch.timestampType === 1 ? batch.maxTimestamp : null;
    const out = materialize ? new Array<DecodedRecord>(count) : null;
    for (let i = 0; i < count; i++) {
      const length = readVarint(buf, cur);
      const recStart = cur.pos;
      const recEnd = recStart + length;
      if (length < 0 || recEnd > end)
        throw this.fail(`record ${i} declares length ${length} past the batch end`);
      cur.pos++; // record attributes: unused in v2
      const deltaAt = cur.pos;
      let timestampDelta: number | bigint = readVarlong(buf, cur);
      if (!Number.isSafeInteger(timestampDelta)) {
        cur.pos = deltaAt;
        timestampDelta = readVarlongBig(buf, cur);
      }
      const offsetDelta = readVarint(buf, cur);
      const keyAt = cur.pos;
      const key = this.bytes(recEnd, 'key');
      const value = this.bytes(recEnd, 'value');
      const headerCount = readVarint(buf, cur);
      if (headerCount < 0) throw this.fail(`record ${i} has negative header count ${headerCount}`);
      if (headerCount > recEnd - cur.pos)
        throw this.fail(`record ${i} header count ${headerCount} overruns it`);
      const headers = materialize ? new Array<RecordHeader>(headerCount) : null;
      for (let h = 0; h < headerCount; h++) {
        const keyLen = readVarint(buf, cur);
        if (keyLen < 0) throw this.fail(`record ${i} header ${h} has negative key length ${keyLen}`);
        if (cur.pos + keyLen > recEnd) throw this.fail(`record ${i} header ${h} key overruns the record`);
        const hkeyAt = cur.pos;
        cur.pos += keyLen;
        const hvalue = this.bytes(recEnd, 'header value');
        if (headers) headers[h] = { key: buf.toString('utf8', hkeyAt, hkeyAt + keyLen), value: hvalue };
      }
      if (cur.pos !== recEnd) {
        throw this.fail(`record ${i} declares length ${length} but its fields take ${cur.pos - recStart}`);
      }
      if (checks !== undefined) {
        if (offsetDelta !== i) throw this.fail(`record ${i} has offset delta ${offsetDelta}, expected ${i}`);
        this.check(i, baseTimestamp, baseTimestampBig, timestampDelta, keyAt);
      }
      if (out) {
        out[i] = {
          offset: baseOffset + BigInt(offsetDelta),
          timestamp: logAppendTime ?? baseTimestampBig + BigInt(timestampDelta),
          key,
          value,
          headers: headers!,
        };
      }
    }
    if (cur.pos !== end) throw this.fail(`${end - cur.pos} bytes remain after the batch's ${count} records`);
    return out;
  }

  /** Timestamp window and key presence for record i (its key's length varint at keyAt). */
  private check(i: number, base: number, baseBig: bigint, delta: number | bigint, keyAt: number): void {
    const checks = this.checks!;
    let ts = typeof delta === 'number' ? base + delta : Number.NaN;
    if (!Number.isSafeInteger(ts) || !Number.isSafeInteger(base)) {
      const exact = baseBig + BigInt(delta);
      if (exact !== BigInt.asIntN(64, exact)) {
        throw this.fail(`record ${i} timestamp delta ${delta} overflows the base timestamp ${baseBig}`);
      }
      ts = Number(exact);
    }
    if (ts > this.maxTimestamp) this.maxTimestamp = ts;
    if (checks.requireKeys && this.buf[keyAt] === 0x01) {
      // zigzag -1: a null key
      this.issues.push({
        index: i,
        code: ErrorCode.INVALID_RECORD,
        message: 'Compacted topic cannot accept message without key',
      });
    }
    if (checks.checkTimestamps && ts !== -1 && (ts < checks.minTimestamp || ts > checks.maxTimestamp)) {
      this.issues.push({
        index: i,
        code: ErrorCode.INVALID_TIMESTAMP,
        message: `Timestamp ${ts} of message with offset ${i} is out of range. The timestamp should be within [${checks.minTimestamp}, ${checks.maxTimestamp}]`,
      });
    }
  }

  /** Reads a varint-length byte string; when not materializing, skips it and returns a shared placeholder. */
  private bytes(limit: number, what: string): Buffer | null {
    const { buf, cur } = this;
    const len = readVarint(buf, cur);
    if (len === -1) return null;
    if (len < -1) throw this.fail(`record ${what} has invalid length ${len}`);
    const start = cur.pos;
    if (start + len > limit) throw this.fail(`record ${what} of ${len} bytes overruns the record`);
    cur.pos = start + len;
    return this.materialize ? buf.subarray(start, start + len) : EMPTY;
  }
}

import { crc32c } from '@node-rs/crc32';
import { ErrorCode, KafkaError } from '../error-codes.js';
import { checkRecords, decodeRecords } from './decode.js';
import {
  BATCH_HEADER_SIZE,
  LOG_OVERHEAD,
  OFF_BASE_OFFSET,
  OFF_BATCH_LENGTH,
  OFF_PARTITION_LEADER_EPOCH,
  OFF_MAGIC,
  OFF_CRC,
  OFF_ATTRIBUTES,
  OFF_LAST_OFFSET_DELTA,
  OFF_BASE_TIMESTAMP,
  OFF_MAX_TIMESTAMP,
  OFF_PRODUCER_ID,
  OFF_PRODUCER_EPOCH,
  OFF_BASE_SEQUENCE,
  OFF_RECORD_COUNT,
  Compression,
  ATTR_COMPRESSION_MASK,
  ATTR_TIMESTAMP_TYPE,
  ATTR_TRANSACTIONAL,
  ATTR_CONTROL,
} from './layout.js';
import type { DecodedRecord } from './layout.js';

export * from './layout.js';

function corrupt(message: string): KafkaError {
  return new KafkaError(ErrorCode.CORRUPT_MESSAGE, message);
}

/**
 * Zero-copy view over one v2 batch in `buf` at `start`. Getters read the bytes each time so that
 * stamping (baseOffset, partitionLeaderEpoch) is visible at once and a view costs one object.
 * The constructor does not validate; use validateBatches for untrusted input.
 */
export class RecordBatch {
  constructor(
    readonly buf: Buffer,
    readonly start = 0,
  ) {}

  get size(): number {
    return this.buf.readInt32BE(this.start + OFF_BATCH_LENGTH) + LOG_OVERHEAD;
  }
  get baseOffset(): bigint {
    return this.buf.readBigInt64BE(this.start + OFF_BASE_OFFSET);
  }
  set baseOffset(v: bigint) {
    this.buf.writeBigInt64BE(v, this.start + OFF_BASE_OFFSET);
  }
  get partitionLeaderEpoch(): number {
    return this.buf.readInt32BE(this.start + OFF_PARTITION_LEADER_EPOCH);
  }
  set partitionLeaderEpoch(v: number) {
    this.buf.writeInt32BE(v, this.start + OFF_PARTITION_LEADER_EPOCH);
  }
  get magic(): number {
    return this.buf.readInt8(this.start + OFF_MAGIC);
  }
  get crc(): number {
    return this.buf.readUInt32BE(this.start + OFF_CRC);
  }
  get attributes(): number {
    return this.buf.readInt16BE(this.start + OFF_ATTRIBUTES);
  }
  get compression(): number {
    return this.attributes & ATTR_COMPRESSION_MASK;
  }
  get timestampType(): 0 | 1 {
    return this.attributes & ATTR_TIMESTAMP_TYPE ? 1 : 0;
  }
  get isTransactional(): boolean {
    return (this.attributes & ATTR_TRANSACTIONAL) !== 0;
  }
  get isControl(): boolean {
    return (this.attributes & ATTR_CONTROL) !== 0;
  }
  get lastOffsetDelta(): number {
    return this.buf.readInt32BE(this.start + OFF_LAST_OFFSET_DELTA);
  }
  get lastOffset(): bigint {
    return this.baseOffset + BigInt(this.lastOffsetDelta);
  }
  get baseTimestamp(): bigint {
    return this.buf.readBigInt64BE(this.start + OFF_BASE_TIMESTAMP);
  }
  get maxTimestamp(): bigint {
    return this.buf.readBigInt64BE(this.start + OFF_MAX_TIMESTAMP);
  }
  get producerId(): bigint {
    return this.buf.readBigInt64BE(this.start + OFF_PRODUCER_ID);
  }
  get producerEpoch(): number {
    return this.buf.readInt16BE(this.start + OFF_PRODUCER_EPOCH);
  }
  get baseSequence(): number {
    return this.buf.readInt32BE(this.start + OFF_BASE_SEQUENCE);
  }
  get recordCount(): number {
    return this.buf.readInt32BE(this.start + OFF_RECORD_COUNT);
  }

  /** CRC-32C of attributes..end, as stored in the header when the batch is intact. */
  computeCrc(): number {
    return crc32c(this.buf.subarray(this.start + OFF_ATTRIBUTES, this.start + this.size));
  }
  verifyCrc(): boolean {
    return this.computeCrc() === this.crc;
  }
  /** Rewrites the stored CRC after a change to a CRC-covered field. */
  updateCrc(): void {
    this.buf.writeUInt32BE(this.computeCrc(), this.start + OFF_CRC);
  }

  slice(): Buffer {
    return this.buf.subarray(this.start, this.start + this.size);
  }

  /** Marks the batch LogAppendTime with the broker's time, as a broker with that topic config does. */
  setLogAppendTime(timestampMs: bigint): void {
    const at = this.start + OFF_ATTRIBUTES;
    this.buf.writeInt16BE(this.buf.readInt16BE(at) | ATTR_TIMESTAMP_TYPE, at);
    this.buf.writeBigInt64BE(timestampMs, this.start + OFF_MAX_TIMESTAMP);
    this.updateCrc();
  }

  /** The records section as stored (possibly compressed). */
  recordsSection(): Buffer {
    return this.buf.subarray(this.start + BATCH_HEADER_SIZE, this.start + this.size);
  }

  records(): DecodedRecord[] {
    return decodeRecords(this);
  }

  /** Parses (and decompresses) every record without building them; throws CORRUPT_MESSAGE like records(). */
  checkRecords(): void {
    checkRecords(this);
  }
}

export interface ValidateOptions {
  /**
   * Apply the checks Kafka makes on batches a client produced (LogValidator, AppendOrigin.CLIENT):
   * recordCount > 0 and lastOffsetDelta + 1 === recordCount, no control batch, a sequence wherever
   * there is a producer id. Compacted batches and transaction markers in a log legitimately break
   * these, so stored data is validated with this off. Default true.
   */
  fromClient?: boolean;
  /**
   * Also parse every record (decompressing if needed), as a Kafka broker does on append. Off by
   * default: it costs far more than the header and CRC checks on the opaque-bytes produce path.
   */
  records?: boolean;
}

/**
 * Walks back-to-back batches in buf and validates each: size fields within bounds (no partial trailing
 * batch), magic 2, CRC-32C, recordCount >= 0 and consistent with lastOffsetDelta where Kafka requires it.
 * Throws KafkaError(CORRUPT_MESSAGE) for damaged bytes and KafkaError(INVALID_RECORD) for well-formed
 * batches Kafka would refuse (as Kafka does: the Java producer retries CORRUPT_MESSAGE but not
 * INVALID_RECORD, so a semantic error must not be reported as corruption). Returns the views.
 */
export function validateBatches(buf: Buffer, opts: ValidateOptions = {}): RecordBatch[] {
  const fromClient = opts.fromClient ?? true;
  const out: RecordBatch[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const left = buf.length - pos;
    if (left < BATCH_HEADER_SIZE) {
      throw corrupt(
        `partial record batch at byte ${pos}: ${left} bytes left, header needs ${BATCH_HEADER_SIZE}`,
      );
    }
    const batchLength = buf.readInt32BE(pos + OFF_BATCH_LENGTH);
    const size = batchLength + LOG_OVERHEAD;
    if (size < BATCH_HEADER_SIZE) {
      throw corrupt(`record batch at byte ${pos} declares batchLength ${batchLength}, below the header size`);
    }
    if (size > left) {
      throw corrupt(
        `partial record batch at byte ${pos}: batchLength ${batchLength} exceeds the ${left} bytes left`,
      );
    }
    const magic = buf.readInt8(pos + OFF_MAGIC);
    if (magic !== 2)
      throw corrupt(`record batch at byte ${pos} has magic ${magic}; only magic 2 is supported`);
    const batch = new RecordBatch(buf, pos);
    const stored = batch.crc;
    const computed = batch.computeCrc();
    if (stored !== computed) {
      throw corrupt(
        `record batch at byte ${pos} fails its CRC-32C check: stored 0x${hex(stored)}, computed 0x${hex(computed)}`,
      );
    }
    const codec = batch.compression;
    if (codec > Compression.Zstd)
      throw corrupt(`record batch at byte ${pos} uses unknown compression codec ${codec}`);
    const count = batch.recordCount;
    const lastDelta = batch.lastOffsetDelta;
    if (count < 0) throw corrupt(`record batch at byte ${pos} has negative recordCount ${count}`);
    if (lastDelta < 0) throw corrupt(`record batch at byte ${pos} has negative lastOffsetDelta ${lastDelta}`);
    if (count > lastDelta + 1) {
      throw corrupt(
        `record batch at byte ${pos} holds ${count} records in an offset range of ${lastDelta + 1}`,
      );
    }
    if (fromClient) {
      if (count === 0) throw invalid(`record batch at byte ${pos} has no records`);
      if (count !== lastDelta + 1) {
        throw invalid(
          `record batch at byte ${pos}: recordCount ${count} does not match lastOffsetDelta ${lastDelta} + 1`,
        );
      }
      if (batch.isControl)
        throw invalid(`record batch at byte ${pos}: clients may not write control batches`);
      if (batch.producerId >= 0n && batch.baseSequence < 0) {
        throw invalid(
          `record batch at byte ${pos}: invalid sequence ${batch.baseSequence} with producerId ${batch.producerId}`,
        );
      }
    }
    if (opts.records) batch.checkRecords();
    out.push(batch);
    pos += size;
  }
  return out;
}

function invalid(message: string): KafkaError {
  return new KafkaError(ErrorCode.INVALID_RECORD, message);
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}

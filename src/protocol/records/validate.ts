/**
 * The checks Kafka's broker makes on the records of one partition of a Produce request
 * (ProduceRequest.validateRecords, then LogValidator for a client append), as one pass over the
 * bytes: batch header and CRC-32C, one batch per partition, size, codec for the request version,
 * then every record (structure, offset deltas, timestamps, keys of compacted topics). Sans-io: it
 * reads the batch and, like Kafka, may correct its maxTimestamp field; it never re-encodes records.
 */
import { ErrorCode, KafkaError } from '../error-codes.js';
import { RecordBatch, validateBatches } from './batch.js';
import { validateRecords, type RecordIssue } from './decode.js';
import { Compression, OFF_MAGIC, OFF_MAX_TIMESTAMP } from './layout.js';

/** What a topic's configs say about the batches it accepts, resolved once per config change. */
export interface ProducePolicy {
  /** max.message.bytes: the largest batch, as sent. */
  readonly maxBatchBytes: number;
  /** Most bytes a compressed batch's records may decompress to. */
  readonly maxDecodedBytes: number;
  /** message.timestamp.type=LogAppendTime: the broker stamps batches, producers must not. */
  readonly logAppendTime: boolean;
  /** message.timestamp.before.max.ms / after.max.ms (Infinity: unbounded). */
  readonly timestampBeforeMaxMs: number;
  readonly timestampAfterMaxMs: number;
  /** cleanup.policy includes compact: every record needs a key. */
  readonly compacted: boolean;
}

/** One refused record, as Produce v8+ reports it in record_errors. */
export interface RecordError {
  readonly batchIndex: number;
  readonly message: string;
}

/** Kafka's RecordValidationException: the batch is refused because of the records listed. */
export class RecordValidationError extends KafkaError {
  constructor(
    code: number,
    message: string,
    readonly recordErrors: readonly RecordError[],
  ) {
    super(code, message);
  }
}

/** The first Produce version allowed to carry zstd batches (KIP-110). */
const ZSTD_MIN_PRODUCE_VERSION = 7;

/**
 * Validates the records of one partition of a Produce request of `produceVersion` and returns its
 * batch. Throws KafkaError with the code Kafka answers: CORRUPT_MESSAGE for damaged framing or CRC,
 * INVALID_RECORD for well-formed bytes Kafka refuses, MESSAGE_TOO_LARGE, UNSUPPORTED_COMPRESSION_TYPE,
 * UNSUPPORTED_FOR_MESSAGE_FORMAT, or a RecordValidationError (INVALID_RECORD / INVALID_TIMESTAMP) with
 * the refused records.
 */
export function validateProduce(
  records: Buffer | null,
  produceVersion: number,
  policy: ProducePolicy,
  nowMs: number,
): RecordBatch {
  if (records === null || records.length === 0) {
    throw new KafkaError(ErrorCode.INVALID_RECORD, 'Produce request carries no record batch');
  }
  if (records.length > OFF_MAGIC) {
    const magic = records.readInt8(OFF_MAGIC);
    if (magic === 0 || magic === 1) {
      throw new KafkaError(
        ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT,
        `Produce requests with version ${produceVersion} are only allowed to contain record batches with magic version 2`,
      );
    }
  }
  const batches = validateBatches(records);
  if (batches.length !== 1) {
    throw new KafkaError(
      ErrorCode.INVALID_RECORD,
      `Produce requests with version ${produceVersion} must have exactly one record batch per partition, got ${batches.length}`,
    );
  }
  const batch = batches[0]!;
  if (batch.size > policy.maxBatchBytes) {
    throw new KafkaError(
      ErrorCode.MESSAGE_TOO_LARGE,
      `The record batch of ${batch.size} bytes is larger than the ${policy.maxBatchBytes}-byte limit (max.message.bytes).`,
    );
  }
  if (batch.compression === Compression.Zstd && produceVersion < ZSTD_MIN_PRODUCE_VERSION) {
    throw new KafkaError(
      ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
      `Produce requests with version ${produceVersion} are not allowed to use ZStandard compression`,
    );
  }
  const createTime = !policy.logAppendTime;
  const summary = validateRecords(batch, {
    maxDecodedBytes: policy.maxDecodedBytes,
    minTimestamp: nowMs - policy.timestampBeforeMaxMs,
    maxTimestamp: nowMs + policy.timestampAfterMaxMs,
    checkTimestamps: createTime,
    requireKeys: policy.compacted,
  });
  let issues = summary.issues;
  if (batch.timestampType === 1 && !createTime) {
    issues = [...issues, ...producerAppendTimeIssues(batch.recordCount)];
  }
  if (issues.length > 0) throw refusal(issues);
  // Like Kafka, a CreateTime batch carries the largest record timestamp whatever the producer wrote:
  // time lookups and retention read it.
  if (createTime && batch.timestampType === 0 && BigInt(summary.maxTimestamp) !== batch.maxTimestamp) {
    batch.buf.writeBigInt64BE(BigInt(summary.maxTimestamp), batch.start + OFF_MAX_TIMESTAMP);
    batch.updateCrc();
  }
  return batch;
}

function producerAppendTimeIssues(count: number): RecordIssue[] {
  return Array.from({ length: count }, (_, index) => ({
    index,
    code: ErrorCode.INVALID_TIMESTAMP,
    message: 'Invalid timestamp type in message. Producer should not set timestamp type to LogAppendTime.',
  }));
}

/** Kafka's summary of refused records: a timestamp problem wins, else INVALID_RECORD. */
function refusal(issues: readonly RecordIssue[]): RecordValidationError {
  const recordErrors = issues.map((i) => ({ batchIndex: i.index, message: i.message }));
  if (issues.some((i) => i.code === ErrorCode.INVALID_TIMESTAMP)) {
    return new RecordValidationError(
      ErrorCode.INVALID_TIMESTAMP,
      'One or more records have been rejected due to invalid timestamp',
      recordErrors,
    );
  }
  const shown = recordErrors
    .slice(0, 3)
    .map((e) => `RecordError(batchIndex=${e.batchIndex}, message='${e.message}')`)
    .join(', ');
  return new RecordValidationError(
    ErrorCode.INVALID_RECORD,
    `One or more records have been rejected due to ${issues.length} record errors in total, and only showing the first three errors at most: [${shown}]`,
    recordErrors,
  );
}

export { RecordBatch };

import { ErrorCode, KafkaError } from '../protocol/error-codes.js';
import type {
  ProduceRequest,
  ProduceRequestPartitionProduceData,
  ProduceResponse,
  ProduceResponsePartitionProduceResponse,
} from '../protocol/generated/index.js';
import { validateBatches } from '../protocol/records/batch.js';
import type { RecordBatch } from '../protocol/records/batch.js';
import { OFF_MAGIC } from '../protocol/records/layout.js';
import { buildRecordBatch } from '../protocol/records/builder.js';
import { PartialAppendError, type AppendResult, type TopicInfo } from '../storage/storage.js';
import { topicNameProblem } from '../topics/topic-name.js';
import { toKafkaError } from './error-message.js';
import type { RequestContext } from './handler.js';
import { defineHandler } from './handler.js';

const VALID_ACKS = new Set([-1, 0, 1]);
/** The single leader epoch the gateway keeps for every partition (Metadata reports it too). */
const LEADER_EPOCH = 0;

interface PartitionResult {
  errorCode: number;
  errorMessage: string | null;
  baseOffset: bigint;
  logAppendTimeMs: bigint;
  logStartOffset: bigint;
}

function failed(errorCode: number, errorMessage: string | null): PartitionResult {
  return { errorCode, errorMessage, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n };
}

function checkBatches(records: Buffer | null, maxBytes: number): RecordBatch[] {
  if (records === null || records.length === 0) {
    throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, 'produce request carries no records');
  }
  if (records.length > OFF_MAGIC) {
    const magic = records.readInt8(OFF_MAGIC);
    if (magic === 0 || magic === 1) {
      throw new KafkaError(
        ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT,
        `message format v${magic} is not supported; the gateway stores record batches (magic 2) only`,
      );
    }
  }
  const batches = validateBatches(records);
  for (const b of batches) {
    if (b.size > maxBytes) {
      throw new KafkaError(
        ErrorCode.MESSAGE_TOO_LARGE,
        `The record batch of ${b.size} bytes is larger than the ${maxBytes}-byte limit (max.message.bytes).`,
      );
    }
    if (b.isTransactional) {
      throw new KafkaError(ErrorCode.INVALID_TXN_STATE, 'transactional produce is not supported yet');
    }
  }
  return batches;
}

async function produceToPartition(
  topic: TopicInfo,
  data: ProduceRequestPartitionProduceData,
  ctx: RequestContext,
): Promise<PartitionResult> {
  const { storage, config, producers } = ctx.services;
  if (data.index < 0 || data.index >= topic.partitions) {
    return failed(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.');
  }
  try {
    const maxBytes = Number(topic.configs['max.message.bytes'] ?? config.messageMaxBytes);
    const batches = checkBatches(data.records, maxBytes);
    const first = batches[0]!;
    const idempotent = first.producerId >= 0n;
    const state = idempotent ? await producers.ready(topic.id, data.index) : undefined;
    let resume: { skip: number; baseOffset: bigint } | undefined;
    if (state !== undefined) {
      const verdict = state.check(
        first.producerId,
        first.producerEpoch,
        first.baseSequence,
        first.lastOffsetDelta,
      );
      if (verdict.kind === 'error') return failed(verdict.errorCode, verdict.message);
      if (verdict.kind === 'resume' && batches.length === 1) resume = verdict;
      if (verdict.kind === 'duplicate') {
        const offsets = await storage.offsets(topic.name, data.index);
        return {
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          baseOffset: verdict.baseOffset,
          logAppendTimeMs: verdict.logAppendTimeMs,
          logStartOffset: offsets.logStartOffset,
        };
      }
    }
    // Kafka stamps its leader epoch into every batch; consumers read it back to validate positions.
    for (const b of batches) b.partitionLeaderEpoch = LEADER_EPOCH;
    const logAppendTime = topic.configs['message.timestamp.type'] === 'LogAppendTime';
    const toStore = resume === undefined ? data.records! : withoutLeading(first, resume.skip);
    let result: AppendResult;
    // Snapshots of the producer state must know which appends are not recorded yet (snapshots.ts).
    const token = state === undefined ? undefined : producers.appends.begin();
    try {
      result = await storage.append(
        topic.name,
        data.index,
        toStore,
        logAppendTime ? { logAppendTimeMs: BigInt(Date.now()) } : {},
      );
    } catch (err) {
      if (state !== undefined && batches.length === 1 && err instanceof PartialAppendError) {
        state.recordPartial(
          first.producerId,
          first.producerEpoch,
          first.baseSequence,
          first.lastOffsetDelta,
          (resume?.skip ?? 0) + err.storedRecords,
          resume?.baseOffset ?? err.baseOffset,
        );
      }
      producers.appends.end(token, topic.id, topic.name, data.index);
      throw err;
    }
    ctx.services.metrics.produced(
      topic.name,
      toStore.length,
      resume === undefined ? batches.reduce((n, b) => n + b.recordCount, 0) : first.recordCount - resume.skip,
    );
    // A resumed batch answers with the offset of its first record, stored by the failed attempt.
    if (resume !== undefined) result = { ...result, baseOffset: resume.baseOffset };
    if (state !== undefined) {
      let offset = result.baseOffset;
      for (const b of batches) {
        state.record(
          b.producerId,
          b.producerEpoch,
          b.baseSequence,
          b.lastOffsetDelta,
          offset,
          result.logAppendTimeMs,
        );
        offset += BigInt(b.lastOffsetDelta) + 1n;
      }
    }
    producers.appends.end(token, topic.id, topic.name, data.index);
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      baseOffset: result.baseOffset,
      logAppendTimeMs: result.logAppendTimeMs,
      logStartOffset: result.logStartOffset,
    };
  } catch (err) {
    const e = toKafkaError(err, ctx);
    return failed(e.errorCode, e.errorMessage);
  }
}

/**
 * The batch without its first `skip` records, for a retry of a batch whose first records were stored
 * by an append that failed midway. Compression is dropped: the store decodes the records anyway.
 */
function withoutLeading(batch: RecordBatch, skip: number): Buffer {
  const rest = batch.records().slice(skip);
  return buildRecordBatch({
    records: rest.map((r, i) => ({
      key: r.key,
      value: r.value,
      headers: r.headers,
      timestamp: r.timestamp,
      offsetDelta: i,
    })),
    baseTimestamp: batch.timestampType === 1 ? batch.maxTimestamp : rest[0]?.timestamp,
    timestampType: batch.timestampType,
    producerId: batch.producerId,
    producerEpoch: batch.producerEpoch,
    baseSequence: batch.baseSequence + skip,
    partitionLeaderEpoch: batch.partitionLeaderEpoch,
  });
}

function toResponse(index: number, r: PartitionResult): ProduceResponsePartitionProduceResponse {
  return { index, ...r, recordErrors: [] };
}

export default defineHandler<ProduceRequest, ProduceResponse>({
  apiKey: 0,
  minVersion: 0,
  maxVersion: 11,
  async handle(request, ctx) {
    const acksValid = VALID_ACKS.has(request.acks);
    const responses = await Promise.all(
      request.topicData.map(async (t) => {
        const nameProblem = topicNameProblem(t.name);
        const topic =
          acksValid && nameProblem === undefined ? await ctx.services.topics.getOrCreate(t.name) : undefined;
        const partitionResponses = await Promise.all(
          t.partitionData.map(async (p) => {
            if (!acksValid) return toResponse(p.index, failed(ErrorCode.INVALID_REQUIRED_ACKS, null));
            if (nameProblem !== undefined) {
              return toResponse(p.index, failed(ErrorCode.INVALID_TOPIC_EXCEPTION, nameProblem));
            }
            if (topic === undefined) {
              return toResponse(
                p.index,
                failed(
                  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                  'This server does not host this topic-partition.',
                ),
              );
            }
            return toResponse(p.index, await produceToPartition(topic, p, ctx));
          }),
        );
        return { name: t.name, partitionResponses };
      }),
    );
    if (request.acks === 0) return null;
    return { responses, throttleTimeMs: 0 };
  },
});

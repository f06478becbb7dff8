import { ErrorCode } from '../protocol/error-codes.js';
import type {
  ProduceRequest,
  ProduceRequestPartitionProduceData,
  ProduceResponseBatchIndexAndErrorMessage,
  ProduceResponse,
  ProduceResponsePartitionProduceResponse,
} from '../protocol/generated/index.js';
import { RecordBatch } from '../protocol/records/batch.js';
import { RecordValidationError, validateProduce } from '../protocol/records/validate.js';
import { buildRecordBatch } from '../protocol/records/builder.js';
import { PartialAppendError, type AppendResult, type TopicInfo } from '../storage/storage.js';
import {
  AclOperation,
  allowed,
  allowedOnTopic,
  mayCreateTopic,
  ResourceType,
} from '../security/authorize.js';
import type { PartitionProducers, Reservation } from '../producers/producer-state.js';
import { topicNameProblem } from '../topics/topic-name.js';
import { checkTransactionalProduce, needsTransactionCheck } from '../transactions/produce-checks.js';
import { toKafkaError } from './error-message.js';
import type { RequestContext } from './handler.js';
import { defineHandler } from './handler.js';

const VALID_ACKS = new Set([-1, 0, 1]);
/** Refusals of a client's bytes: logged, since the client may not show them to anyone. */
const REFUSALS = new Set<number>([
  ErrorCode.CORRUPT_MESSAGE,
  ErrorCode.INVALID_RECORD,
  ErrorCode.MESSAGE_TOO_LARGE,
  ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
  ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT,
]);
/** The single leader epoch the gateway keeps for every partition (Metadata reports it too). */
const LEADER_EPOCH = 0;

interface PartitionResult {
  errorCode: number;
  errorMessage: string | null;
  baseOffset: bigint;
  logAppendTimeMs: bigint;
  logStartOffset: bigint;
  recordErrors?: ProduceResponseBatchIndexAndErrorMessage[];
}

function failed(
  errorCode: number,
  errorMessage: string | null,
  recordErrors: ProduceResponseBatchIndexAndErrorMessage[] = [],
): PartitionResult {
  return {
    errorCode,
    errorMessage,
    baseOffset: -1n,
    logAppendTimeMs: -1n,
    logStartOffset: -1n,
    recordErrors,
  };
}

/** Validates the partition's records as Kafka does (one pass) and applies the gateway's own limits. */
function checkBatch(
  data: ProduceRequestPartitionProduceData,
  topic: TopicInfo,
  ctx: RequestContext,
): RecordBatch {
  const policy = ctx.services.producePolicies.of(topic.id, topic.configs);
  const batch = validateProduce(data.records, ctx.apiVersion, policy, Date.now());
  return batch;
}

/**
 * Produces to one partition. `issued` is called once the batches were handed to the store (or the
 * partition was answered without storing): from then on a later request may append behind them.
 */
async function produceToPartition(
  topic: TopicInfo,
  data: ProduceRequestPartitionProduceData,
  transactionalId: string | null,
  acks: number,
  ctx: RequestContext,
  issued: () => void,
): Promise<PartitionResult> {
  const { storage, producers, transactions } = ctx.services;
  if (data.index < 0 || data.index >= topic.partitions) {
    issued();
    return failed(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.');
  }
  let reservation: Reservation | undefined;
  let state: PartitionProducers | undefined;
  try {
    const first = checkBatch(data, topic, ctx);
    const batches = [first];
    if (needsTransactionCheck(transactions.partitions, topic, data.index, first)) {
      const refusal = await checkTransactionalProduce(
        transactions.coordinator,
        transactions.partitions,
        topic,
        data.index,
        first,
        transactionalId,
      );
      if (refusal !== undefined) return failed(refusal.errorCode, refusal.message);
    }
    const idempotent = first.producerId >= 0n;
    state = idempotent ? await producers.ready(topic.id, data.index) : undefined;
    let resume: { skip: number; baseOffset: bigint } | undefined;
    if (state !== undefined) {
      const verdict = state.check(
        first.producerId,
        first.producerEpoch,
        first.baseSequence,
        first.lastOffsetDelta,
      );
      if (verdict.kind === 'error') return failed(verdict.errorCode, verdict.message);
      if (verdict.kind === 'pending') {
        // A retry while the first attempt is still being appended: answer as that attempt ends.
        issued();
        const done = await verdict.settled;
        if (done === undefined) {
          return failed(ErrorCode.REQUEST_TIMED_OUT, 'The first attempt of this batch failed; retry it.');
        }
        const offsets = await storage.offsets(topic.name, data.index);
        return duplicateOf(done.baseOffset, done.logAppendTimeMs, offsets.logStartOffset);
      }
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
    // Held until the append ends, so a pipelined next batch of this producer is checked against it.
    if (state !== undefined && batches.length === 1 && resume === undefined) {
      reservation = state.reserve(
        first.producerId,
        first.producerEpoch,
        first.baseSequence,
        first.lastOffsetDelta,
      );
    }
    try {
      const appending = storage.append(topic.name, data.index, toStore, {
        durable: acks === -1,
        ...(logAppendTime ? { logAppendTimeMs: BigInt(Date.now()) } : {}),
        ...(resume === undefined ? { validated: batches } : {}),
      });
      issued();
      result = await appending;
    } catch (err) {
      if (reservation !== undefined) state?.release(reservation);
      reservation = undefined;
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
    transactions.partitions.onAppend(
      topic,
      data.index,
      result.baseOffset,
      resume === undefined ? batches : [new RecordBatch(toStore)],
    );
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
          b.maxTimestamp,
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
    if (reservation !== undefined) state?.release(reservation);
    const e = toKafkaError(err, ctx);
    if (err instanceof RecordValidationError) {
      ctx.log.info({ topic: topic.name, partition: data.index, reason: e.errorMessage }, 'produce refused');
      const recordErrors = err.recordErrors.map((r) => ({
        batchIndex: r.batchIndex,
        batchIndexErrorMessage: r.message,
      }));
      return failed(e.errorCode, e.errorMessage, recordErrors);
    }
    if (REFUSALS.has(e.errorCode)) {
      ctx.log.info({ topic: topic.name, partition: data.index, reason: e.errorMessage }, 'produce refused');
    }
    return failed(e.errorCode, e.errorMessage);
  } finally {
    issued();
  }
}

function duplicateOf(baseOffset: bigint, logAppendTimeMs: bigint, logStartOffset: bigint): PartitionResult {
  return { errorCode: ErrorCode.NONE, errorMessage: null, baseOffset, logAppendTimeMs, logStartOffset };
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
    transactional: batch.isTransactional,
    partitionLeaderEpoch: batch.partitionLeaderEpoch,
  });
}

const NO_RECORD_ERRORS: ProduceResponseBatchIndexAndErrorMessage[] = [];

function toResponse(index: number, r: PartitionResult): ProduceResponsePartitionProduceResponse {
  return { index, ...r, recordErrors: r.recordErrors ?? NO_RECORD_ERRORS };
}

export default defineHandler<ProduceRequest, ProduceResponse>({
  apiKey: 0,
  minVersion: 0,
  maxVersion: 11,
  async handle(request, ctx) {
    const acksValid = VALID_ACKS.has(request.acks);
    const txnDenied =
      request.transactionalId != null &&
      !allowed(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, request.transactionalId);
    // Once every partition's batches are with the store, the connection may go on to its next request
    // while these are written: on a store that appends in call order, pipelined requests keep order
    // and share fsyncs. Responses still leave in request order.
    let waiting = request.topicData.reduce((n, t) => n + t.partitionData.length, 0);
    const release = ctx.services.storage.appendsInCallOrder === true ? ctx.release : undefined;
    if (waiting === 0) release?.();
    const issuedOnce = (): (() => void) => {
      let done = false;
      return () => {
        if (done) return;
        done = true;
        if (--waiting === 0) release?.();
      };
    };
    const responses = await Promise.all(
      request.topicData.map(async (t) => {
        const nameProblem = topicNameProblem(t.name);
        const denied = txnDenied
          ? ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED
          : allowedOnTopic(ctx, AclOperation.WRITE, t.name)
            ? undefined
            : ErrorCode.TOPIC_AUTHORIZATION_FAILED;
        // A store that cannot look the topic up (unreachable) fails its partitions, not the connection.
        let lookupFailure: PartitionResult | undefined;
        const topic =
          acksValid && nameProblem === undefined && denied === undefined
            ? await ctx.services.topics
                .getOrCreate(t.name, mayCreateTopic(ctx, t.name))
                .catch((err: unknown) => {
                  const e = toKafkaError(err, ctx);
                  lookupFailure = failed(e.errorCode, e.errorMessage);
                  return undefined;
                })
            : undefined;
        const partitionResponses = await Promise.all(
          t.partitionData.map(async (p) => {
            const issued = issuedOnce();
            if (topic === undefined || !acksValid || nameProblem !== undefined) issued();
            if (denied !== undefined) return toResponse(p.index, failed(denied, null));
            if (!acksValid) return toResponse(p.index, failed(ErrorCode.INVALID_REQUIRED_ACKS, null));
            if (lookupFailure !== undefined) return toResponse(p.index, lookupFailure);
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
            return toResponse(
              p.index,
              await produceToPartition(topic, p, request.transactionalId, request.acks, ctx, issued),
            );
          }),
        );
        return { name: t.name, partitionResponses };
      }),
    );
    if (request.acks === 0) return null;
    return { responses, throttleTimeMs: 0 };
  },
});

import type { OffsetCommitPartitionInput } from '../groups/index.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type {
  TxnOffsetCommitRequest,
  TxnOffsetCommitResponse,
  TxnOffsetCommitResponsePartition,
} from '../protocol/generated/index.js';
import { byTopic, PartitionLookup } from './groups/common.js';
import { defineHandler } from './handler.js';

/**
 * How Kafka 3.9 answers a TxnOffsetCommit whose group the coordinator does not find in the
 * producer's transaction (its AddPartitionsToTxn verification, then maybeConvertOffsetCommitError).
 */
function verificationError(code: number, apiVersion: number): number {
  switch (code) {
    case ErrorCode.TRANSACTION_ABORTABLE:
      return apiVersion >= 4 ? code : ErrorCode.INVALID_TXN_STATE;
    case ErrorCode.PRODUCER_FENCED:
      return ErrorCode.INVALID_PRODUCER_EPOCH;
    case ErrorCode.CONCURRENT_TRANSACTIONS:
    case ErrorCode.COORDINATOR_LOAD_IN_PROGRESS:
    case ErrorCode.COORDINATOR_NOT_AVAILABLE:
    case ErrorCode.NOT_COORDINATOR:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    default:
      return code;
  }
}

interface Requested {
  readonly topic: string;
  readonly partition: number;
  readonly input: OffsetCommitPartitionInput | undefined;
}

export default defineHandler<TxnOffsetCommitRequest, TxnOffsetCommitResponse>({
  apiKey: 28,
  minVersion: 0,
  maxVersion: 4,
  async handle(request, ctx) {
    const lookup = new PartitionLookup(ctx);
    const requested: Requested[] = [];
    for (const t of request.topics) {
      for (const p of t.partitions) {
        const exists = await lookup.exists(t.name, p.partitionIndex);
        requested.push({
          topic: t.name,
          partition: p.partitionIndex,
          input: exists
            ? {
                topic: t.name,
                partition: p.partitionIndex,
                offset: p.committedOffset,
                leaderEpoch: p.committedLeaderEpoch,
                metadata: p.committedMetadata ?? '',
                commitTimestampMs: -1,
              }
            : undefined,
        });
      }
    }
    const inputs = requested.flatMap((r) => (r.input === undefined ? [] : [r.input]));
    let codes: number[] = [];
    if (inputs.length > 0) {
      const verified = await ctx.services.transactions.coordinator.verifyGroup(
        request.transactionalId,
        request.producerId,
        request.producerEpoch,
        request.groupId,
      );
      if (verified !== ErrorCode.NONE) {
        codes = inputs.map(() => verificationError(verified, ctx.apiVersion));
      } else {
        const results = await ctx.services.groups.commitTransactionalOffsets({
          groupId: request.groupId,
          producerId: request.producerId,
          producerEpoch: request.producerEpoch,
          memberId: request.memberId,
          groupInstanceId: request.groupInstanceId,
          generationId: request.generationId,
          partitions: inputs,
        });
        codes = results.map((r) => r.errorCode);
      }
    }
    // Clients before 2.0 crash on COORDINATOR_LOAD_IN_PROGRESS here (KAFKA-7296).
    const compatible = (code: number): number =>
      ctx.apiVersion < 2 && code === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS
        ? ErrorCode.COORDINATOR_NOT_AVAILABLE
        : code;
    let next = 0;
    const topics = byTopic(requested, (r): TxnOffsetCommitResponsePartition => ({
      partitionIndex: r.partition,
      errorCode:
        r.input === undefined
          ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
          : compatible(codes[next++] ?? ErrorCode.UNKNOWN_SERVER_ERROR),
    }));
    return { throttleTimeMs: 0, topics };
  },
});

import { ErrorCode } from '../protocol/error-codes.js';
import type {
  TxnOffsetCommitRequest,
  TxnOffsetCommitResponse,
  TxnOffsetCommitResponsePartition,
} from '../protocol/generated/index.js';
import { byTopic, commitRequests } from './groups/common.js';
import { defineHandler } from './handler.js';
import {
  AclOperation,
  allowed,
  allowedOnGroup,
  allowedOnTopic,
  ResourceType,
} from '../security/authorize.js';

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

export default defineHandler<TxnOffsetCommitRequest, TxnOffsetCommitResponse>({
  apiKey: 28,
  minVersion: 0,
  maxVersion: 4,
  async handle(request, ctx) {
    // Kafka asks WRITE on the transactional id, then READ on the group: either refusal fails every
    // partition. Then READ on each topic, refused per topic.
    const refusal = !allowed(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, request.transactionalId)
      ? ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED
      : !allowedOnGroup(ctx, AclOperation.READ, request.groupId)
        ? ErrorCode.GROUP_AUTHORIZATION_FAILED
        : undefined;
    if (refusal !== undefined) {
      const all = request.topics.flatMap((t) =>
        t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex })),
      );
      const topics = byTopic(all, (r) => ({ partitionIndex: r.partition, errorCode: refusal }));
      return { throttleTimeMs: 0, topics };
    }
    const requested = await commitRequests(
      ctx,
      request.topics,
      (topic) =>
        allowedOnTopic(ctx, AclOperation.READ, topic) ? undefined : ErrorCode.TOPIC_AUTHORIZATION_FAILED,
      // The coordinator stamps transactional offsets when they are staged.
      () => -1,
    );
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
          ? (r.error ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
          : compatible(codes[next++] ?? ErrorCode.UNKNOWN_SERVER_ERROR),
    }));
    return { throttleTimeMs: 0, topics };
  },
});

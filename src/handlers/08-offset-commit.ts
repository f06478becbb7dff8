import { ErrorCode } from '../protocol/error-codes.js';
import type {
  OffsetCommitRequest,
  OffsetCommitResponse,
  OffsetCommitResponsePartition,
} from '../protocol/generated/index.js';
import { byTopic, commitRequests } from './groups/common.js';
import { defineHandler } from './handler.js';
import { AclOperation, allowedOnGroup, allowedOnTopic } from '../security/authorize.js';

export default defineHandler<OffsetCommitRequest, OffsetCommitResponse>({
  apiKey: 8,
  minVersion: 0,
  maxVersion: 9,
  // v0 (ZooKeeper-stored offsets in Kafka) is served like a v1 commit without member or generation.
  async handle(request, ctx) {
    const groupDenied = !allowedOnGroup(ctx, AclOperation.READ, request.groupId);
    const requested = await commitRequests(
      ctx,
      request.topics,
      (topic) =>
        groupDenied
          ? ErrorCode.GROUP_AUTHORIZATION_FAILED
          : allowedOnTopic(ctx, AclOperation.READ, topic)
            ? undefined
            : ErrorCode.TOPIC_AUTHORIZATION_FAILED,
      (p) => Number(p.commitTimestamp),
    );
    const inputs = requested.flatMap((r) => (r.input === undefined ? [] : [r.input]));
    // Like Kafka, the coordinator is not asked at all when no requested partition exists.
    const results =
      inputs.length === 0
        ? []
        : await ctx.services.groups.commitOffsets({
            groupId: request.groupId,
            memberId: request.memberId,
            groupInstanceId: request.groupInstanceId,
            generationId: request.generationIdOrMemberEpoch,
            retentionTimeMs: Number(request.retentionTimeMs),
            partitions: inputs,
          });
    // The coordinator answers partition by partition in the order it was given them.
    let next = 0;
    const topics = byTopic(requested, (r): OffsetCommitResponsePartition => {
      if (r.input === undefined) {
        return { partitionIndex: r.partition, errorCode: r.error ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
      }
      const result = results[next++];
      return { partitionIndex: r.partition, errorCode: result?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR };
    });
    return { throttleTimeMs: 0, topics };
  },
});

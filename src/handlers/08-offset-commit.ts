import type { OffsetCommitPartitionInput } from '../groups/index.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type {
  OffsetCommitRequest,
  OffsetCommitResponse,
  OffsetCommitResponsePartition,
} from '../protocol/generated/index.js';
import { byTopic, PartitionLookup } from './groups/common.js';
import { defineHandler } from './handler.js';
import { AclOperation, allowedOnGroup, allowedOnTopic } from '../security/authorize.js';

interface Requested {
  readonly topic: string;
  readonly partition: number;
  /** undefined: the partition is not passed to the coordinator, and is answered with `error`. */
  readonly input: OffsetCommitPartitionInput | undefined;
  readonly error?: number;
}

export default defineHandler<OffsetCommitRequest, OffsetCommitResponse>({
  apiKey: 8,
  minVersion: 0,
  maxVersion: 9,
  // v0 (ZooKeeper-stored offsets in Kafka) is served like a v1 commit without member or generation.
  async handle(request, ctx) {
    const groupDenied = !allowedOnGroup(ctx, AclOperation.READ, request.groupId);
    const lookup = new PartitionLookup(ctx);
    const requested: Requested[] = [];
    for (const t of request.topics) {
      const error = groupDenied
        ? ErrorCode.GROUP_AUTHORIZATION_FAILED
        : allowedOnTopic(ctx, AclOperation.READ, t.name)
          ? undefined
          : ErrorCode.TOPIC_AUTHORIZATION_FAILED;
      for (const p of t.partitions) {
        if (error !== undefined) {
          requested.push({ topic: t.name, partition: p.partitionIndex, input: undefined, error });
          continue;
        }
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
                // Kafka stores a null metadata as "", so fetches answer exactly as Kafka's do.
                metadata: p.committedMetadata ?? '',
                commitTimestampMs: Number(p.commitTimestamp),
              }
            : undefined,
        });
      }
    }
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

import type { OffsetFetchPartition, TopicPartition } from '../groups/index.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type {
  OffsetFetchRequest,
  OffsetFetchResponse,
  OffsetFetchResponsePartition,
} from '../protocol/generated/index.js';
import { byTopic } from './groups/common.js';
import type { RequestContext } from './handler.js';
import { defineHandler } from './handler.js';
import { AclOperation, allowedOnGroup, allowedOnTopic } from '../security/authorize.js';

interface RequestedTopic {
  readonly name: string;
  readonly partitionIndexes: readonly number[];
}

interface GroupOffsets {
  readonly errorCode: number;
  readonly topics: { name: string; partitions: OffsetFetchResponsePartition[] }[];
}

function flatten(topics: readonly RequestedTopic[] | null): TopicPartition[] | null {
  if (topics === null) return null;
  return topics.flatMap((t) => t.partitionIndexes.map((partition) => ({ topic: t.name, partition })));
}

function toPartition(p: OffsetFetchPartition): OffsetFetchResponsePartition {
  return {
    partitionIndex: p.partition,
    committedOffset: p.offset,
    committedLeaderEpoch: p.leaderEpoch,
    metadata: p.metadata,
    errorCode: p.errorCode,
  };
}

async function fetchGroup(
  ctx: RequestContext,
  groupId: string,
  topics: readonly RequestedTopic[] | null,
  requireStable: boolean,
): Promise<GroupOffsets> {
  if (!allowedOnGroup(ctx, AclOperation.DESCRIBE, groupId)) {
    return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, topics: [] };
  }
  const describable = (topic: string, audit: boolean): boolean =>
    allowedOnTopic(ctx, AclOperation.DESCRIBE, topic, audit);
  const denied = (topics ?? []).filter((t) => !describable(t.name, true));
  const partitions = flatten(topics === null ? null : topics.filter((t) => !denied.includes(t)));
  const result = await ctx.services.groups.fetchOffsets({ groupId, partitions, requireStable });
  // A group-level error comes without offsets, as from Kafka.
  if (result.errorCode !== ErrorCode.NONE) return { errorCode: result.errorCode, topics: [] };
  // All the group's offsets: those of topics the client may not describe are left out, as in Kafka.
  const shown =
    topics === null ? result.partitions.filter((p) => describable(p.topic, false)) : result.partitions;
  return {
    errorCode: ErrorCode.NONE,
    topics: [
      ...byTopic(shown, toPartition),
      ...partitionLevelError(denied, ErrorCode.TOPIC_AUTHORIZATION_FAILED),
    ],
  };
}

/**
 * v0-1 have no group-level error field, so a group error is reported on every requested partition (Kafka
 * 3.9 sends an empty answer instead, which an old client would read as "nothing committed").
 */
function partitionLevelError(topics: readonly RequestedTopic[], errorCode: number): GroupOffsets['topics'] {
  return topics.map((t) => ({
    name: t.name,
    partitions: t.partitionIndexes.map((partitionIndex) => ({
      partitionIndex,
      committedOffset: -1n,
      committedLeaderEpoch: -1,
      metadata: '',
      errorCode,
    })),
  }));
}

export default defineHandler<OffsetFetchRequest, OffsetFetchResponse>({
  apiKey: 9,
  minVersion: 0,
  maxVersion: 9,
  // v0 (ZooKeeper-stored offsets in Kafka) is served from the coordinator like v1.
  async handle(request, ctx) {
    const version = ctx.apiVersion;
    if (version >= 8) {
      // v9's member id and epoch only concern consumer-protocol (KIP-848) groups; classic groups ignore them.
      const groups = await Promise.all(
        request.groups.map(async (g) => {
          const offsets = await fetchGroup(ctx, g.groupId, g.topics, request.requireStable);
          return { groupId: g.groupId, topics: offsets.topics, errorCode: offsets.errorCode };
        }),
      );
      return { throttleTimeMs: 0, groups };
    }
    // Before v2 the topic list cannot be null; null ("all partitions") exists from v2 on.
    const offsets = await fetchGroup(ctx, request.groupId, request.topics, request.requireStable);
    if (version < 2 && offsets.errorCode !== ErrorCode.NONE) {
      return { topics: partitionLevelError(request.topics ?? [], offsets.errorCode) };
    }
    return { throttleTimeMs: 0, topics: offsets.topics, errorCode: offsets.errorCode };
  },
});

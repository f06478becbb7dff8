import type { TopicPartition } from '../groups/index.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type {
  OffsetDeleteRequest,
  OffsetDeleteResponse,
  OffsetDeleteResponsePartition,
} from '../protocol/generated/index.js';
import { byTopic, PartitionLookup } from './groups/common.js';
import { defineHandler } from './handler.js';
import { AclOperation, allowedOnGroup, allowedOnTopic } from '../security/authorize.js';

export default defineHandler<OffsetDeleteRequest, OffsetDeleteResponse>({
  apiKey: 47,
  minVersion: 0,
  maxVersion: 0,
  async handle(request, ctx) {
    if (!allowedOnGroup(ctx, AclOperation.DELETE, request.groupId)) {
      return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, throttleTimeMs: 0, topics: [] };
    }
    const lookup = new PartitionLookup(ctx);
    const requested: (TopicPartition & { exists: boolean; denied: boolean })[] = [];
    for (const t of request.topics) {
      // READ on each topic, as Kafka asks; a topic the client may not read is left alone.
      const denied = !allowedOnTopic(ctx, AclOperation.READ, t.name);
      for (const p of t.partitions) {
        const exists = !denied && (await lookup.exists(t.name, p.partitionIndex));
        requested.push({ topic: t.name, partition: p.partitionIndex, exists, denied });
      }
    }
    // The group is checked even when no partition exists, so a missing group is always reported.
    const result = await ctx.services.groups.deleteOffsets({
      groupId: request.groupId,
      partitions: requested.filter((r) => r.exists).map(({ topic, partition }) => ({ topic, partition })),
    });
    if (result.errorCode !== ErrorCode.NONE) {
      return { errorCode: result.errorCode, throttleTimeMs: 0, topics: [] };
    }
    // The coordinator answers partition by partition in the order it was given them.
    let next = 0;
    const topics = byTopic(requested, (r): OffsetDeleteResponsePartition => {
      if (r.denied) return { partitionIndex: r.partition, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED };
      if (!r.exists) return { partitionIndex: r.partition, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
      const errorCode = result.partitions[next++]?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR;
      return { partitionIndex: r.partition, errorCode };
    });
    return { errorCode: ErrorCode.NONE, throttleTimeMs: 0, topics };
  },
});

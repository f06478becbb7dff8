/**
 * OffsetForLeaderEpoch v0-4. The gateway keeps one leader epoch, 0, for every partition, from offset 0:
 * asking for epoch 0 answers the log end offset, a later epoch is unknown (-1, -1), and a current
 * leader epoch other than 0 is fenced (older) or unknown (newer). Clients validating their position
 * after a metadata change therefore always find it valid and move on.
 */
import { ErrorCode } from '../protocol/error-codes.js';
import type {
  OffsetForLeaderEpochRequest,
  OffsetForLeaderEpochRequestOffsetForLeaderPartition,
  OffsetForLeaderEpochResponse,
  OffsetForLeaderEpochResponseEpochEndOffset,
} from '../protocol/generated/index.js';
import type { TopicInfo } from '../storage/storage.js';
import { toKafkaError } from './error-message.js';
import type { RequestContext } from './handler.js';
import { defineHandler } from './handler.js';
import { AclOperation, allowedOnTopic } from '../security/authorize.js';

/** The single leader epoch the gateway keeps (Metadata, Produce and Fetch use it too). */
const LEADER_EPOCH = 0;
const UNDEFINED_EPOCH = -1;
const UNDEFINED_OFFSET = -1n;

async function endOffset(
  topic: TopicInfo | undefined,
  p: OffsetForLeaderEpochRequestOffsetForLeaderPartition,
  ctx: RequestContext,
): Promise<OffsetForLeaderEpochResponseEpochEndOffset> {
  const answer = (errorCode: number, leaderEpoch = UNDEFINED_EPOCH, offset = UNDEFINED_OFFSET) => ({
    errorCode,
    partition: p.partition,
    leaderEpoch,
    endOffset: offset,
  });
  if (topic === undefined || p.partition < 0 || p.partition >= topic.partitions) {
    return answer(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  }
  if (p.currentLeaderEpoch >= 0 && p.currentLeaderEpoch !== LEADER_EPOCH) {
    return answer(
      p.currentLeaderEpoch < LEADER_EPOCH ? ErrorCode.FENCED_LEADER_EPOCH : ErrorCode.UNKNOWN_LEADER_EPOCH,
    );
  }
  if (p.leaderEpoch !== LEADER_EPOCH) return answer(ErrorCode.NONE);
  try {
    const { highWatermark } = await ctx.services.storage.offsets(topic.name, p.partition);
    return answer(ErrorCode.NONE, LEADER_EPOCH, highWatermark);
  } catch (err) {
    return answer(toKafkaError(err, ctx).errorCode);
  }
}

export default defineHandler<OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse>({
  apiKey: 23,
  minVersion: 0,
  maxVersion: 4,
  async handle(request, ctx) {
    const topics = await Promise.all(
      request.topics.map(async (t) => {
        if (!allowedOnTopic(ctx, AclOperation.DESCRIBE, t.topic)) {
          const errorCode = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
          return {
            topic: t.topic,
            partitions: t.partitions.map((p) => ({
              errorCode,
              partition: p.partition,
              leaderEpoch: -1,
              endOffset: -1n,
            })),
          };
        }
        const topic = await ctx.services.topics.describe(t.topic);
        const partitions = await Promise.all(t.partitions.map((p) => endOffset(topic, p, ctx)));
        return { topic: t.topic, partitions };
      }),
    );
    return { throttleTimeMs: 0, topics };
  },
});

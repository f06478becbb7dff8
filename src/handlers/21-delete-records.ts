/**
 * DeleteRecords v0-2: advances a partition's log start offset (offset -1 means the high watermark).
 * Reads below the new start get OFFSET_OUT_OF_RANGE from the store. An offset at or below the current
 * start changes nothing and answers with the current start, as Kafka does.
 */
import { ErrorCode, isKafkaError } from '../protocol/error-codes.js';
import type {
  DeleteRecordsRequest,
  DeleteRecordsRequestDeleteRecordsPartition,
  DeleteRecordsResponse,
  DeleteRecordsResponseDeleteRecordsPartitionResult,
} from '../protocol/generated/index.js';
import type { TopicInfo } from '../storage/storage.js';
import { toKafkaError } from './error-message.js';
import type { RequestContext } from './handler.js';
import { defineHandler } from './handler.js';
import { AclOperation, allowedOnTopic } from '../security/authorize.js';

const HIGH_WATERMARK = -1n;

async function deletePartition(
  topic: TopicInfo | undefined,
  p: DeleteRecordsRequestDeleteRecordsPartition,
  ctx: RequestContext,
): Promise<DeleteRecordsResponseDeleteRecordsPartitionResult> {
  const failed = (errorCode: number) => ({ partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode });
  if (topic === undefined || p.partitionIndex < 0 || p.partitionIndex >= topic.partitions) {
    return failed(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  }
  const { storage } = ctx.services;
  try {
    const { logStartOffset, highWatermark } = await storage.offsets(topic.name, p.partitionIndex);
    const target = p.offset === HIGH_WATERMARK ? highWatermark : p.offset;
    if (target < 0n || target > highWatermark) return failed(ErrorCode.OFFSET_OUT_OF_RANGE);
    const lowWatermark =
      target <= logStartOffset
        ? logStartOffset
        : await storage.deleteRecordsBefore(topic.name, p.partitionIndex, target);
    if (lowWatermark > logStartOffset) {
      ctx.log.info({ topic: topic.name, partition: p.partitionIndex, lowWatermark }, 'records deleted');
    }
    return { partitionIndex: p.partitionIndex, lowWatermark, errorCode: ErrorCode.NONE };
  } catch (err) {
    if (isKafkaError(err)) return failed(err.code);
    return failed(toKafkaError(err, ctx).errorCode);
  }
}

export default defineHandler<DeleteRecordsRequest, DeleteRecordsResponse>({
  apiKey: 21,
  minVersion: 0,
  maxVersion: 2,
  async handle(request, ctx) {
    const topics = await Promise.all(
      request.topics.map(async (t) => {
        if (!allowedOnTopic(ctx, AclOperation.DELETE, t.name)) {
          const errorCode = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
          return {
            name: t.name,
            partitions: t.partitions.map((p) => ({
              partitionIndex: p.partitionIndex,
              lowWatermark: -1n,
              errorCode,
            })),
          };
        }
        const topic = await ctx.services.topics.describe(t.name);
        const partitions = await Promise.all(t.partitions.map((p) => deletePartition(topic, p, ctx)));
        return { name: t.name, partitions };
      }),
    );
    return { throttleTimeMs: 0, topics };
  },
});

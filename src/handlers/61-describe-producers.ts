import { ErrorCode } from '../protocol/error-codes.js';
import type {
  DescribeProducersRequest,
  DescribeProducersResponse,
  DescribeProducersResponsePartitionResponse,
  DescribeProducersResponseProducerState,
} from '../protocol/generated/index.js';
import type { TopicInfo } from '../storage/storage.js';
import { topicNameProblem } from '../topics/topic-name.js';
import { COORDINATOR_EPOCH } from '../transactions/markers.js';
import type { RequestContext } from './handler.js';
import { defineHandler } from './handler.js';
import { AclOperation, allowedOnTopic } from '../security/authorize.js';

/** The producers a partition knows (idempotent and transactional), with any transaction they hold open. */
function describePartition(
  topic: TopicInfo,
  partition: number,
  ctx: RequestContext,
): DescribeProducersResponsePartitionResponse {
  const { producers, transactions } = ctx.services;
  const known = new Map<bigint, DescribeProducersResponseProducerState>();
  for (const p of producers.existing(topic.id, partition)?.describe() ?? []) {
    known.set(p.producerId, {
      producerId: p.producerId,
      producerEpoch: p.epoch,
      lastSequence: p.lastSequence,
      lastTimestamp: p.lastTimestamp,
      coordinatorEpoch: COORDINATOR_EPOCH,
      currentTxnStartOffset: -1n,
    });
  }
  for (const t of transactions.partitions.ongoing(topic.id, partition)) {
    const have = known.get(t.producerId);
    known.set(t.producerId, {
      producerId: t.producerId,
      producerEpoch: have?.producerEpoch ?? t.producerEpoch,
      lastSequence: have?.lastSequence ?? -1,
      lastTimestamp: have?.lastTimestamp ?? -1n,
      coordinatorEpoch: COORDINATOR_EPOCH,
      currentTxnStartOffset: t.firstOffset,
    });
  }
  return {
    partitionIndex: partition,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    activeProducers: [...known.values()],
  };
}

export default defineHandler<DescribeProducersRequest, DescribeProducersResponse>({
  apiKey: 61,
  minVersion: 0,
  maxVersion: 0,
  async handle(request, ctx) {
    const topics = await Promise.all(
      request.topics.map(async (t) => {
        // Kafka asks READ on the topic before looking it up.
        const readable = allowedOnTopic(ctx, AclOperation.READ, t.name);
        const problem = topicNameProblem(t.name);
        const topic =
          readable && problem === undefined ? await ctx.services.topics.describe(t.name) : undefined;
        const partitions = t.partitionIndexes.map((partition): DescribeProducersResponsePartitionResponse => {
          const fail = (errorCode: number, errorMessage: string | null) => ({
            partitionIndex: partition,
            errorCode,
            errorMessage,
            activeProducers: [],
          });
          if (!readable) return fail(ErrorCode.TOPIC_AUTHORIZATION_FAILED, null);
          if (problem !== undefined) return fail(ErrorCode.INVALID_TOPIC_EXCEPTION, problem);
          if (topic === undefined || partition < 0 || partition >= topic.partitions) {
            return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, null);
          }
          return describePartition(topic, partition, ctx);
        });
        return { name: t.name, partitions };
      }),
    );
    return { throttleTimeMs: 0, topics };
  },
});

import { ErrorCode } from '../protocol/error-codes.js';
import type {
  AddPartitionsToTxnRequest,
  AddPartitionsToTxnRequestAddPartitionsToTxnTopic,
  AddPartitionsToTxnResponse,
  AddPartitionsToTxnResponseAddPartitionsToTxnTopicResult,
} from '../protocol/generated/index.js';
import type { TopicPartition } from '../transactions/types.js';
import type { RequestContext } from './handler.js';
import { defineHandler } from './handler.js';
import { byTopic } from './groups/common.js';
import { oldFencedCode } from './transactions/common.js';
import { AclOperation, allowed, allowedOnCluster, ResourceType } from '../security/authorize.js';

interface Txn {
  readonly transactionalId: string;
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly verifyOnly: boolean;
  readonly topics: readonly AddPartitionsToTxnRequestAddPartitionsToTxnTopic[];
}

function resultsOf(
  partitions: readonly TopicPartition[],
  codeOf: (tp: TopicPartition, i: number) => number,
): AddPartitionsToTxnResponseAddPartitionsToTxnTopicResult[] {
  return byTopic(
    partitions.map((tp, i) => ({ ...tp, code: codeOf(tp, i) })),
    (p) => ({ partitionIndex: p.partition, partitionErrorCode: p.code }),
  ).map((t) => ({ name: t.name, resultsByPartition: t.partitions }));
}

/**
 * One transaction of the request. As in Kafka: WRITE on the transactional id, else every partition
 * gets TRANSACTIONAL_ID_AUTHORIZATION_FAILED; then WRITE on each topic. Partitions of topics not
 * writable (TOPIC_AUTHORIZATION_FAILED) or that do not exist (UNKNOWN_TOPIC_OR_PARTITION) fail the
 * whole transaction: the other partitions get OPERATION_NOT_ATTEMPTED.
 */
async function handleTxn(
  txn: Txn,
  ctx: RequestContext,
): Promise<AddPartitionsToTxnResponseAddPartitionsToTxnTopicResult[]> {
  const partitions = txn.topics.flatMap((t) =>
    t.partitions.map((partition) => ({ topic: t.name, partition })),
  );
  if (!allowed(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, txn.transactionalId)) {
    return resultsOf(partitions, () => ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  }
  const writable = new Map<string, boolean>();
  for (const t of txn.topics) {
    if (!writable.has(t.name))
      writable.set(t.name, allowed(ctx, AclOperation.WRITE, ResourceType.TOPIC, t.name));
  }
  const problems = await Promise.all(
    partitions.map(async (tp): Promise<number | undefined> => {
      if (writable.get(tp.topic) !== true) return ErrorCode.TOPIC_AUTHORIZATION_FAILED;
      const topic = await ctx.services.topics.describe(tp.topic);
      const exists = topic !== undefined && tp.partition >= 0 && tp.partition < topic.partitions;
      return exists ? undefined : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    }),
  );
  if (problems.some((p) => p !== undefined)) {
    return resultsOf(partitions, (_, i) => problems[i] ?? ErrorCode.OPERATION_NOT_ATTEMPTED);
  }
  const { coordinator } = ctx.services.transactions;
  if (txn.verifyOnly) {
    const verdict = await coordinator.verify(
      txn.transactionalId,
      txn.producerId,
      txn.producerEpoch,
      partitions,
    );
    return resultsOf(partitions, (_, i) =>
      'errorCode' in verdict ? verdict.errorCode : verdict.results[i]!,
    );
  }
  const code = await coordinator.addPartitions(
    txn.transactionalId,
    txn.producerId,
    txn.producerEpoch,
    partitions,
  );
  const errorCode = oldFencedCode(code, ctx.apiVersion, 2);
  return resultsOf(partitions, () => errorCode);
}

/**
 * v0-3 (clients): one transaction, partitions to add. v4+ (KIP-890, meant for brokers): a batch of
 * transactions, each either added or, with verify_only, checked.
 */
export default defineHandler<AddPartitionsToTxnRequest, AddPartitionsToTxnResponse>({
  apiKey: 24,
  minVersion: 0,
  maxVersion: 5,
  async handle(request, ctx) {
    if (ctx.apiVersion < 4) {
      const results = await handleTxn(
        {
          transactionalId: request.v3AndBelowTransactionalId,
          producerId: request.v3AndBelowProducerId,
          producerEpoch: request.v3AndBelowProducerEpoch,
          verifyOnly: false,
          topics: request.v3AndBelowTopics,
        },
        ctx,
      );
      return { throttleTimeMs: 0, resultsByTopicV3AndBelow: results };
    }
    // v4+ is the brokers' batched form: Kafka asks CLUSTER_ACTION of the whole request first.
    if (!allowedOnCluster(ctx, AclOperation.CLUSTER_ACTION)) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        resultsByTransaction: [],
      };
    }
    const resultsByTransaction = await Promise.all(
      request.transactions.map(async (t) => ({
        transactionalId: t.transactionalId,
        topicResults: await handleTxn(t, ctx),
      })),
    );
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, resultsByTransaction };
  },
});

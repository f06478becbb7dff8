/**
 * CreatePartitions v0-3: grows a topic to `count` partitions; existing partitions keep their records
 * and offsets. Manual assignments may only name the gateway itself, one replica per partition.
 */
import { ErrorCode, KafkaError } from '../protocol/error-codes.js';
import type {
  CreatePartitionsRequest,
  CreatePartitionsRequestCreatePartitionsTopic,
  CreatePartitionsResponse,
  CreatePartitionsResponseCreatePartitionsTopicResult,
} from '../protocol/generated/index.js';
import {
  checkReplicaList,
  duplicateNames,
  duplicateTopic,
  expiredAtArrival,
  MAX_NEW_PARTITIONS,
  tooManyPartitions,
  unknownTopic,
} from './admin-common.js';
import { toKafkaError } from './error-message.js';
import type { RequestContext } from './handler.js';
import { defineHandler } from './handler.js';
import { AclOperation, allowedOnTopic } from '../security/authorize.js';

async function grow(
  t: CreatePartitionsRequestCreatePartitionsTopic,
  validateOnly: boolean,
  ctx: RequestContext,
): Promise<void> {
  const { topics, storage, config } = ctx.services;
  const topic = await topics.describe(t.name);
  if (topic === undefined) throw unknownTopic();
  const current = topic.partitions;
  if (t.count === current) {
    throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `Topic already has ${current} partition(s).`);
  }
  if (t.count < current) {
    throw new KafkaError(
      ErrorCode.INVALID_PARTITIONS,
      `The topic ${t.name} currently has ${current} partition(s); ${t.count} would not be an increase.`,
    );
  }
  const added = t.count - current;
  if (t.assignments !== null) {
    if (t.assignments.length !== added) {
      throw new KafkaError(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `Attempted to add ${added} additional partition(s), but only ${t.assignments.length} assignment(s) were specified.`,
      );
    }
    for (const a of t.assignments) checkReplicaList(a.brokerIds, config.nodeId);
  }
  if (added > MAX_NEW_PARTITIONS) throw tooManyPartitions();
  if (validateOnly) return;
  await storage.createPartitions(t.name, t.count);
  ctx.log.info({ topic: t.name, from: current, to: t.count }, 'partitions added');
}

export default defineHandler<CreatePartitionsRequest, CreatePartitionsResponse>({
  apiKey: 37,
  minVersion: 0,
  maxVersion: 3,
  async handle(request, ctx) {
    if (expiredAtArrival(request.timeoutMs)) {
      const results = request.topics.map((t) => ({
        name: t.name,
        errorCode: ErrorCode.REQUEST_TIMED_OUT,
        errorMessage: null,
      }));
      return { throttleTimeMs: 0, results };
    }
    const duplicates = duplicateNames(request.topics.map((t) => t.name));
    const results: CreatePartitionsResponseCreatePartitionsTopicResult[] = [];
    for (const name of duplicates) {
      const e = duplicateTopic();
      results.push({ name, errorCode: e.code, errorMessage: e.message });
    }
    for (const t of request.topics) {
      if (duplicates.has(t.name)) continue;
      if (!allowedOnTopic(ctx, AclOperation.ALTER, t.name)) {
        results.push({
          name: t.name,
          errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
          errorMessage: 'Authorization failed.',
        });
        continue;
      }
      try {
        await grow(t, request.validateOnly, ctx);
        results.push({ name: t.name, errorCode: ErrorCode.NONE, errorMessage: null });
      } catch (err) {
        results.push({ name: t.name, ...toKafkaError(err, ctx) });
      }
    }
    return { throttleTimeMs: 0, results };
  },
});

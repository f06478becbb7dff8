/**
 * DeleteTopics v0-6, by name (v0-5) or by name or id (v6). A deleted topic's records and committed
 * offsets are gone; a topic created again under the same name starts empty with a new id, and fetches
 * waiting on the old one end with UNKNOWN_TOPIC_OR_PARTITION (the store wakes them).
 */
import { ErrorCode, KafkaError } from '../protocol/error-codes.js';
import type {
  DeleteTopicsRequest,
  DeleteTopicsResponse,
  DeleteTopicsResponseDeletableTopicResult,
} from '../protocol/generated/index.js';
import type { TopicInfo } from '../storage/storage.js';
import { duplicateNames, duplicateTopic, expiredAtArrival, unknownTopic, ZERO_UUID } from './admin-common.js';
import { toKafkaError } from './error-message.js';
import type { RequestContext } from './handler.js';
import { defineHandler } from './handler.js';
import { AclOperation, allowedOnTopic } from '../security/authorize.js';

interface Target {
  readonly name: string | null;
  readonly topicId: string;
}

async function resolve(target: Target, ctx: RequestContext): Promise<TopicInfo> {
  const { topics } = ctx.services;
  if (target.name !== null && target.topicId !== ZERO_UUID) {
    throw new KafkaError(ErrorCode.INVALID_REQUEST, 'You may not specify both topic name and topic id.');
  }
  if (target.name !== null) {
    const topic = await topics.describe(target.name);
    if (topic === undefined) throw unknownTopic();
    return topic;
  }
  if (target.topicId === ZERO_UUID) {
    throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Neither topic name nor id were specified.');
  }
  const topic = await topics.byId(target.topicId);
  if (topic === undefined) {
    throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_ID, 'This server does not host this topic ID.');
  }
  return topic;
}

async function deleteOne(
  target: Target,
  ctx: RequestContext,
): Promise<DeleteTopicsResponseDeletableTopicResult> {
  const { storage, groups } = ctx.services;
  try {
    const topic = await resolve(target, ctx);
    if (!allowedOnTopic(ctx, AclOperation.DELETE, topic.name)) {
      return {
        name: target.name,
        topicId: target.topicId,
        errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
        errorMessage: 'Authorization failed.',
      };
    }
    await storage.deleteTopic(topic.name);
    // Committed offsets of a deleted topic go too, so a re-created topic starts without them.
    await groups.onTopicsDeleted([topic.name]);
    ctx.log.info({ topic: topic.name, topicId: topic.id }, 'topic deleted');
    return { name: topic.name, topicId: topic.id, errorCode: ErrorCode.NONE, errorMessage: null };
  } catch (err) {
    return { name: target.name, topicId: target.topicId, ...toKafkaError(err, ctx) };
  }
}

export default defineHandler<DeleteTopicsRequest, DeleteTopicsResponse>({
  apiKey: 20,
  minVersion: 0,
  maxVersion: 6,
  async handle(request, ctx) {
    // v6 names topics by name or id in `topics`; earlier versions list names only.
    const targets: Target[] =
      ctx.apiVersion >= 6
        ? request.topics.map((t) => ({ name: t.name, topicId: t.topicId }))
        : request.topicNames.map((name) => ({ name, topicId: ZERO_UUID }));
    if (expiredAtArrival(request.timeoutMs)) {
      const responses = targets.map((t) => ({
        ...t,
        errorCode: ErrorCode.REQUEST_TIMED_OUT,
        errorMessage: null,
      }));
      return { throttleTimeMs: 0, responses };
    }
    const duplicates = duplicateNames(targets.flatMap((t) => (t.name === null ? [] : [t.name])));
    const responses: DeleteTopicsResponseDeletableTopicResult[] = [];
    for (const name of duplicates) {
      const e = duplicateTopic();
      responses.push({ name, topicId: ZERO_UUID, errorCode: e.code, errorMessage: e.message });
    }
    for (const t of targets) {
      if (t.name !== null && duplicates.has(t.name)) continue;
      responses.push(await deleteOne(t, ctx));
    }
    return { throttleTimeMs: 0, responses };
  },
});

import { ErrorCode, KafkaError } from '../protocol/error-codes.js';
import type {
  DeleteTopicsRequest,
  DeleteTopicsResponse,
  DeleteTopicsResponseDeletableTopicResult,
} from '../protocol/generated/index.js';
import { toKafkaError } from './error-message.js';
import type { RequestContext } from './handler.js';
import { defineHandler } from './handler.js';

const ZERO_UUID = '00000000000000000000000000000000';

async function deleteOne(
  name: string | null,
  topicId: string,
  ctx: RequestContext,
): Promise<DeleteTopicsResponseDeletableTopicResult> {
  const { topics, storage } = ctx.services;
  try {
    const topic =
      name !== null
        ? await storage.describeTopic(name)
        : topicId === ZERO_UUID
          ? undefined
          : await topics.byId(topicId);
    if (topic === undefined) {
      throw new KafkaError(
        name !== null ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.UNKNOWN_TOPIC_ID,
        name !== null
          ? 'This server does not host this topic-partition.'
          : 'This server does not host this topic ID.',
      );
    }
    await storage.deleteTopic(topic.name);
    ctx.log.info({ topic: topic.name }, 'topic deleted');
    return { name: topic.name, topicId: topic.id, errorCode: ErrorCode.NONE, errorMessage: null };
  } catch (err) {
    return { name, topicId, ...toKafkaError(err, ctx) };
  }
}

export default defineHandler<DeleteTopicsRequest, DeleteTopicsResponse>({
  apiKey: 20,
  minVersion: 0,
  maxVersion: 6,
  async handle(request, ctx) {
    // v6 names topics by name or id in `topics`; earlier versions list names only.
    const targets =
      ctx.apiVersion >= 6
        ? request.topics.map((t) => ({ name: t.name, topicId: t.topicId }))
        : request.topicNames.map((name) => ({ name, topicId: ZERO_UUID }));
    const responses: DeleteTopicsResponseDeletableTopicResult[] = [];
    for (const t of targets) responses.push(await deleteOne(t.name, t.topicId, ctx));
    return { throttleTimeMs: 0, responses };
  },
});

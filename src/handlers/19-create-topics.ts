import { ErrorCode, KafkaError } from '../protocol/error-codes.js';
import type {
  CreateTopicsRequest,
  CreateTopicsRequestCreatableTopic,
  CreateTopicsResponse,
  CreateTopicsResponseCreatableTopicResult,
} from '../protocol/generated/index.js';
import type { TopicConfigs } from '../storage/storage.js';
import { topicNameProblem } from '../topics/topic-name.js';
import { toKafkaError } from './error-message.js';
import type { RequestContext } from './handler.js';
import { defineHandler } from './handler.js';

/** Config source DYNAMIC_TOPIC_CONFIG, as DescribeConfigs numbers it. */
const TOPIC_CONFIG_SOURCE = 1;

function partitionCount(t: CreateTopicsRequestCreatableTopic, defaults: number): number {
  if (t.assignments.length > 0) {
    if (t.numPartitions !== -1 || t.replicationFactor !== -1) {
      throw new KafkaError(
        ErrorCode.INVALID_REQUEST,
        'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.',
      );
    }
    return t.assignments.length;
  }
  const n = t.numPartitions === -1 ? defaults : t.numPartitions;
  if (n < 1)
    throw new KafkaError(ErrorCode.INVALID_PARTITIONS, 'Number of partitions must be larger than 0.');
  if (t.replicationFactor !== -1 && t.replicationFactor < 1) {
    throw new KafkaError(ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0.');
  }
  return n;
}

function configsOf(t: CreateTopicsRequestCreatableTopic): TopicConfigs {
  const out: TopicConfigs = {};
  for (const c of t.configs) if (c.value !== null) out[c.name] = c.value;
  return out;
}

async function createOne(
  t: CreateTopicsRequestCreatableTopic,
  validateOnly: boolean,
  ctx: RequestContext,
): Promise<CreateTopicsResponseCreatableTopicResult> {
  const { topics, storage, config } = ctx.services;
  const base = { name: t.name, errorCode: ErrorCode.NONE, errorMessage: null };
  try {
    const problem = topicNameProblem(t.name);
    if (problem !== undefined) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, problem);
    const partitions = partitionCount(t, config.defaultPartitions);
    const configs = configsOf(t);
    if (validateOnly) {
      if ((await storage.describeTopic(t.name)) !== undefined) {
        throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${t.name}' already exists.`);
      }
      return { ...base, numPartitions: partitions, replicationFactor: 1, configs: describe(configs) };
    }
    const created = await topics.create(t.name, partitions, configs);
    return {
      ...base,
      topicId: created.id,
      numPartitions: created.partitions,
      replicationFactor: 1,
      configs: describe(created.configs),
    };
  } catch (err) {
    return { ...base, ...toKafkaError(err, ctx), numPartitions: -1, replicationFactor: -1, configs: null };
  }
}

function describe(configs: TopicConfigs): CreateTopicsResponseCreatableTopicResult['configs'] {
  return Object.entries(configs).map(([name, value]) => ({
    name,
    value,
    readOnly: false,
    configSource: TOPIC_CONFIG_SOURCE,
    isSensitive: false,
  }));
}

export default defineHandler<CreateTopicsRequest, CreateTopicsResponse>({
  apiKey: 19,
  minVersion: 0,
  maxVersion: 7,
  async handle(request, ctx) {
    const seen = new Map<string, number>();
    for (const t of request.topics) seen.set(t.name, (seen.get(t.name) ?? 0) + 1);
    const results: CreateTopicsResponseCreatableTopicResult[] = [];
    for (const t of request.topics) {
      if ((seen.get(t.name) ?? 0) > 1) {
        results.push({
          name: t.name,
          errorCode: ErrorCode.INVALID_REQUEST,
          errorMessage: 'Create topics request from client contains duplicate topic names.',
        });
        continue;
      }
      results.push(await createOne(t, request.validateOnly, ctx));
    }
    return { throttleTimeMs: 0, topics: results };
  },
});

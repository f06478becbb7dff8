/**
 * CreateTopics v0-7. Every replication factor of 1 or more (and -1, the default) is accepted and the
 * topic is reported with one replica per partition, as Metadata shows it: durability belongs to the
 * storage backend, and tools that ask for 3 by default keep working (docs/topic-administration.md).
 */
import { randomUUID } from 'node:crypto';
import type { ResolvedConfig } from '../configs/types.js';
import { ErrorCode, KafkaError } from '../protocol/error-codes.js';
import type {
  CreateTopicsRequest,
  CreateTopicsRequestCreatableTopic,
  CreateTopicsResponse,
  CreateTopicsResponseCreatableTopicResult,
} from '../protocol/generated/index.js';
import type { TopicConfigs } from '../storage/storage.js';
import { collisionKey } from '../topics/topic-name.js';
import {
  checkReplicaList,
  duplicateNames,
  duplicateTopic,
  expiredAtArrival,
  invalidTopicName,
  MAX_NEW_PARTITIONS,
  tooManyPartitions,
  ZERO_UUID,
} from './admin-common.js';
import { toKafkaError } from './error-message.js';
import type { RequestContext } from './handler.js';
import { defineHandler } from './handler.js';
import { mayCreateTopic } from '../security/authorize.js';

/** Every partition has one replica: the gateway. */
const REPORTED_REPLICATION_FACTOR = 1;

/** The partition count of a topic to create, after Kafka's checks on counts and assignments. */
function partitionCount(t: CreateTopicsRequestCreatableTopic, ctx: RequestContext): number {
  const { config } = ctx.services;
  if (t.assignments.length === 0) {
    if (t.numPartitions === 0 || t.numPartitions < -1) {
      throw new KafkaError(
        ErrorCode.INVALID_PARTITIONS,
        'Number of partitions was set to an invalid non-positive value.',
      );
    }
    if (t.replicationFactor === 0 || t.replicationFactor < -1) {
      throw new KafkaError(
        ErrorCode.INVALID_REPLICATION_FACTOR,
        'Replication factor must be larger than 0, or -1 to use the default value.',
      );
    }
    const n = t.numPartitions === -1 ? config.defaultPartitions : t.numPartitions;
    if (n > MAX_NEW_PARTITIONS) throw tooManyPartitions();
    return n;
  }
  if (t.numPartitions !== -1) {
    throw new KafkaError(
      ErrorCode.INVALID_REQUEST,
      'A manual partition assignment was specified, but numPartitions was not set to -1.',
    );
  }
  if (t.replicationFactor !== -1) {
    throw new KafkaError(
      ErrorCode.INVALID_REQUEST,
      'A manual partition assignment was specified, but replication factor was not set to -1.',
    );
  }
  if (t.assignments.length > MAX_NEW_PARTITIONS) throw tooManyPartitions();
  const seen = new Set<number>();
  for (const a of t.assignments) {
    if (seen.has(a.partitionIndex)) {
      throw new KafkaError(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `Found multiple manual partition assignments for partition ${a.partitionIndex}`,
      );
    }
    seen.add(a.partitionIndex);
    checkReplicaList(a.brokerIds, config.nodeId);
  }
  for (let p = 0; p < t.assignments.length; p++) {
    if (!seen.has(p)) {
      throw new KafkaError(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        'partitions should be a consecutive 0-based integer sequence',
      );
    }
  }
  return t.assignments.length;
}

function requestedConfigs(t: CreateTopicsRequestCreatableTopic, ctx: RequestContext): TopicConfigs {
  const raw: TopicConfigs = {};
  for (const c of t.configs) {
    if (c.value === null) {
      throw new KafkaError(ErrorCode.INVALID_CONFIG, `Null value not supported for topic configs: ${c.name}`);
    }
    raw[c.name] = c.value;
  }
  return ctx.services.configs.normalizeTopicConfigs(raw);
}

async function checkName(name: string, ctx: RequestContext): Promise<void> {
  const invalid = invalidTopicName(name);
  if (invalid !== undefined) throw invalid;
  const { storage } = ctx.services;
  if ((await storage.describeTopic(name)) !== undefined) {
    throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`);
  }
  // Kafka's metrics cannot tell '.' from '_', so such names may not coexist.
  const key = collisionKey(name);
  if (name === key && !name.includes('_')) return;
  const clash = (await storage.listTopics()).find((t) => collisionKey(t.name) === key);
  if (clash !== undefined) {
    ctx.log.warn({ topic: name, existing: clash.name }, 'topic name collides with an existing topic');
    throw new KafkaError(
      ErrorCode.INVALID_TOPIC_EXCEPTION,
      `Topic '${name}' collides with existing topic: ${clash.name}`,
    );
  }
}

function reportConfigs(
  resolved: readonly ResolvedConfig[],
): CreateTopicsResponseCreatableTopicResult['configs'] {
  return resolved.map((c) => ({
    name: c.name,
    value: c.sensitive ? null : c.value,
    readOnly: c.readOnly,
    configSource: c.source,
    isSensitive: c.sensitive,
  }));
}

async function createOne(
  t: CreateTopicsRequestCreatableTopic,
  validateOnly: boolean,
  ctx: RequestContext,
): Promise<CreateTopicsResponseCreatableTopicResult> {
  const { topics, configs: registry } = ctx.services;
  try {
    await checkName(t.name, ctx);
    const partitions = partitionCount(t, ctx);
    const configs = requestedConfigs(t, ctx);
    const created = validateOnly
      ? { id: randomUUID().replaceAll('-', ''), partitions, configs }
      : await topics.create(t.name, partitions, configs);
    if (!validateOnly && t.replicationFactor > REPORTED_REPLICATION_FACTOR) {
      ctx.log.debug(
        { topic: t.name, requested: t.replicationFactor },
        'replication factor above 1 requested; durability is the storage backend',
      );
    }
    return {
      name: t.name,
      topicId: created.id,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      numPartitions: created.partitions,
      replicationFactor: REPORTED_REPLICATION_FACTOR,
      configs: reportConfigs(registry.describeTopic(created.configs)),
    };
  } catch (err) {
    let e = toKafkaError(err, ctx);
    // Lost a race with another creator: answer in Kafka's words.
    if (e.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS) {
      e = { errorCode: e.errorCode, errorMessage: `Topic '${t.name}' already exists.` };
    }
    return failed(t.name, e.errorCode, e.errorMessage);
  }
}

function failed(
  name: string,
  errorCode: number,
  errorMessage: string | null,
): CreateTopicsResponseCreatableTopicResult {
  return {
    name,
    topicId: ZERO_UUID,
    errorCode,
    errorMessage,
    numPartitions: -1,
    replicationFactor: -1,
    configs: [],
  };
}

export default defineHandler<CreateTopicsRequest, CreateTopicsResponse>({
  apiKey: 19,
  minVersion: 0,
  maxVersion: 7,
  async handle(request, ctx) {
    if (expiredAtArrival(request.timeoutMs)) {
      return {
        throttleTimeMs: 0,
        topics: request.topics.map((t) => failed(t.name, ErrorCode.REQUEST_TIMED_OUT, null)),
      };
    }
    const duplicates = duplicateNames(request.topics.map((t) => t.name));
    const results: CreateTopicsResponseCreatableTopicResult[] = [];
    for (const name of duplicates) {
      const e = duplicateTopic();
      results.push(failed(name, e.code, e.message));
    }
    for (const t of request.topics) {
      if (duplicates.has(t.name)) continue;
      // CREATE on the cluster or on the topic, as Kafka asks.
      if (!mayCreateTopic(ctx, t.name, true)) {
        results.push(failed(t.name, ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'Authorization failed.'));
        continue;
      }
      results.push(await createOne(t, request.validateOnly, ctx));
    }
    return { throttleTimeMs: 0, topics: results };
  },
});

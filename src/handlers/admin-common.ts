import { AclOperation, allowedOnCluster, allowedOnTopic } from '../security/authorize.js';
/**
 * Checks and answers shared by the topic administration handlers (CreateTopics, CreatePartitions,
 * DeleteTopics, DescribeConfigs, AlterConfigs, IncrementalAlterConfigs), with the error messages a
 * Kafka 3.9 controller gives.
 */
import { KeyedLock } from '../configs/keyed-lock.js';
import { ResourceType } from '../configs/types.js';
import { ErrorCode, KafkaError } from '../protocol/error-codes.js';
import type { TopicConfigs } from '../storage/storage.js';
import { MAX_TOPIC_NAME_LENGTH, topicNameProblem } from '../topics/topic-name.js';
import { toKafkaError } from './error-message.js';
import type { RequestContext } from './handler.js';

export const ZERO_UUID = '00000000000000000000000000000000';

/** Kafka refuses requests that would create more partitions than this at once. */
export const MAX_NEW_PARTITIONS = 10_000;

export const UNKNOWN_TOPIC_MESSAGE = 'This server does not host this topic-partition.';

/** INVALID_TOPIC_EXCEPTION in Kafka 3.9's words, or undefined when the name is legal. */
export function invalidTopicName(name: string): KafkaError | undefined {
  if (topicNameProblem(name) === undefined) return undefined;
  let why: string;
  if (name.length === 0) why = 'the empty string is not allowed';
  else if (name === '.' || name === '..') why = `'${name}' is not allowed`;
  else if (name.length > MAX_TOPIC_NAME_LENGTH) {
    why = `the length of '${name}' is longer than the max allowed length ${MAX_TOPIC_NAME_LENGTH}`;
  } else {
    why = `'${name}' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'`;
  }
  return new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic name is invalid: ${why}`);
}

export function unknownTopic(): KafkaError {
  return new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, UNKNOWN_TOPIC_MESSAGE);
}

export function tooManyPartitions(): KafkaError {
  return new KafkaError(ErrorCode.POLICY_VIOLATION, 'Excessively large number of partitions per request.');
}

/**
 * Checks one replica list of a manual assignment. The gateway is the only broker, so a valid list is
 * exactly [nodeId]; anything else fails with the message Kafka gives for it.
 */
export function checkReplicaList(brokerIds: readonly number[], nodeId: number): void {
  const fail = (message: string): never => {
    throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, message);
  };
  if (brokerIds.length === 0) fail('The manual partition assignment includes an empty replica list.');
  const seen = new Set<number>();
  for (const id of [...brokerIds].sort((a, b) => a - b)) {
    if (id !== nodeId) {
      fail(`The manual partition assignment includes broker ${id}, but no such broker is registered.`);
    }
    if (seen.has(id)) fail(`The manual partition assignment includes the broker ${id} more than once.`);
    seen.add(id);
  }
}

/** Names that appear more than once in a request: each gets one INVALID_REQUEST answer, as in Kafka. */
export function duplicateNames(names: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const n of names) (seen.has(n) ? dup : seen).add(n);
  return dup;
}

export function duplicateTopic(): KafkaError {
  return new KafkaError(ErrorCode.INVALID_REQUEST, 'Duplicate topic name.');
}

const configLocks = new WeakMap<object, KeyedLock>();

/** The per-store lock that serialises config changes of one topic. */
export function topicConfigLock(storage: object): KeyedLock {
  let lock = configLocks.get(storage);
  if (lock === undefined) {
    lock = new KeyedLock();
    configLocks.set(storage, lock);
  }
  return lock;
}

/** Broker configs are set by the gateway's flags; changing them at run time is refused. */
export function checkBrokerResource(name: string, changed: readonly string[], nodeId: number): void {
  if (name !== '' && name !== String(nodeId)) {
    throw new KafkaError(
      ErrorCode.INVALID_REQUEST,
      `Unexpected broker id, expected ${nodeId}, but received ${name}`,
    );
  }
  if (changed.length > 0) {
    throw new KafkaError(
      ErrorCode.INVALID_REQUEST,
      `Cannot update these configs dynamically: ${changed.join(', ')} (the gateway's broker configs come from its command-line flags)`,
    );
  }
}

export interface AlterResult {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
}

/**
 * One resource of AlterConfigs or IncrementalAlterConfigs: a topic gets the config set `next` computes
 * from its current one (checked in full, stored unless validateOnly); the broker refuses any change.
 */
export async function alterResource(
  resource: { resourceType: number; resourceName: string; configs: readonly { name: string }[] },
  validateOnly: boolean,
  next: (current: TopicConfigs) => TopicConfigs,
  ctx: RequestContext,
): Promise<AlterResult> {
  const { resourceType, resourceName } = resource;
  try {
    const denied = configsDenied(ctx, AclOperation.ALTER_CONFIGS, resourceType, resourceName);
    if (denied !== undefined) throw denied;
    switch (resourceType) {
      case ResourceType.TOPIC:
        await alterTopic(resourceName, validateOnly, next, ctx);
        break;
      case ResourceType.BROKER:
        checkBrokerResource(
          resourceName,
          resource.configs.map((c) => c.name),
          ctx.services.config.nodeId,
        );
        break;
      default:
        throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unknown resource type ${resourceType}`);
    }
    return { errorCode: ErrorCode.NONE, errorMessage: null, resourceType, resourceName };
  } catch (err) {
    return { ...toKafkaError(err, ctx), resourceType, resourceName };
  }
}

async function alterTopic(
  name: string,
  validateOnly: boolean,
  next: (current: TopicConfigs) => TopicConfigs,
  ctx: RequestContext,
): Promise<void> {
  const invalid = invalidTopicName(name);
  if (invalid !== undefined) throw invalid;
  const { storage, configs } = ctx.services;
  await topicConfigLock(storage).run(name, async () => {
    const topic = await storage.describeTopic(name);
    if (topic === undefined) {
      throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${name}' does not exist.`);
    }
    const updated = configs.normalizeTopicConfigs(next(topic.configs));
    if (validateOnly) return;
    await storage.setTopicConfigs(name, updated);
    ctx.log.info({ topic: name, configs: updated }, 'topic configs changed');
  });
}

/**
 * The authorization a config resource needs (ALTER_CONFIGS or DESCRIBE_CONFIGS): on the topic for a
 * topic, on the cluster for a broker. The error to answer, or undefined.
 */
export function configsDenied(
  ctx: RequestContext,
  operation: AclOperation,
  resourceType: number,
  resourceName: string,
): KafkaError | undefined {
  if (resourceType === ResourceType.TOPIC) {
    return allowedOnTopic(ctx, operation, resourceName)
      ? undefined
      : new KafkaError(ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'Topic authorization failed.');
  }
  if (resourceType === ResourceType.BROKER || resourceType === ResourceType.BROKER_LOGGER) {
    return allowedOnCluster(ctx, operation)
      ? undefined
      : new KafkaError(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'Cluster authorization failed.');
  }
  return undefined;
}

/**
 * Kafka's controller gives topic changes a deadline of timeoutMs from arrival; with none left (0 or
 * less) every entry of the request is answered REQUEST_TIMED_OUT, without a message, and nothing
 * changes.
 */
export function expiredAtArrival(timeoutMs: number): boolean {
  return timeoutMs <= 0;
}

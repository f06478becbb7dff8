import { ErrorCode } from '../protocol/error-codes.js';
import type {
  MetadataRequest,
  MetadataResponse,
  MetadataResponsePartition,
  MetadataResponseTopic,
} from '../protocol/generated/index.js';
import type { TopicInfo } from '../storage/storage.js';
import { topicNameProblem } from '../topics/topic-name.js';
import { brokerEntries } from './broker-address.js';
import { toKafkaError } from './error-message.js';
import type { RequestContext } from './handler.js';
import { defineHandler } from './handler.js';
import { NO_AUTHORIZED_OPERATIONS } from './authorized-operations.js';
import { CLUSTER_NAME } from '../security/acl/types.js';
import {
  AclOperation,
  allowedOnTopic,
  authorizedOperations,
  mayCreateTopic,
  ResourceType,
} from '../security/authorize.js';

const ZERO_UUID = '00000000000000000000000000000000';

function partitions(topic: TopicInfo, nodeId: number): MetadataResponsePartition[] {
  const out: MetadataResponsePartition[] = [];
  for (let p = 0; p < topic.partitions; p++) {
    out.push({
      errorCode: ErrorCode.NONE,
      partitionIndex: p,
      leaderId: nodeId,
      leaderEpoch: 0,
      replicaNodes: [nodeId],
      isrNodes: [nodeId],
      offlineReplicas: [],
    });
  }
  return out;
}

function errorTopic(name: string | null, topicId: string, errorCode: number): MetadataResponseTopic {
  return { errorCode, name, topicId, isInternal: false, partitions: [] };
}

async function resolveTopics(
  request: MetadataRequest,
  ctx: RequestContext,
): Promise<MetadataResponseTopic[]> {
  const { topics: service, storage, config } = ctx.services;
  const version = ctx.apiVersion;
  const ok = (t: TopicInfo): MetadataResponseTopic => ({
    errorCode: ErrorCode.NONE,
    name: t.name,
    topicId: t.id,
    isInternal: false,
    partitions: partitions(t, config.nodeId),
    topicAuthorizedOperations: request.includeTopicAuthorizedOperations
      ? authorizedOperations(ctx, ResourceType.TOPIC, t.name)
      : NO_AUTHORIZED_OPERATIONS,
  });
  const describable = (name: string, audit: boolean): boolean =>
    allowedOnTopic(ctx, AclOperation.DESCRIBE, name, audit);
  // v0 has no way to say "all topics" but an empty list; v1+ uses null for all.
  const all = request.topics === null || (version === 0 && request.topics.length === 0);
  if (all) {
    // Like Kafka, the topics the client may not describe are left out rather than refused.
    return (await storage.listTopics())
      .filter((t) => describable(t.name, false))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map(ok);
  }

  // Before v4 there is no flag: auto-creation follows the broker setting alone.
  const allowAutoCreate = version < 4 || request.allowAutoTopicCreation;
  const out: MetadataResponseTopic[] = [];
  for (const requested of request.topics ?? []) {
    if (requested.name === null) {
      const topic = requested.topicId === ZERO_UUID ? undefined : await service.byId(requested.topicId);
      const name = version >= 12 ? null : '';
      if (topic !== undefined && !describable(topic.name, true)) {
        out.push(errorTopic(name, requested.topicId, ErrorCode.TOPIC_AUTHORIZATION_FAILED));
      } else {
        out.push(topic ? ok(topic) : errorTopic(name, requested.topicId, ErrorCode.UNKNOWN_TOPIC_ID));
      }
      continue;
    }
    if (topicNameProblem(requested.name) !== undefined) {
      out.push(errorTopic(requested.name, ZERO_UUID, ErrorCode.INVALID_TOPIC_EXCEPTION));
      continue;
    }
    if (!describable(requested.name, true)) {
      out.push(errorTopic(requested.name, ZERO_UUID, ErrorCode.TOPIC_AUTHORIZATION_FAILED));
      continue;
    }
    let topic: TopicInfo | undefined;
    try {
      topic = await service.getOrCreate(
        requested.name,
        allowAutoCreate && mayCreateTopic(ctx, requested.name),
      );
    } catch (err) {
      out.push(errorTopic(requested.name, ZERO_UUID, unavailableTopicError(err, ctx)));
      continue;
    }
    out.push(topic ? ok(topic) : errorTopic(requested.name, ZERO_UUID, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
  }
  return out;
}

/**
 * A topic the store could not look up (SeaweedMQ unreachable, a timeout) is answered per topic with a
 * code every client retries, instead of failing the whole request and dropping the connection.
 */
function unavailableTopicError(err: unknown, ctx: RequestContext): number {
  const e = toKafkaError(err, ctx);
  if (e.errorCode === ErrorCode.INVALID_TOPIC_EXCEPTION || e.errorCode === ErrorCode.INVALID_PARTITIONS) {
    return e.errorCode;
  }
  return ErrorCode.LEADER_NOT_AVAILABLE;
}

export default defineHandler<MetadataRequest, MetadataResponse>({
  apiKey: 3,
  minVersion: 0,
  maxVersion: 12,
  async handle(request, ctx) {
    const { config } = ctx.services;
    return {
      throttleTimeMs: 0,
      brokers: brokerEntries(ctx).map((b) => ({ ...b, rack: null })),
      clusterId: config.clusterId,
      controllerId: config.nodeId,
      topics: await resolveTopics(request, ctx),
      clusterAuthorizedOperations: request.includeClusterAuthorizedOperations
        ? authorizedOperations(ctx, ResourceType.CLUSTER, CLUSTER_NAME)
        : NO_AUTHORIZED_OPERATIONS,
    };
  },
});

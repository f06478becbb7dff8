/**
 * DescribeConfigs v0-4 for topics and for this broker: every config with its value, source, flags,
 * type, synonyms (v1+, when asked) and documentation (v3+, when asked). The broker's cluster-wide
 * default resource (name "") has no dynamic configs, so it lists none, as on a Kafka broker without
 * dynamic defaults.
 */
import { ConfigSource, ResourceType } from '../configs/types.js';
import type { ResolvedConfig } from '../configs/types.js';
import { ErrorCode, KafkaError } from '../protocol/error-codes.js';
import type {
  DescribeConfigsRequest,
  DescribeConfigsRequestDescribeConfigsResource,
  DescribeConfigsResponse,
  DescribeConfigsResponseDescribeConfigsResourceResult,
  DescribeConfigsResponseDescribeConfigsResult,
} from '../protocol/generated/index.js';
import { configsDenied, invalidTopicName, unknownTopic } from './admin-common.js';
import { toKafkaError } from './error-message.js';
import type { RequestContext } from './handler.js';
import { defineHandler } from './handler.js';
import { AclOperation } from '../security/authorize.js';

async function configsOf(
  resource: DescribeConfigsRequestDescribeConfigsResource,
  ctx: RequestContext,
): Promise<ResolvedConfig[]> {
  const { configs, topics, config } = ctx.services;
  switch (resource.resourceType) {
    case ResourceType.TOPIC: {
      const invalid = invalidTopicName(resource.resourceName);
      if (invalid !== undefined) throw invalid;
      const topic = await topics.describe(resource.resourceName);
      if (topic === undefined) throw unknownTopic();
      return configs.describeTopic(topic.configs);
    }
    case ResourceType.BROKER:
      if (resource.resourceName === '') return [];
      if (resource.resourceName !== String(config.nodeId)) {
        throw new KafkaError(
          ErrorCode.INVALID_REQUEST,
          `Unexpected broker id, expected ${config.nodeId} or empty string, but received ${resource.resourceName}`,
        );
      }
      return configs.describeBroker();
    case ResourceType.BROKER_LOGGER:
      throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Broker loggers are not configurable on this gateway');
    default:
      throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unsupported resource type ${resource.resourceType}`);
  }
}

function toEntry(
  c: ResolvedConfig,
  request: DescribeConfigsRequest,
): DescribeConfigsResponseDescribeConfigsResourceResult {
  const hide = (value: string | null) => (c.sensitive ? null : value);
  return {
    name: c.name,
    value: hide(c.value),
    readOnly: c.readOnly,
    isDefault: c.source === ConfigSource.DEFAULT_CONFIG,
    configSource: c.source,
    isSensitive: c.sensitive,
    synonyms: request.includeSynonyms
      ? c.synonyms.map((s) => ({ name: s.name, value: hide(s.value), source: s.source }))
      : [],
    configType: c.type,
    documentation: request.includeDocumentation ? c.doc : null,
  };
}

async function describeOne(
  resource: DescribeConfigsRequestDescribeConfigsResource,
  request: DescribeConfigsRequest,
  ctx: RequestContext,
): Promise<DescribeConfigsResponseDescribeConfigsResult> {
  const base = { resourceType: resource.resourceType, resourceName: resource.resourceName };
  try {
    const denied = configsDenied(
      ctx,
      AclOperation.DESCRIBE_CONFIGS,
      resource.resourceType,
      resource.resourceName,
    );
    if (denied !== undefined) throw denied;
    const keys = resource.configurationKeys === null ? undefined : new Set(resource.configurationKeys);
    const all = await configsOf(resource, ctx);
    const chosen = keys === undefined ? all : all.filter((c) => keys.has(c.name));
    return {
      ...base,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      configs: chosen.map((c) => toEntry(c, request)),
    };
  } catch (err) {
    return { ...base, ...toKafkaError(err, ctx), configs: [] };
  }
}

export default defineHandler<DescribeConfigsRequest, DescribeConfigsResponse>({
  apiKey: 32,
  minVersion: 0,
  maxVersion: 4,
  async handle(request, ctx) {
    const results: DescribeConfigsResponseDescribeConfigsResult[] = [];
    for (const resource of request.resources) results.push(await describeOne(resource, request, ctx));
    return { throttleTimeMs: 0, results };
  },
});

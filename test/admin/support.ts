import { expect } from 'vitest';
import type {
  CreateTopicsRequestCreatableTopic,
  CreateTopicsResponse,
  CreateTopicsResponseCreatableTopicResult,
  DescribeConfigsResponse,
  DescribeConfigsResponseDescribeConfigsResourceResult,
  FetchResponse,
  FetchResponsePartitionData,
  ProduceResponse,
  ProduceResponsePartitionProduceResponse,
} from '../../src/protocol/generated/index.js';
import type { Harness } from '../server/support/harness.js';

export { batch, createHarness } from '../server/support/harness.js';
export type { Harness } from '../server/support/harness.js';

export const ZERO_UUID = '0'.repeat(32);

export const API = {
  produce: 0,
  fetch: 1,
  metadata: 3,
  createTopics: 19,
  deleteTopics: 20,
  deleteRecords: 21,
  offsetForLeaderEpoch: 23,
  describeConfigs: 32,
  alterConfigs: 33,
  createPartitions: 37,
  incrementalAlterConfigs: 44,
  describeCluster: 60,
} as const;

export function creatable(
  name: string,
  more: Partial<CreateTopicsRequestCreatableTopic> = {},
): CreateTopicsRequestCreatableTopic {
  return { name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [], ...more };
}

/** One CreateTopics request; answers the per-topic results. */
export async function createTopics(
  h: Harness,
  topics: CreateTopicsRequestCreatableTopic[],
  o: { version?: number; validateOnly?: boolean } = {},
): Promise<CreateTopicsResponseCreatableTopicResult[]> {
  const res = await h.call<CreateTopicsResponse>(API.createTopics, o.version ?? 7, {
    topics,
    timeoutMs: 5000,
    validateOnly: o.validateOnly ?? false,
  });
  return res.topics;
}

export async function produce(
  h: Harness,
  topic: string,
  records: Buffer,
  partition = 0,
  version = 9,
): Promise<ProduceResponsePartitionProduceResponse> {
  const res = await h.call<ProduceResponse>(API.produce, version, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
  });
  return res.responses[0]!.partitionResponses[0]!;
}

/** A Fetch v12 (by name) of one partition from `offset`. */
export async function fetchFrom(
  h: Harness,
  topic: string,
  offset: bigint,
  o: { partition?: number; maxWaitMs?: number; minBytes?: number } = {},
): Promise<FetchResponsePartitionData> {
  const res = await h.call<FetchResponse>(API.fetch, 12, {
    replicaId: -1,
    maxWaitMs: o.maxWaitMs ?? 0,
    minBytes: o.minBytes ?? 0,
    maxBytes: 50 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic,
        partitions: [
          {
            partition: o.partition ?? 0,
            currentLeaderEpoch: -1,
            fetchOffset: offset,
            lastFetchedEpoch: -1,
            logStartOffset: -1n,
            partitionMaxBytes: 1 << 20,
          },
        ],
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  });
  return res.responses[0]!.partitions[0]!;
}

/** DescribeConfigs v4 of one topic (or broker, type 4), as a map by config name. */
export async function describeConfigs(
  h: Harness,
  name: string,
  o: { type?: number; version?: number; synonyms?: boolean; documentation?: boolean; keys?: string[] } = {},
): Promise<Map<string, DescribeConfigsResponseDescribeConfigsResourceResult>> {
  const res = await h.call<DescribeConfigsResponse>(API.describeConfigs, o.version ?? 4, {
    resources: [{ resourceType: o.type ?? 2, resourceName: name, configurationKeys: o.keys ?? null }],
    includeSynonyms: o.synonyms ?? false,
    includeDocumentation: o.documentation ?? false,
  });
  const result = res.results[0]!;
  expect(result.errorCode, result.errorMessage ?? '').toBe(0);
  return new Map(result.configs.map((c) => [c.name, c]));
}

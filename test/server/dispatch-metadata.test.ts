import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import type { MetadataRequest, MetadataResponse } from '../../src/protocol/generated/index.js';
import { createHarness } from './support/harness.js';

const ZERO_UUID = '0'.repeat(32);

function request(topics: (string | { id: string })[] | null, allowAutoTopicCreation = true): MetadataRequest {
  return {
    topics:
      topics === null
        ? null
        : topics.map((t) =>
            typeof t === 'string' ? { topicId: ZERO_UUID, name: t } : { topicId: t.id, name: null },
          ),
    allowAutoTopicCreation,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  };
}

describe('Metadata', () => {
  it.each([1, 4, 9, 12])('v%i with a null topic list describes every topic, sorted', async (version) => {
    const h = createHarness();
    const b = await h.createTopic('beta', 3);
    await h.createTopic('alpha', 1);
    const res = await h.call<MetadataResponse>(3, version, request(null));
    expect(res.brokers).toEqual([{ nodeId: 1, host: '127.0.0.1', port: 19092, rack: null }]);
    expect(res.controllerId).toBe(1);
    expect(res.topics.map((t) => t.name)).toEqual(['alpha', 'beta']);
    const beta = res.topics[1]!;
    expect(beta.errorCode).toBe(ErrorCode.NONE);
    expect(beta.partitions.map((p) => p.partitionIndex)).toEqual([0, 1, 2]);
    for (const p of beta.partitions) {
      expect(p).toMatchObject({ errorCode: 0, leaderId: 1, replicaNodes: [1], isrNodes: [1] });
    }
    if (version >= 2) expect(res.clusterId).toBe('kafka-gateway-cluster');
    if (version >= 10) expect(beta.topicId).toBe(b.id);
  });

  it('v0 with an empty list means every topic', async () => {
    const h = createHarness();
    await h.createTopic('only');
    const res = await h.call<MetadataResponse>(3, 0, { topics: [] });
    expect(res.topics.map((t) => t.name)).toEqual(['only']);
  });

  it('v1+ with an empty list means no topic', async () => {
    const h = createHarness();
    await h.createTopic('only');
    const res = await h.call<MetadataResponse>(3, 1, request([]));
    expect(res.topics).toEqual([]);
  });

  it('describes named topics in the order asked', async () => {
    const h = createHarness();
    await h.createTopic('a', 2);
    await h.createTopic('b', 1);
    const res = await h.call<MetadataResponse>(3, 12, request(['b', 'a']));
    expect(res.topics.map((t) => [t.name, t.errorCode, t.partitions.length])).toEqual([
      ['b', 0, 1],
      ['a', 0, 2],
    ]);
  });

  it('auto-creates a missing topic when the client and the gateway allow it', async () => {
    const h = createHarness({ defaultPartitions: 3 });
    const res = await h.call<MetadataResponse>(3, 9, request(['fresh']));
    expect(res.topics[0]).toMatchObject({ name: 'fresh', errorCode: ErrorCode.NONE });
    expect(res.topics[0]!.partitions).toHaveLength(3);
    expect((await h.storage.describeTopic('fresh'))?.partitions).toBe(3);
  });

  it('does not create a topic when the request forbids it (v4+)', async () => {
    const h = createHarness();
    const res = await h.call<MetadataResponse>(3, 4, request(['nope'], false));
    expect(res.topics[0]).toMatchObject({ name: 'nope', errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
    expect(await h.storage.describeTopic('nope')).toBeUndefined();
  });

  it('does not create a topic when the gateway forbids it, whatever the request says', async () => {
    const h = createHarness({ autoCreateTopics: false });
    for (const version of [1, 4, 12]) {
      const res = await h.call<MetadataResponse>(3, version, request(['nope']));
      expect(res.topics[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    }
    expect(await h.storage.listTopics()).toEqual([]);
  });

  it.each(['bad name', 'a/b', '..', 'x'.repeat(250), ''])(
    'answers INVALID_TOPIC_EXCEPTION for "%s"',
    async (name) => {
      const h = createHarness();
      const res = await h.call<MetadataResponse>(3, 9, request([name]));
      expect(res.topics[0]).toMatchObject({
        name,
        errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION,
        partitions: [],
      });
      expect(await h.storage.listTopics()).toEqual([]);
    },
  );

  it.each([10, 11, 12])('v%i looks a known topic up by id', async (version) => {
    const h = createHarness();
    const t = await h.createTopic('by-id', 2);
    const res = await h.call<MetadataResponse>(3, version, request([{ id: t.id }]));
    expect(res.topics[0]).toMatchObject({ name: 'by-id', topicId: t.id, errorCode: ErrorCode.NONE });
    expect(res.topics[0]!.partitions).toHaveLength(2);
  });

  it('v12 answers UNKNOWN_TOPIC_ID with a null name for an unknown id', async () => {
    const h = createHarness();
    const unknown = 'ffffffffffffffffffffffffffffffff';
    const res = await h.call<MetadataResponse>(3, 12, request([{ id: unknown }, { id: ZERO_UUID }]));
    expect(res.topics.map((t) => [t.name, t.topicId, t.errorCode])).toEqual([
      [null, unknown, ErrorCode.UNKNOWN_TOPIC_ID],
      [null, ZERO_UUID, ErrorCode.UNKNOWN_TOPIC_ID],
    ]);
  });

  // The v10-11 request may carry a null name, but the response cannot: the topic's name is not
  // nullable before v12. The lookup must still be answered (with an error), not fail the encode
  // and close the connection.
  it.each([10, 11])('v%i answers a lookup by unknown id with an error it can encode', async (version) => {
    const h = createHarness();
    const unknown = 'ffffffffffffffffffffffffffffffff';
    const res = await h.call<MetadataResponse>(3, version, request([{ id: unknown }]));
    expect(res.topics).toHaveLength(1);
    expect([ErrorCode.UNKNOWN_TOPIC_ID, ErrorCode.INVALID_REQUEST]).toContain(res.topics[0]!.errorCode);
  });

  it('reports authorized operations only when asked', async () => {
    const h = createHarness();
    await h.createTopic('ops');
    const plain = await h.call<MetadataResponse>(3, 8, request(['ops']));
    expect(plain.topics[0]!.topicAuthorizedOperations).toBe(-2147483648);
    const asked = await h.call<MetadataResponse>(3, 8, {
      ...request(['ops']),
      includeTopicAuthorizedOperations: true,
      includeClusterAuthorizedOperations: true,
    });
    expect(asked.topics[0]!.topicAuthorizedOperations).toBeGreaterThan(0);
    expect(asked.clusterAuthorizedOperations).toBeGreaterThan(0);
  });

  it('advertises the configured address instead of the one the client reached', async () => {
    const h = createHarness({ advertisedHost: 'kafka.example', advertisedPort: 9093 });
    const res = await h.call<MetadataResponse>(3, 12, request([]));
    expect(res.brokers[0]).toMatchObject({ host: 'kafka.example', port: 9093 });
  });
});

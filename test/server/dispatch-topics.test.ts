import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import type {
  CreateTopicsRequest,
  CreateTopicsRequestCreatableTopic,
  CreateTopicsResponse,
  DeleteTopicsResponse,
} from '../../src/protocol/generated/index.js';
import { createHarness } from './support/harness.js';

const ZERO_UUID = '0'.repeat(32);

function topic(
  name: string,
  more: Partial<CreateTopicsRequestCreatableTopic> = {},
): CreateTopicsRequestCreatableTopic {
  return { name, numPartitions: 2, replicationFactor: 1, assignments: [], configs: [], ...more };
}

function create(topics: CreateTopicsRequestCreatableTopic[], validateOnly = false): CreateTopicsRequest {
  return { topics, timeoutMs: 1000, validateOnly };
}

describe('CreateTopics', () => {
  it.each([0, 1, 4, 5, 7])('v%i creates topics with their partitions and configs', async (version) => {
    const h = createHarness();
    const res = await h.call<CreateTopicsResponse>(
      19,
      version,
      create([topic('orders', { configs: [{ name: 'retention.ms', value: '1000' }] })]),
    );
    expect(res.topics).toHaveLength(1);
    expect(res.topics[0]).toMatchObject({ name: 'orders', errorCode: ErrorCode.NONE });
    const stored = await h.storage.describeTopic('orders');
    expect(stored).toMatchObject({ partitions: 2, configs: { 'retention.ms': '1000' } });
    if (version >= 5) {
      expect(res.topics[0]).toMatchObject({ numPartitions: 2, replicationFactor: 1 });
      // v5+ answers with every resolved config of the new topic; the one set comes from the topic.
      expect(res.topics[0]!.configs).toContainEqual({
        name: 'retention.ms',
        value: '1000',
        readOnly: false,
        configSource: 1,
        isSensitive: false,
      });
      expect(res.topics[0]!.configs).toContainEqual(
        expect.objectContaining({ name: 'cleanup.policy', value: 'delete', configSource: 5 }),
      );
    }
    if (version >= 7) expect(res.topics[0]!.topicId).toBe(stored!.id);
  });

  it('uses the default partition count for numPartitions -1', async () => {
    const h = createHarness({ defaultPartitions: 4 });
    await h.call<CreateTopicsResponse>(
      19,
      5,
      create([topic('d', { numPartitions: -1, replicationFactor: -1 })]),
    );
    expect((await h.storage.describeTopic('d'))?.partitions).toBe(4);
  });

  it('takes the partition count from explicit assignments', async () => {
    const h = createHarness();
    const assignments = [0, 1, 2].map((partitionIndex) => ({ partitionIndex, brokerIds: [1] }));
    const ok = await h.call<CreateTopicsResponse>(
      19,
      5,
      create([topic('assigned', { numPartitions: -1, replicationFactor: -1, assignments })]),
    );
    expect(ok.topics[0]!.errorCode).toBe(ErrorCode.NONE);
    expect((await h.storage.describeTopic('assigned'))?.partitions).toBe(3);
    const both = await h.call<CreateTopicsResponse>(19, 5, create([topic('both', { assignments })]));
    expect(both.topics[0]!.errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });

  it('reports per-topic errors and creates the valid topics of the same request', async () => {
    const h = createHarness();
    await h.createTopic('exists');
    const res = await h.call<CreateTopicsResponse>(
      19,
      7,
      create([
        topic('exists'),
        topic('bad name'),
        topic('zero', { numPartitions: 0 }),
        topic('norep', { replicationFactor: 0 }),
        topic('dup'),
        topic('dup'),
        topic('fine'),
      ]),
    );
    // Kafka lists the duplicated names first; the order of the rest follows the request.
    expect(res.topics.map((t) => [t.name, t.errorCode])).toEqual([
      ['dup', ErrorCode.INVALID_REQUEST],
      ['exists', ErrorCode.TOPIC_ALREADY_EXISTS],
      ['bad name', ErrorCode.INVALID_TOPIC_EXCEPTION],
      ['zero', ErrorCode.INVALID_PARTITIONS],
      ['norep', ErrorCode.INVALID_REPLICATION_FACTOR],
      ['fine', ErrorCode.NONE],
    ]);
    for (const t of res.topics.filter((x) => x.name !== 'fine')) expect(t.errorMessage).toBeTruthy();
    expect((await h.storage.listTopics()).map((t) => t.name).sort()).toEqual(['exists', 'fine']);
  });

  it('validateOnly checks without creating', async () => {
    const h = createHarness();
    await h.createTopic('exists');
    const res = await h.call<CreateTopicsResponse>(19, 5, create([topic('new'), topic('exists')], true));
    expect(res.topics.map((t) => t.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.TOPIC_ALREADY_EXISTS]);
    expect(res.topics[0]!.numPartitions).toBe(2);
    expect(await h.storage.describeTopic('new')).toBeUndefined();
  });
});

describe('DeleteTopics', () => {
  it.each([0, 1, 4, 5])('v%i deletes by name and reports unknown names', async (version) => {
    const h = createHarness();
    await h.createTopic('gone');
    const res = await h.call<DeleteTopicsResponse>(20, version, {
      topicNames: ['gone', 'never'],
      timeoutMs: 1000,
    });
    expect(res.responses.map((r) => [r.name, r.errorCode])).toEqual([
      ['gone', ErrorCode.NONE],
      ['never', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ]);
    expect(await h.storage.describeTopic('gone')).toBeUndefined();
  });

  it('v6 deletes by name or by id', async () => {
    const h = createHarness();
    const a = await h.createTopic('by-name');
    const b = await h.createTopic('by-id');
    const unknownId = 'ffffffffffffffffffffffffffffffff';
    const res = await h.call<DeleteTopicsResponse>(20, 6, {
      topics: [
        { name: 'by-name', topicId: ZERO_UUID },
        { name: null, topicId: b.id },
        { name: null, topicId: unknownId },
        { name: 'missing', topicId: ZERO_UUID },
      ],
      timeoutMs: 1000,
    });
    expect(res.responses.map((r) => [r.name, r.topicId, r.errorCode])).toEqual([
      ['by-name', a.id, ErrorCode.NONE],
      ['by-id', b.id, ErrorCode.NONE],
      [null, unknownId, ErrorCode.UNKNOWN_TOPIC_ID],
      ['missing', ZERO_UUID, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ]);
    expect(await h.storage.listTopics()).toEqual([]);
  });
});

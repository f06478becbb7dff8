import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import type {
  CreatePartitionsRequestCreatePartitionsTopic,
  CreatePartitionsResponse,
  CreatePartitionsResponseCreatePartitionsTopicResult,
  MetadataResponse,
} from '../../src/protocol/generated/index.js';
import type { Harness } from './support.js';
import { API, batch, createHarness, fetchFrom, produce, ZERO_UUID } from './support.js';

async function grow(
  h: Harness,
  topics: CreatePartitionsRequestCreatePartitionsTopic[],
  o: { version?: number; validateOnly?: boolean } = {},
): Promise<CreatePartitionsResponseCreatePartitionsTopicResult[]> {
  const res = await h.call<CreatePartitionsResponse>(API.createPartitions, o.version ?? 3, {
    topics,
    timeoutMs: 5000,
    validateOnly: o.validateOnly ?? false,
  });
  return res.results;
}

describe('CreatePartitions', () => {
  it.each([0, 1, 2, 3])('v%i grows a topic; existing partitions keep their records', async (version) => {
    const h = createHarness();
    await h.createTopic('t', 2);
    await produce(h, 't', batch(3), 0);
    await produce(h, 't', batch(2), 1);
    const [res] = await grow(h, [{ name: 't', count: 5, assignments: null }], { version });
    expect(res).toMatchObject({ name: 't', errorCode: ErrorCode.NONE });
    expect((await h.storage.describeTopic('t'))?.partitions).toBe(5);
    expect((await fetchFrom(h, 't', 0n, { partition: 0 })).highWatermark).toBe(3n);
    expect((await fetchFrom(h, 't', 0n, { partition: 1 })).highWatermark).toBe(2n);
    expect((await fetchFrom(h, 't', 0n, { partition: 4 })).highWatermark).toBe(0n);
    expect((await produce(h, 't', batch(1), 4)).errorCode).toBe(ErrorCode.NONE);
    const md = await h.call<MetadataResponse>(API.metadata, 12, {
      topics: [{ name: 't', topicId: ZERO_UUID }],
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    });
    expect(md.topics[0]!.partitions.map((p) => p.partitionIndex)).toEqual([0, 1, 2, 3, 4]);
  });

  it('accepts assignments that name the gateway, one per new partition', async () => {
    const h = createHarness();
    await h.createTopic('t', 1);
    const [res] = await grow(h, [
      { name: 't', count: 3, assignments: [{ brokerIds: [1] }, { brokerIds: [1] }] },
    ]);
    expect(res!.errorCode).toBe(ErrorCode.NONE);
    expect((await h.storage.describeTopic('t'))?.partitions).toBe(3);
  });

  it('validateOnly checks without growing', async () => {
    const h = createHarness();
    await h.createTopic('t', 1);
    const res = await grow(
      h,
      [
        { name: 't', count: 4, assignments: null },
        { name: 'missing', count: 4, assignments: null },
      ],
      { validateOnly: true },
    );
    expect(res.map((r) => r.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
    expect((await h.storage.describeTopic('t'))?.partitions).toBe(1);
  });

  it.each([
    [
      { name: 'missing', count: 3, assignments: null },
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      'This server does not host this topic-partition.',
    ],
    [
      { name: 't', count: 2, assignments: null },
      ErrorCode.INVALID_PARTITIONS,
      'Topic already has 2 partition(s).',
    ],
    [
      { name: 't', count: 1, assignments: null },
      ErrorCode.INVALID_PARTITIONS,
      'The topic t currently has 2 partition(s); 1 would not be an increase.',
    ],
    [
      { name: 't', count: 4, assignments: [{ brokerIds: [1] }] },
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      'Attempted to add 2 additional partition(s), but only 1 assignment(s) were specified.',
    ],
    [
      { name: 't', count: 3, assignments: [{ brokerIds: [2] }] },
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      'The manual partition assignment includes broker 2, but no such broker is registered.',
    ],
    [
      { name: 't', count: 3, assignments: [{ brokerIds: [1, 1] }] },
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      'The manual partition assignment includes the broker 1 more than once.',
    ],
    [
      { name: 't', count: 3, assignments: [{ brokerIds: [] }] },
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      'The manual partition assignment includes an empty replica list.',
    ],
    [
      { name: 't', count: 20_000, assignments: null },
      ErrorCode.POLICY_VIOLATION,
      'Excessively large number of partitions per request.',
    ],
  ] as [CreatePartitionsRequestCreatePartitionsTopic, number, string][])(
    'refuses %j with the error Kafka gives',
    async (topic, code, message) => {
      const h = createHarness();
      await h.createTopic('t', 2);
      const [res] = await grow(h, [topic]);
      expect(res).toEqual({ name: topic.name, errorCode: code, errorMessage: message });
      expect((await h.storage.describeTopic('t'))?.partitions).toBe(2);
    },
  );

  it('answers a topic named twice once, with INVALID_REQUEST', async () => {
    const h = createHarness();
    await h.createTopic('t', 1);
    const res = await grow(h, [
      { name: 't', count: 2, assignments: null },
      { name: 't', count: 3, assignments: null },
    ]);
    expect(res).toEqual([
      { name: 't', errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic name.' },
    ]);
    expect((await h.storage.describeTopic('t'))?.partitions).toBe(1);
  });
});

import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import type {
  CreatePartitionsResponse,
  CreateTopicsRequestCreatableTopic,
  CreateTopicsResponse,
  DeleteTopicsResponse,
  MetadataResponse,
} from '../../src/protocol/generated/index.js';
import { API, createHarness, createTopics, creatable, ZERO_UUID } from './support.js';

describe('CreateTopics', () => {
  it.each([0, 1, 2, 3, 4, 5, 6, 7])(
    'v%i creates a topic with its partitions and configs',
    async (version) => {
      const h = createHarness();
      const [res] = await createTopics(
        h,
        [creatable('orders', { numPartitions: 3, configs: [{ name: 'retention.ms', value: '1000' }] })],
        { version },
      );
      expect(res).toMatchObject({ name: 'orders', errorCode: ErrorCode.NONE });
      const stored = await h.storage.describeTopic('orders');
      expect(stored).toMatchObject({ partitions: 3, configs: { 'retention.ms': '1000' } });
      if (version >= 5) {
        expect(res).toMatchObject({ numPartitions: 3, replicationFactor: 1 });
        // Every topic config, in name order, with where its value comes from (as Kafka 3.9 answers).
        const names = res!.configs!.map((c) => c.name);
        expect(names).toEqual([...names].sort());
        expect(names).toContain('cleanup.policy');
        expect(res!.configs!.find((c) => c.name === 'retention.ms')).toEqual({
          name: 'retention.ms',
          value: '1000',
          readOnly: false,
          configSource: 1,
          isSensitive: false,
        });
        expect(res!.configs!.find((c) => c.name === 'max.message.bytes')).toMatchObject({
          value: '1048588',
          configSource: 5,
        });
        expect(res!.configs!.find((c) => c.name === 'segment.ms')).toMatchObject({
          value: '604800000',
          configSource: 5,
        });
      }
      if (version >= 7) expect(res!.topicId).toBe(stored!.id);
    },
  );

  it('uses the broker defaults for -1 partitions and -1 replication factor', async () => {
    const h = createHarness({ defaultPartitions: 4 });
    const [res] = await createTopics(h, [creatable('d', { numPartitions: -1, replicationFactor: -1 })]);
    expect(res).toMatchObject({ errorCode: ErrorCode.NONE, numPartitions: 4, replicationFactor: 1 });
    expect((await h.storage.describeTopic('d'))?.partitions).toBe(4);
  });

  it('accepts any replication factor and reports the one replica Metadata shows', async () => {
    const h = createHarness();
    const [res] = await createTopics(h, [creatable('rf3', { numPartitions: 2, replicationFactor: 3 })]);
    expect(res).toMatchObject({ errorCode: ErrorCode.NONE, replicationFactor: 1 });
    const md = await h.call<MetadataResponse>(API.metadata, 12, {
      topics: [{ name: 'rf3', topicId: ZERO_UUID }],
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    });
    const partitions = md.topics[0]!.partitions;
    expect(partitions).toHaveLength(2);
    for (const p of partitions) {
      expect(p).toMatchObject({ leaderId: 1, replicaNodes: [1], isrNodes: [1] });
    }
  });

  it('takes the partition count from explicit assignments naming the gateway', async () => {
    const h = createHarness();
    const assignments = [1, 0, 2].map((partitionIndex) => ({ partitionIndex, brokerIds: [1] }));
    const [res] = await createTopics(h, [
      creatable('assigned', { numPartitions: -1, replicationFactor: -1, assignments }),
    ]);
    expect(res).toMatchObject({ errorCode: ErrorCode.NONE, numPartitions: 3 });
    expect((await h.storage.describeTopic('assigned'))?.partitions).toBe(3);
  });

  it('stores config values in canonical form', async () => {
    const h = createHarness();
    await createTopics(h, [
      creatable('canon', {
        configs: [
          { name: 'segment.bytes', value: ' 2000000 ' },
          { name: 'cleanup.policy', value: 'compact, delete' },
          { name: 'unclean.leader.election.enable', value: 'TRUE' },
          { name: 'min.cleanable.dirty.ratio', value: '1' },
          { name: 'message.timestamp.type', value: ' LogAppendTime' },
        ],
      }),
    ]);
    expect((await h.storage.describeTopic('canon'))?.configs).toEqual({
      'segment.bytes': '2000000',
      'cleanup.policy': 'compact,delete',
      'unclean.leader.election.enable': 'true',
      'min.cleanable.dirty.ratio': '1.0',
      'message.timestamp.type': 'LogAppendTime',
    });
  });

  it('validateOnly checks and reports without creating', async () => {
    const h = createHarness();
    await h.createTopic('exists');
    const res = await createTopics(h, [creatable('new', { numPartitions: 2 }), creatable('exists')], {
      validateOnly: true,
    });
    expect(res.map((t) => [t.name, t.errorCode])).toEqual([
      ['new', ErrorCode.NONE],
      ['exists', ErrorCode.TOPIC_ALREADY_EXISTS],
    ]);
    expect(res[0]).toMatchObject({ numPartitions: 2, replicationFactor: 1 });
    expect(res[0]!.configs!.length).toBeGreaterThan(30);
    expect(await h.storage.describeTopic('new')).toBeUndefined();
  });

  const long = 'a'.repeat(250);
  it.each([
    ['exists', {}, ErrorCode.TOPIC_ALREADY_EXISTS, "Topic 'exists' already exists."],
    [
      'bad name',
      {},
      ErrorCode.INVALID_TOPIC_EXCEPTION,
      "Topic name is invalid: 'bad name' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'",
    ],
    ['..', {}, ErrorCode.INVALID_TOPIC_EXCEPTION, "Topic name is invalid: '..' is not allowed"],
    ['', {}, ErrorCode.INVALID_TOPIC_EXCEPTION, 'Topic name is invalid: the empty string is not allowed'],
    [
      long,
      {},
      ErrorCode.INVALID_TOPIC_EXCEPTION,
      `Topic name is invalid: the length of '${long}' is longer than the max allowed length 249`,
    ],
    [
      'my_topic',
      {},
      ErrorCode.INVALID_TOPIC_EXCEPTION,
      "Topic 'my_topic' collides with existing topic: my.topic",
    ],
    [
      'zero',
      { numPartitions: 0 },
      ErrorCode.INVALID_PARTITIONS,
      'Number of partitions was set to an invalid non-positive value.',
    ],
    [
      'neg',
      { numPartitions: -2 },
      ErrorCode.INVALID_PARTITIONS,
      'Number of partitions was set to an invalid non-positive value.',
    ],
    [
      'huge',
      { numPartitions: 100_000 },
      ErrorCode.POLICY_VIOLATION,
      'Excessively large number of partitions per request.',
    ],
    [
      'norep',
      { replicationFactor: 0 },
      ErrorCode.INVALID_REPLICATION_FACTOR,
      'Replication factor must be larger than 0, or -1 to use the default value.',
    ],
    [
      'negrep',
      { replicationFactor: -3 },
      ErrorCode.INVALID_REPLICATION_FACTOR,
      'Replication factor must be larger than 0, or -1 to use the default value.',
    ],
    [
      'both',
      { assignments: [{ partitionIndex: 0, brokerIds: [1] }] },
      ErrorCode.INVALID_REQUEST,
      'A manual partition assignment was specified, but numPartitions was not set to -1.',
    ],
    [
      'both-rf',
      { numPartitions: -1, assignments: [{ partitionIndex: 0, brokerIds: [1] }] },
      ErrorCode.INVALID_REQUEST,
      'A manual partition assignment was specified, but replication factor was not set to -1.',
    ],
    [
      'other-broker',
      { numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [2] }] },
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      'The manual partition assignment includes broker 2, but no such broker is registered.',
    ],
    [
      'twice',
      { numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [1, 1] }] },
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      'The manual partition assignment includes the broker 1 more than once.',
    ],
    [
      'empty',
      { numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [] }] },
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      'The manual partition assignment includes an empty replica list.',
    ],
    [
      'gap',
      { numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 1, brokerIds: [1] }] },
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      'partitions should be a consecutive 0-based integer sequence',
    ],
    [
      'same-partition',
      {
        numPartitions: -1,
        replicationFactor: -1,
        assignments: [
          { partitionIndex: 0, brokerIds: [1] },
          { partitionIndex: 0, brokerIds: [1] },
        ],
      },
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      'Found multiple manual partition assignments for partition 0',
    ],
    [
      'cfg-unknown',
      { configs: [{ name: 'foo.bar', value: '1' }] },
      ErrorCode.INVALID_CONFIG,
      'Unknown topic config name: foo.bar',
    ],
    [
      'cfg-bad',
      { configs: [{ name: 'retention.ms', value: 'abc' }] },
      ErrorCode.INVALID_CONFIG,
      'Invalid value abc for configuration retention.ms: Not a number of type LONG',
    ],
    [
      'cfg-null',
      { configs: [{ name: 'retention.ms', value: null }] },
      ErrorCode.INVALID_CONFIG,
      'Null value not supported for topic configs: retention.ms',
    ],
  ] as [string, Partial<CreateTopicsRequestCreatableTopic>, number, string][])(
    'refuses %j with the error Kafka gives',
    async (name, more, code, message) => {
      const h = createHarness();
      await h.createTopic('exists');
      await h.createTopic('my.topic');
      const [res] = await createTopics(h, [creatable(name, more)]);
      expect(res).toMatchObject({ name, errorCode: code, errorMessage: message, numPartitions: -1 });
      expect((await h.storage.listTopics()).map((t) => t.name).sort()).toEqual(['exists', 'my.topic']);
    },
  );

  it('answers duplicate names once and still creates the other topics', async () => {
    const h = createHarness();
    const res = await createTopics(h, [creatable('dup'), creatable('fine'), creatable('dup')]);
    expect(res.map((t) => [t.name, t.errorCode, t.errorMessage])).toEqual([
      ['dup', ErrorCode.INVALID_REQUEST, 'Duplicate topic name.'],
      ['fine', ErrorCode.NONE, null],
    ]);
    expect((await h.storage.listTopics()).map((t) => t.name)).toEqual(['fine']);
  });

  it('answers v0 (no messages, no configs) with the error codes alone', async () => {
    const h = createHarness();
    const res = await createTopics(h, [creatable('ok'), creatable('bad name')], { version: 0 });
    expect(res.map((t) => [t.name, t.errorCode])).toEqual([
      ['ok', ErrorCode.NONE],
      ['bad name', ErrorCode.INVALID_TOPIC_EXCEPTION],
    ]);
  });
});

describe('request deadlines', () => {
  it('answers REQUEST_TIMED_OUT for every topic and changes nothing when timeoutMs is 0 or less', async () => {
    const h = createHarness();
    await h.createTopic('grow', 1);
    await h.createTopic('drop', 1);
    const created = await h.call<CreateTopicsResponse>(API.createTopics, 7, {
      topics: [creatable('late'), creatable('late'), creatable('bad name')],
      timeoutMs: 0,
      validateOnly: false,
    });
    expect(created.topics.map((t) => [t.name, t.errorCode, t.errorMessage])).toEqual([
      ['late', ErrorCode.REQUEST_TIMED_OUT, null],
      ['late', ErrorCode.REQUEST_TIMED_OUT, null],
      ['bad name', ErrorCode.REQUEST_TIMED_OUT, null],
    ]);
    const grown = await h.call<CreatePartitionsResponse>(API.createPartitions, 3, {
      topics: [{ name: 'grow', count: 3, assignments: null }],
      timeoutMs: -1,
      validateOnly: false,
    });
    expect(grown.results).toEqual([
      { name: 'grow', errorCode: ErrorCode.REQUEST_TIMED_OUT, errorMessage: null },
    ]);
    const deleted = await h.call<DeleteTopicsResponse>(API.deleteTopics, 6, {
      topics: [{ name: 'drop', topicId: ZERO_UUID }],
      timeoutMs: 0,
    });
    expect(deleted.responses.map((r) => [r.name, r.errorCode])).toEqual([
      ['drop', ErrorCode.REQUEST_TIMED_OUT],
    ]);
    expect((await h.storage.listTopics()).map((t) => [t.name, t.partitions]).sort()).toEqual([
      ['drop', 1],
      ['grow', 1],
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import type {
  AlterConfigsResponse,
  AlterConfigsResponseAlterConfigsResourceResponse,
  IncrementalAlterConfigsResponse,
} from '../../src/protocol/generated/index.js';
import { RecordBatch } from '../../src/protocol/records/batch.js';
import type { Harness } from './support.js';
import { API, batch, createHarness, describeConfigs, fetchFrom, produce } from './support.js';

const TOPIC = 2;
const BROKER = 4;
const [SET, DELETE, APPEND, SUBTRACT] = [0, 1, 2, 3];

type Pair = [string, string | null];
type Op = [string, number, string | null];

async function alter(
  h: Harness,
  topic: string,
  configs: Pair[],
  o: { version?: number; validateOnly?: boolean; type?: number } = {},
): Promise<AlterConfigsResponseAlterConfigsResourceResponse> {
  const res = await h.call<AlterConfigsResponse>(API.alterConfigs, o.version ?? 2, {
    resources: [
      {
        resourceType: o.type ?? TOPIC,
        resourceName: topic,
        configs: configs.map(([name, value]) => ({ name, value })),
      },
    ],
    validateOnly: o.validateOnly ?? false,
  });
  return res.responses[0]!;
}

async function incremental(
  h: Harness,
  topic: string,
  ops: Op[],
  o: { version?: number; validateOnly?: boolean; type?: number } = {},
): Promise<AlterConfigsResponseAlterConfigsResourceResponse> {
  const res = await h.call<IncrementalAlterConfigsResponse>(API.incrementalAlterConfigs, o.version ?? 1, {
    resources: [
      {
        resourceType: o.type ?? TOPIC,
        resourceName: topic,
        configs: ops.map(([name, configOperation, value]) => ({ name, configOperation, value })),
      },
    ],
    validateOnly: o.validateOnly ?? false,
  });
  return res.responses[0]!;
}

async function overrides(h: Harness, topic: string): Promise<Record<string, string>> {
  return (await h.storage.describeTopic(topic))!.configs;
}

describe('AlterConfigs', () => {
  it.each([0, 1, 2])('v%i replaces the whole config set of a topic', async (version) => {
    const h = createHarness();
    await h.createTopic('t', 1, { 'retention.ms': '1000', 'cleanup.policy': 'compact' });
    const res = await alter(h, 't', [['retention.bytes', '5000']], { version });
    expect(res).toMatchObject({ errorCode: ErrorCode.NONE, resourceType: TOPIC, resourceName: 't' });
    expect(await overrides(h, 't')).toEqual({ 'retention.bytes': '5000' });
    const described = await describeConfigs(h, 't');
    expect(described.get('retention.ms')).toMatchObject({ value: '604800000', configSource: 5 });
    expect(described.get('retention.bytes')).toMatchObject({ value: '5000', configSource: 1 });
  });

  it('validateOnly checks without changing anything', async () => {
    const h = createHarness();
    await h.createTopic('t', 1, { 'retention.ms': '1000' });
    expect((await alter(h, 't', [['retention.ms', '5']], { validateOnly: true })).errorCode).toBe(
      ErrorCode.NONE,
    );
    expect((await alter(h, 't', [['retention.ms', 'x']], { validateOnly: true })).errorCode).toBe(
      ErrorCode.INVALID_CONFIG,
    );
    expect(await overrides(h, 't')).toEqual({ 'retention.ms': '1000' });
  });

  it.each([
    ['retention.ms', 'abc', 'Invalid value abc for configuration retention.ms: Not a number of type LONG'],
    ['foo.bar', '1', 'Unknown topic config name: foo.bar'],
    ['segment.bytes', '5', 'Invalid value 5 for configuration segment.bytes: Value must be at least 14'],
    [
      'cleanup.policy',
      'banana',
      'Invalid value banana for configuration cleanup.policy: String must be one of: compact, delete',
    ],
    [
      'message.timestamp.type',
      'Foo',
      'Invalid value Foo for configuration message.timestamp.type: String must be one of: CreateTime, LogAppendTime',
    ],
    [
      'compression.type',
      'brotli',
      'Invalid value brotli for configuration compression.type: String must be one of: uncompressed, zstd, lz4, snappy, gzip, producer',
    ],
    [
      'min.insync.replicas',
      '0',
      'Invalid value 0 for configuration min.insync.replicas: Value must be at least 1',
    ],
    [
      'max.message.bytes',
      '-1',
      'Invalid value -1 for configuration max.message.bytes: Value must be at least 0',
    ],
    [
      'max.message.bytes',
      '2147483648',
      'Invalid value 2147483648 for configuration max.message.bytes: Not a number of type INT',
    ],
    ['retention.ms', '-5', 'Invalid value -5 for configuration retention.ms: Value must be at least -1'],
    [
      'min.cleanable.dirty.ratio',
      '2',
      'Invalid value 2.0 for configuration min.cleanable.dirty.ratio: Value must be no more than 1',
    ],
    [
      'unclean.leader.election.enable',
      'yes',
      'Invalid value yes for configuration unclean.leader.election.enable: Expected value to be either true or false',
    ],
    [
      'compression.gzip.level',
      '10',
      'Invalid value 10 for configuration compression.gzip.level: Value must be between 1 and 9 or equal to -1',
    ],
    [
      'message.format.version',
      '0.8',
      'Invalid value 0.8 for configuration message.format.version: Version 0.8 is not a valid version',
    ],
    [
      'leader.replication.throttled.replicas',
      'foo',
      "Invalid value [foo] for configuration leader.replication.throttled.replicas: leader.replication.throttled.replicas must be the literal '*' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],...",
    ],
    [
      'remote.storage.enable',
      'true',
      'Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.',
    ],
  ])("refuses %s=%s with INVALID_CONFIG and Kafka's message", async (name, value, message) => {
    const h = createHarness();
    await h.createTopic('t', 1, { 'retention.ms': '1000' });
    const res = await alter(h, 't', [[name, value]]);
    expect(res).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG, errorMessage: message });
    expect(await overrides(h, 't')).toEqual({ 'retention.ms': '1000' });
  });

  it('checks min.compaction.lag.ms against max.compaction.lag.ms', async () => {
    const h = createHarness();
    await h.createTopic('t');
    const res = await alter(h, 't', [
      ['min.compaction.lag.ms', '10'],
      ['max.compaction.lag.ms', '5'],
    ]);
    expect(res).toMatchObject({
      errorCode: ErrorCode.INVALID_CONFIG,
      errorMessage: 'conflict topic config setting min.compaction.lag.ms (10) > max.compaction.lag.ms (5)',
    });
  });

  it('refuses null values, duplicate keys, unknown topics and broker changes', async () => {
    const h = createHarness();
    await h.createTopic('t');
    expect(await alter(h, 't', [['retention.ms', null]])).toMatchObject({
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: 'Null value not supported for : retention.ms',
    });
    expect(
      await alter(h, 't', [
        ['retention.ms', '1'],
        ['retention.ms', '2'],
      ]),
    ).toMatchObject({
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: 'Error due to duplicate config keys',
    });
    expect(await alter(h, 'missing', [['retention.ms', '1']])).toMatchObject({
      errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      errorMessage: "The topic 'missing' does not exist.",
    });
    expect(await alter(h, '1', [['num.partitions', '3']], { type: BROKER })).toMatchObject({
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: expect.stringMatching(/^Cannot update these configs dynamically: num.partitions/),
    });
    expect(await alter(h, '2', [['num.partitions', '3']], { type: BROKER })).toMatchObject({
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: 'Unexpected broker id, expected 1, but received 2',
    });
    expect(await alter(h, '', [], { type: BROKER })).toMatchObject({ errorCode: ErrorCode.NONE });
    expect(await alter(h, '1', [], { type: 8 })).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST });
  });
});

describe('IncrementalAlterConfigs', () => {
  it.each([0, 1])('v%i sets and deletes single keys, keeping the others', async (version) => {
    const h = createHarness();
    await h.createTopic('t', 1, { 'retention.ms': '1000', 'segment.ms': '5000' });
    const res = await incremental(
      h,
      't',
      [
        ['retention.bytes', SET, '2048'],
        ['segment.ms', DELETE, null],
        ['no.such.key', DELETE, null],
      ],
      { version },
    );
    expect(res.errorCode).toBe(ErrorCode.NONE);
    expect(await overrides(h, 't')).toEqual({ 'retention.ms': '1000', 'retention.bytes': '2048' });
  });

  it('appends to and subtracts from list configs, starting from the value in effect', async () => {
    const h = createHarness();
    await h.createTopic('t');
    expect((await incremental(h, 't', [['cleanup.policy', APPEND, 'compact']])).errorCode).toBe(
      ErrorCode.NONE,
    );
    expect((await overrides(h, 't'))['cleanup.policy']).toBe('delete,compact');
    expect((await incremental(h, 't', [['cleanup.policy', APPEND, 'compact']])).errorCode).toBe(
      ErrorCode.NONE,
    );
    expect((await overrides(h, 't'))['cleanup.policy']).toBe('delete,compact');
    expect((await incremental(h, 't', [['cleanup.policy', SUBTRACT, 'delete']])).errorCode).toBe(
      ErrorCode.NONE,
    );
    expect((await overrides(h, 't'))['cleanup.policy']).toBe('compact');
  });

  it.each([
    [
      ['retention.ms', APPEND, '5'],
      ErrorCode.INVALID_CONFIG,
      "Can't APPEND to key retention.ms because its type is not LIST.",
    ],
    [
      ['retention.ms', SUBTRACT, '5'],
      ErrorCode.INVALID_CONFIG,
      "Can't SUBTRACT to key retention.ms because its type is not LIST.",
    ],
    [
      ['cleanup.policy', APPEND, 'banana'],
      ErrorCode.INVALID_CONFIG,
      'Invalid value banana for configuration cleanup.policy: String must be one of: compact, delete',
    ],
    [['foo.bar', SET, '1'], ErrorCode.INVALID_CONFIG, 'Unknown topic config name: foo.bar'],
    [['retention.ms', SET, null], ErrorCode.INVALID_REQUEST, 'Null value not supported for : retention.ms'],
    [
      ['cleanup.policy', APPEND, null],
      ErrorCode.INVALID_REQUEST,
      'Null value not supported for : cleanup.policy',
    ],
    [['retention.ms', 9, '1'], ErrorCode.INVALID_REQUEST, 'Unknown config operation 9 for retention.ms'],
    [
      ['retention.ms', SET, 'abc'],
      ErrorCode.INVALID_CONFIG,
      'Invalid value abc for configuration retention.ms: Not a number of type LONG',
    ],
  ] as [Op, number, string][])('refuses %j', async (op, code, message) => {
    const h = createHarness();
    await h.createTopic('t', 1, { 'retention.ms': '1000' });
    expect(await incremental(h, 't', [op])).toMatchObject({ errorCode: code, errorMessage: message });
    expect(await overrides(h, 't')).toEqual({ 'retention.ms': '1000' });
  });

  it('refuses duplicate keys and broker changes, accepts validateOnly without storing', async () => {
    const h = createHarness();
    await h.createTopic('t');
    expect(
      await incremental(h, 't', [
        ['retention.ms', SET, '1'],
        ['retention.ms', DELETE, null],
      ]),
    ).toMatchObject({
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: 'Error due to duplicate config keys',
    });
    expect(await incremental(h, '', [['log.retention.ms', SET, '1000']], { type: BROKER })).toMatchObject({
      errorCode: ErrorCode.INVALID_REQUEST,
    });
    expect((await incremental(h, 't', [['retention.ms', SET, '7']], { validateOnly: true })).errorCode).toBe(
      0,
    );
    expect(await overrides(h, 't')).toEqual({});
  });

  it('applies concurrent changes to one topic without losing any', async () => {
    const h = createHarness();
    await h.createTopic('t');
    const names = [
      'retention.ms',
      'retention.bytes',
      'segment.ms',
      'segment.bytes',
      'flush.ms',
      'flush.messages',
    ];
    const results = await Promise.all(names.map((n) => incremental(h, 't', [[n, SET, '100000']])));
    expect(results.every((r) => r.errorCode === ErrorCode.NONE)).toBe(true);
    expect(Object.keys(await overrides(h, 't')).sort()).toEqual([...names].sort());
  });
});

describe('configs the gateway honours', () => {
  it('max.message.bytes limits Produce as soon as it is set', async () => {
    const h = createHarness();
    await h.createTopic('t');
    const big = batch(20);
    expect((await produce(h, 't', batch(20))).errorCode).toBe(ErrorCode.NONE);
    await incremental(h, 't', [['max.message.bytes', SET, String(big.length - 1)]]);
    const refused = await produce(h, 't', big);
    expect(refused.errorCode).toBe(ErrorCode.MESSAGE_TOO_LARGE);
    await incremental(h, 't', [['max.message.bytes', DELETE, null]]);
    expect((await produce(h, 't', batch(20))).errorCode).toBe(ErrorCode.NONE);
  });

  it('message.timestamp.type=LogAppendTime stamps appended batches with the gateway clock', async () => {
    const h = createHarness();
    await h.createTopic('t');
    await incremental(h, 't', [['message.timestamp.type', SET, 'LogAppendTime']]);
    const before = BigInt(Date.now());
    const res = await produce(h, 't', batch(2, { baseTimestamp: 1000n }));
    expect(res.errorCode).toBe(ErrorCode.NONE);
    expect(res.logAppendTimeMs).toBeGreaterThanOrEqual(before);
    const read = await fetchFrom(h, 't', 0n);
    const stored = new RecordBatch(read.records as Buffer);
    expect(stored.timestampType).toBe(1);
    expect(stored.maxTimestamp).toBe(res.logAppendTimeMs);
  });
});

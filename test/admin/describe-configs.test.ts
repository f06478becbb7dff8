import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import type { DescribeConfigsResponse } from '../../src/protocol/generated/index.js';
import { API, createHarness, describeConfigs } from './support.js';

const TOPIC = 2;
const BROKER = 4;

/** What tools read from a topic, with Kafka 3.9's defaults. */
const TOPIC_DEFAULTS: Record<string, string> = {
  'cleanup.policy': 'delete',
  'retention.ms': '604800000',
  'retention.bytes': '-1',
  'segment.bytes': '1073741824',
  'segment.ms': '604800000',
  'max.message.bytes': '1048588',
  'message.timestamp.type': 'CreateTime',
  'min.insync.replicas': '1',
  'compression.type': 'producer',
  'delete.retention.ms': '86400000',
};

describe('DescribeConfigs', () => {
  it('describes every topic config with its value, source and type', async () => {
    const h = createHarness();
    await h.createTopic('t', 1, { 'retention.ms': '1000', 'cleanup.policy': 'compact' });
    const configs = await describeConfigs(h, 't');
    expect(configs.size).toBe(36);
    for (const [name, value] of Object.entries(TOPIC_DEFAULTS)) {
      if (name === 'retention.ms' || name === 'cleanup.policy') continue;
      expect(configs.get(name), name).toMatchObject({ value, readOnly: false, isSensitive: false });
    }
    expect(configs.get('retention.ms')).toMatchObject({ value: '1000', configSource: 1, configType: 5 });
    expect(configs.get('cleanup.policy')).toMatchObject({ value: 'compact', configSource: 1, configType: 7 });
    expect(configs.get('segment.ms')).toMatchObject({ configSource: 5, configType: 5, synonyms: [] });
    expect(configs.get('min.insync.replicas')).toMatchObject({ configSource: 5, configType: 3 });
    expect(configs.get('message.timestamp.type')).toMatchObject({ configType: 2, documentation: null });
  });

  it('lists synonyms when asked, most specific first', async () => {
    const h = createHarness({ messageMaxBytes: 2_000_000 });
    await h.createTopic('t', 1, { 'retention.ms': '1000' });
    const configs = await describeConfigs(h, 't', { synonyms: true });
    expect(configs.get('retention.ms')!.synonyms).toEqual([
      { name: 'retention.ms', value: '1000', source: 1 },
    ]);
    expect(configs.get('max.message.bytes')).toMatchObject({
      value: '2000000',
      configSource: 4,
      synonyms: [
        { name: 'message.max.bytes', value: '2000000', source: 4 },
        { name: 'message.max.bytes', value: '1048588', source: 5 },
      ],
    });
    expect(configs.get('cleanup.policy')!.synonyms).toEqual([
      { name: 'log.cleanup.policy', value: 'delete', source: 5 },
    ]);
  });

  it('adds our documentation when asked (v3+)', async () => {
    const h = createHarness();
    await h.createTopic('t');
    const configs = await describeConfigs(h, 't', { documentation: true });
    for (const c of configs.values()) expect(c.documentation, c.name).toMatch(/\w{3,}/);
    expect(configs.get('retention.ms')!.documentation).toMatch(/log start offset/);
  });

  it('answers only the keys asked for, skipping unknown ones', async () => {
    const h = createHarness();
    await h.createTopic('t');
    const configs = await describeConfigs(h, 't', { keys: ['retention.ms', 'no.such.config'] });
    expect([...configs.keys()]).toEqual(['retention.ms']);
  });

  it.each([0, 1, 2, 3])('v%i carries the fields of its version', async (version) => {
    const h = createHarness();
    await h.createTopic('t', 1, { 'retention.ms': '5' });
    const configs = await describeConfigs(h, 't', { version, synonyms: true, documentation: true });
    const retention = configs.get('retention.ms')!;
    const segment = configs.get('segment.ms')!;
    expect(retention.value).toBe('5');
    if (version === 0) {
      expect([retention.isDefault, segment.isDefault]).toEqual([false, true]);
    } else {
      expect([retention.configSource, segment.configSource]).toEqual([1, 5]);
      expect(retention.synonyms).toHaveLength(1);
    }
    if (version >= 3) expect(retention.configType).toBe(5);
  });

  it('describes the broker with the values the gateway runs with, all read-only', async () => {
    const h = createHarness({ defaultPartitions: 3, autoCreateTopics: false, nodeId: 7 });
    const configs = await describeConfigs(h, '7', { type: BROKER, synonyms: true });
    const expected: Record<string, [string | null, number]> = {
      'num.partitions': ['3', 4],
      'default.replication.factor': ['1', 5],
      'auto.create.topics.enable': ['false', 4],
      'message.max.bytes': ['1048588', 5],
      'log.retention.hours': ['168', 5],
      'log.retention.ms': [null, 5],
      'offsets.topic.replication.factor': ['1', 4],
      'transaction.state.log.replication.factor': ['1', 4],
      'broker.id': ['7', 4],
      'log.retention.check.interval.ms': ['30000', 4],
    };
    for (const [name, [value, source]] of Object.entries(expected)) {
      expect(configs.get(name), name).toMatchObject({ value, configSource: source, readOnly: true });
    }
    expect(configs.get('num.partitions')!.synonyms).toEqual([
      { name: 'num.partitions', value: '3', source: 4 },
      { name: 'num.partitions', value: '1', source: 5 },
    ]);
    expect(configs.get('offsets.topic.replication.factor')!.configType).toBe(4);
  });

  it('has no dynamic cluster-wide broker defaults to list', async () => {
    const h = createHarness();
    expect((await describeConfigs(h, '', { type: BROKER })).size).toBe(0);
  });

  it('refuses what Kafka refuses, per resource', async () => {
    const h = createHarness();
    await h.createTopic('t');
    const res = await h.call<DescribeConfigsResponse>(API.describeConfigs, 4, {
      resources: [
        { resourceType: TOPIC, resourceName: 'missing', configurationKeys: null },
        { resourceType: TOPIC, resourceName: 'bad name', configurationKeys: null },
        { resourceType: BROKER, resourceName: '2', configurationKeys: null },
        { resourceType: 8, resourceName: '1', configurationKeys: null },
        { resourceType: 99, resourceName: 'x', configurationKeys: null },
        { resourceType: TOPIC, resourceName: 't', configurationKeys: ['retention.ms'] },
      ],
      includeSynonyms: false,
      includeDocumentation: false,
    });
    expect(res.results.map((r) => [r.resourceName, r.errorCode, r.errorMessage, r.configs.length])).toEqual([
      ['missing', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.', 0],
      [
        'bad name',
        ErrorCode.INVALID_TOPIC_EXCEPTION,
        "Topic name is invalid: 'bad name' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'",
        0,
      ],
      ['2', ErrorCode.INVALID_REQUEST, 'Unexpected broker id, expected 1 or empty string, but received 2', 0],
      ['1', ErrorCode.INVALID_REQUEST, 'Broker loggers are not configurable on this gateway', 0],
      ['x', ErrorCode.INVALID_REQUEST, 'Unsupported resource type 99', 0],
      ['t', ErrorCode.NONE, null, 1],
    ]);
  });
});

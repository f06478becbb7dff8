import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config.js';
import { applyIncremental, replaceConfigs } from '../../src/configs/alter.js';
import { ConfigRegistry } from '../../src/configs/registry.js';
import { TOPIC_CONFIGS } from '../../src/configs/topic-definitions.js';
import { checkValue } from '../../src/configs/values.js';
import { ErrorCode, KafkaError } from '../../src/protocol/error-codes.js';

const registry = new ConfigRegistry(DEFAULT_CONFIG);
const def = (name: string) => registry.topicDefinition(name)!;

function refusal(fn: () => unknown): { code: number; message: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof KafkaError) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('accepted');
}

describe('config values', () => {
  it.each([
    ['retention.ms', '+5', '5'],
    ['retention.ms', ' -1 ', '-1'],
    ['retention.ms', '9223372036854775807', '9223372036854775807'],
    ['min.cleanable.dirty.ratio', '1e-1', '0.1'],
    ['min.cleanable.dirty.ratio', '1', '1.0'],
    ['preallocate', 'False', 'false'],
    ['cleanup.policy', ' compact ,delete', 'compact,delete'],
    ['cleanup.policy', '', ''],
    ['leader.replication.throttled.replicas', '*', '*'],
    ['leader.replication.throttled.replicas', '0:1, 1:1', '0:1,1:1'],
    ['message.format.version', '2.8-IV1', '2.8-IV1'],
    ['compression.zstd.level', '-131072', '-131072'],
  ])('accepts %s=%j as %j', (name, raw, canonical) => {
    expect(checkValue(def(name), raw)).toBe(canonical);
  });

  it.each([
    ['retention.ms', '1e3', 'Not a number of type LONG'],
    ['retention.ms', '0x10', 'Not a number of type LONG'],
    ['retention.ms', '9223372036854775808', 'Not a number of type LONG'],
    ['segment.bytes', '2147483648', 'Not a number of type INT'],
    ['min.cleanable.dirty.ratio', 'abc', 'Not a number of type DOUBLE'],
    ['compression.lz4.level', '0', 'Value must be at least 1'],
    ['compression.lz4.level', '18', 'Value must be no more than 17'],
    ['cleanup.policy', 'Compact', 'String must be one of: compact, delete'],
  ])('refuses %s=%j: %s', (name, raw, why) => {
    const e = refusal(() => checkValue(def(name), raw));
    expect(e.code).toBe(ErrorCode.INVALID_CONFIG);
    expect(e.message).toMatch(new RegExp(`for configuration ${name.replace(/\./g, '\\.')}: ${why}$`));
  });

  it('defines every config a Kafka 3.9 topic has, each with a default and our documentation', () => {
    expect(TOPIC_CONFIGS).toHaveLength(36);
    for (const d of TOPIC_CONFIGS) {
      expect(d.doc.length, d.name).toBeGreaterThan(20);
      if (d.defaultValue !== null) expect(checkValue(d, d.defaultValue), d.name).toBe(d.defaultValue);
    }
  });
});

describe('config registry', () => {
  it('resolves a topic value from the topic, then the broker, then the default', () => {
    const r = new ConfigRegistry({ ...DEFAULT_CONFIG, messageMaxBytes: 5000 });
    expect(r.topicValue({}, 'max.message.bytes')).toBe('5000');
    expect(r.topicValue({ 'max.message.bytes': '10' }, 'max.message.bytes')).toBe('10');
    expect(r.topicValue({}, 'retention.ms')).toBe('604800000');
    expect(r.retention({ 'cleanup.policy': 'compact' })).toEqual({
      retentionMs: 604800000n,
      retentionBytes: -1n,
      deletes: false,
    });
  });

  it('applies incremental operations in order and replaces whole sets', () => {
    expect(
      applyIncremental(
        { 'retention.ms': '1', 'cleanup.policy': 'compact' },
        [
          { name: 'retention.ms', op: 1, value: null },
          { name: 'cleanup.policy', op: 2, value: 'delete,compact' },
          { name: 'segment.ms', op: 0, value: '100' },
        ],
        registry,
      ),
    ).toEqual({ 'cleanup.policy': 'compact,delete', 'segment.ms': '100' });
    expect(replaceConfigs([{ name: 'a', value: '1' }])).toEqual({ a: '1' });
  });
});

/**
 * The produce-path view of a topic's configs (src/protocol/records/validate.ts), resolved again only
 * when the topic's configs change rather than on every request. Stores hand out copies of configs,
 * so the cache compares contents (a handful of entries) per topic id.
 */
import type { ProducePolicy } from '../protocol/records/validate.js';
import { ZSTD_MAX_DECODED } from '../protocol/records/zstd.js';
import type { TopicConfigs } from '../storage/storage.js';
import type { ConfigRegistry } from './registry.js';

/** Kafka's "no bound" for the timestamp windows. */
const LONG_MAX = 9223372036854775807n;

function window(value: string | null): number {
  if (value === null) return Number.POSITIVE_INFINITY;
  const n = BigInt(value);
  return n >= LONG_MAX ? Number.POSITIVE_INFINITY : Number(n);
}

export class ProducePolicies {
  private readonly cache = new Map<string, { configs: TopicConfigs; policy: ProducePolicy }>();

  /** `decompressedRatio`: how many times max.message.bytes a batch's records may decompress to. */
  constructor(
    private readonly registry: ConfigRegistry,
    private readonly decompressedRatio: number,
  ) {}

  of(topicId: string, configs: TopicConfigs): ProducePolicy {
    const hit = this.cache.get(topicId);
    if (hit !== undefined && sameConfigs(hit.configs, configs)) return hit.policy;
    const policy = this.resolve(configs);
    this.cache.set(topicId, { configs, policy });
    return policy;
  }

  private resolve(configs: TopicConfigs): ProducePolicy {
    const value = (name: string): string | null => this.registry.topicValue(configs, name);
    const maxBatchBytes = Number(value('max.message.bytes'));
    // KIP-937: the deprecated difference bound applies where the newer configs are not set.
    const difference = configs['message.timestamp.difference.max.ms'];
    const before =
      configs['message.timestamp.before.max.ms'] ?? difference ?? value('message.timestamp.before.max.ms');
    const after =
      configs['message.timestamp.after.max.ms'] ?? difference ?? value('message.timestamp.after.max.ms');
    return {
      maxBatchBytes,
      maxDecodedBytes: Math.min(maxBatchBytes * this.decompressedRatio, ZSTD_MAX_DECODED),
      logAppendTime: value('message.timestamp.type') === 'LogAppendTime',
      timestampBeforeMaxMs: window(before),
      timestampAfterMaxMs: window(after),
      compacted: (value('cleanup.policy') ?? '').split(',').includes('compact'),
    };
  }
}

function sameConfigs(a: TopicConfigs, b: TopicConfigs): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const k of keys) if (a[k] !== b[k]) return false;
  return true;
}

/**
 * The config registry handlers share: validates topic configs before they are stored, and resolves
 * the full view of a topic's or the broker's configs (value, source, synonyms) as DescribeConfigs and
 * CreateTopics report them.
 */
import type { GatewayConfig } from '../config.js';
import { ErrorCode, KafkaError } from '../protocol/error-codes.js';
import type { TopicConfigs } from '../storage/storage.js';
import type { BrokerConfigEntry } from './broker-definitions.js';
import { brokerConfigs } from './broker-definitions.js';
import { TOPIC_CONFIGS, TOPIC_CONFIGS_BY_NAME } from './topic-definitions.js';
import type { ConfigSynonym, ResolvedConfig, TopicConfigDefinition } from './types.js';
import { ConfigSource } from './types.js';
import { checkValue } from './values.js';

export interface RetentionSettings {
  /** Negative: keep forever. */
  readonly retentionMs: bigint;
  /** Negative: no size limit. */
  readonly retentionBytes: bigint;
  /** Whether cleanup.policy includes "delete" (retention applies only then). */
  readonly deletes: boolean;
}

export class ConfigRegistry {
  readonly broker: readonly BrokerConfigEntry[];
  private readonly brokerByName: ReadonlyMap<string, BrokerConfigEntry>;

  constructor(config: GatewayConfig) {
    this.broker = brokerConfigs(config);
    this.brokerByName = new Map(this.broker.map((e) => [e.def.name, e]));
  }

  topicDefinition(name: string): TopicConfigDefinition | undefined {
    return TOPIC_CONFIGS_BY_NAME.get(name);
  }

  /**
   * Checks a complete set of topic configs (names, values, cross-field rules) and returns them in
   * canonical form. Throws KafkaError(INVALID_CONFIG) with Kafka's message for the first problem.
   */
  normalizeTopicConfigs(configs: TopicConfigs): TopicConfigs {
    const out: TopicConfigs = {};
    for (const [name, value] of Object.entries(configs)) {
      const def = TOPIC_CONFIGS_BY_NAME.get(name);
      if (def === undefined) {
        throw new KafkaError(ErrorCode.INVALID_CONFIG, `Unknown topic config name: ${name}`);
      }
      out[name] = checkValue(def, value);
    }
    if (out['remote.storage.enable'] === 'true') {
      throw new KafkaError(
        ErrorCode.INVALID_CONFIG,
        'Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.',
      );
    }
    const minLag = BigInt(this.topicValue(out, 'min.compaction.lag.ms') ?? '0');
    const maxLag = BigInt(this.topicValue(out, 'max.compaction.lag.ms') ?? '0');
    if (minLag > maxLag) {
      throw new KafkaError(
        ErrorCode.INVALID_CONFIG,
        `conflict topic config setting min.compaction.lag.ms (${minLag}) > max.compaction.lag.ms (${maxLag})`,
      );
    }
    return out;
  }

  /** The value a topic config has: the topic's own, else the broker's, else Kafka's default. */
  topicValue(overrides: TopicConfigs, name: string): string | null {
    const own = overrides[name];
    if (own !== undefined) return own;
    const def = TOPIC_CONFIGS_BY_NAME.get(name);
    if (def === undefined) return null;
    const broker = def.brokerSynonym === undefined ? undefined : this.brokerByName.get(def.brokerSynonym);
    return broker?.value ?? def.defaultValue;
  }

  retention(overrides: TopicConfigs): RetentionSettings {
    const policy = this.topicValue(overrides, 'cleanup.policy') ?? 'delete';
    return {
      retentionMs: BigInt(this.topicValue(overrides, 'retention.ms') ?? '-1'),
      retentionBytes: BigInt(this.topicValue(overrides, 'retention.bytes') ?? '-1'),
      deletes: policy.split(',').includes('delete'),
    };
  }

  /** Every topic config, sorted by name, as DescribeConfigs reports it for a topic. */
  describeTopic(overrides: TopicConfigs): ResolvedConfig[] {
    return TOPIC_CONFIGS.map((def) => {
      const synonyms: ConfigSynonym[] = [];
      const own = overrides[def.name];
      if (own !== undefined) {
        synonyms.push({ name: def.name, value: own, source: ConfigSource.DYNAMIC_TOPIC_CONFIG });
      }
      const broker = def.brokerSynonym === undefined ? undefined : this.brokerByName.get(def.brokerSynonym);
      if (broker !== undefined) synonyms.push(...brokerSynonyms(broker));
      return {
        name: def.name,
        value: this.topicValue(overrides, def.name),
        source: synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG,
        readOnly: false,
        sensitive: def.sensitive ?? false,
        type: def.type,
        synonyms,
        doc: def.doc,
      };
    });
  }

  /** Every broker config, sorted by name, as DescribeConfigs reports it for this broker. */
  describeBroker(): ResolvedConfig[] {
    return this.broker.map((entry) => {
      const synonyms = brokerSynonyms(entry);
      return {
        name: entry.def.name,
        value: entry.value,
        source: entry.isStatic ? ConfigSource.STATIC_BROKER_CONFIG : ConfigSource.DEFAULT_CONFIG,
        readOnly: true,
        sensitive: entry.def.sensitive ?? false,
        type: entry.def.type,
        synonyms,
        doc: entry.def.doc,
      };
    });
  }
}

/** A broker config's own value (static) and Kafka's default, each when present. */
function brokerSynonyms(entry: BrokerConfigEntry): ConfigSynonym[] {
  const out: ConfigSynonym[] = [];
  const name = entry.def.name;
  if (entry.isStatic) out.push({ name, value: entry.value, source: ConfigSource.STATIC_BROKER_CONFIG });
  if (entry.def.defaultValue !== null) {
    out.push({ name, value: entry.def.defaultValue, source: ConfigSource.DEFAULT_CONFIG });
  }
  return out;
}

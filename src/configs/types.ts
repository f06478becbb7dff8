/** Config value types, numbered as DescribeConfigs v3+ reports them (Kafka's ConfigType). */
export const ConfigType = {
  UNKNOWN: 0,
  BOOLEAN: 1,
  STRING: 2,
  INT: 3,
  SHORT: 4,
  LONG: 5,
  DOUBLE: 6,
  LIST: 7,
  CLASS: 8,
  PASSWORD: 9,
} as const;
export type ConfigTypeValue = (typeof ConfigType)[keyof typeof ConfigType];

/** Where a config value comes from, numbered as DescribeConfigs v1+ reports it (Kafka's ConfigSource). */
export const ConfigSource = {
  UNKNOWN: 0,
  DYNAMIC_TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
} as const;
export type ConfigSourceValue = (typeof ConfigSource)[keyof typeof ConfigSource];

/** Resource types of DescribeConfigs / AlterConfigs / IncrementalAlterConfigs. */
export const ResourceType = {
  TOPIC: 2,
  BROKER: 4,
  BROKER_LOGGER: 8,
} as const;

/** IncrementalAlterConfigs operations. */
export const AlterOp = {
  SET: 0,
  DELETE: 1,
  APPEND: 2,
  SUBTRACT: 3,
} as const;

/**
 * Checks a parsed value; returns why it is refused (Kafka's wording after "Invalid value v for
 * configuration name: "), or undefined when it is fine.
 */
export type Validator = (value: ParsedValue) => string | undefined;

export type ParsedValue = boolean | string | bigint | number | readonly string[];

export interface ConfigDefinition {
  readonly name: string;
  readonly type: ConfigTypeValue;
  /** Canonical string form of the default, or null when the config has none. */
  readonly defaultValue: string | null;
  readonly validator?: Validator;
  /** What the config means here; reported by DescribeConfigs when documentation is asked for. */
  readonly doc: string;
  readonly sensitive?: boolean;
}

export interface TopicConfigDefinition extends ConfigDefinition {
  /** The broker config that supplies this topic config's default (Kafka's first synonym), if any. */
  readonly brokerSynonym?: string;
}

export interface ConfigSynonym {
  readonly name: string;
  readonly value: string | null;
  readonly source: ConfigSourceValue;
}

/** One config as DescribeConfigs and CreateTopics report it. */
export interface ResolvedConfig {
  readonly name: string;
  readonly value: string | null;
  readonly source: ConfigSourceValue;
  readonly readOnly: boolean;
  readonly sensitive: boolean;
  readonly type: ConfigTypeValue;
  /** Every place a value was found, most specific first (the first one is `source`). */
  readonly synonyms: readonly ConfigSynonym[];
  readonly doc: string;
}

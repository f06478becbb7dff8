/**
 * The broker configs the gateway reports through DescribeConfigs: the ones tools read (partition and
 * replication defaults, size limits, retention defaults) and every broker config that supplies a topic
 * config's default. Values the gateway's configuration sets to something other than Kafka's default
 * are reported as static broker configs (as if from server.properties); the rest carry Kafka's
 * defaults. All are read-only: they change with the gateway's flags, not at run time.
 */
import type { GatewayConfig } from '../config.js';
import type { ConfigDefinition } from './types.js';
import { ConfigType } from './types.js';
import { TOPIC_CONFIGS } from './topic-definitions.js';

export interface BrokerConfigEntry {
  readonly def: ConfigDefinition;
  /** The value in effect, or null when unset and without default. */
  readonly value: string | null;
  /** True when the gateway's configuration departs from Kafka's default (STATIC_BROKER_CONFIG). */
  readonly isStatic: boolean;
}

interface BrokerSpec {
  readonly name: string;
  readonly type: ConfigDefinition['type'];
  /** Kafka's default, as a string; null when Kafka has none. */
  readonly kafkaDefault: string | null;
  readonly doc: string;
  /** The gateway's value when it sets this config; omitted means Kafka's default applies. */
  readonly gateway?: (c: GatewayConfig) => string | null;
}

const FIXED = 'Fixed by the gateway.';
const TOPIC_DEFAULT = 'Default of the topic config';

/** Broker configs that are not merely the default of a topic config. */
const BROKER_SPECS: readonly BrokerSpec[] = [
  {
    name: 'broker.id',
    type: ConfigType.INT,
    kafkaDefault: '-1',
    gateway: (c) => String(c.nodeId),
    doc: 'Id of this broker, as Metadata reports it (the --node-id flag).',
  },
  {
    name: 'node.id',
    type: ConfigType.INT,
    kafkaDefault: '-1',
    gateway: (c) => String(c.nodeId),
    doc: 'Id of this node; the gateway is the only broker and the controller.',
  },
  {
    name: 'listeners',
    type: ConfigType.STRING,
    kafkaDefault: 'PLAINTEXT://:9092',
    gateway: (c) => `PLAINTEXT://${c.host}:${c.port}`,
    doc: 'Address the gateway listens on (--host and --port).',
  },
  {
    name: 'advertised.listeners',
    type: ConfigType.STRING,
    kafkaDefault: null,
    gateway: (c) =>
      c.advertisedHost === undefined && c.advertisedPort === undefined
        ? null
        : `PLAINTEXT://${c.advertisedHost ?? c.host}:${c.advertisedPort ?? c.port}`,
    doc: 'Address put in Metadata; unset means the address each client connected to.',
  },
  {
    name: 'auto.create.topics.enable',
    type: ConfigType.BOOLEAN,
    kafkaDefault: 'true',
    gateway: (c) => String(c.autoCreateTopics),
    doc: 'Whether Metadata and Produce create unknown topics (--auto-create-topics).',
  },
  {
    name: 'num.partitions',
    type: ConfigType.INT,
    kafkaDefault: '1',
    gateway: (c) => String(c.defaultPartitions),
    doc: 'Partitions of auto-created topics and of CreateTopics asking for -1 (--default-partitions).',
  },
  {
    name: 'default.replication.factor',
    type: ConfigType.INT,
    kafkaDefault: '1',
    doc:
      'Replication factor of topics created with -1. The gateway reports one replica for every partition ' +
      'whatever factor is asked for; durability belongs to the storage backend.',
  },
  {
    name: 'message.max.bytes',
    type: ConfigType.INT,
    kafkaDefault: '1048588',
    gateway: (c) => String(c.messageMaxBytes),
    doc: 'Largest record batch accepted when a topic sets no max.message.bytes (--message-max-bytes).',
  },
  {
    name: 'delete.topic.enable',
    type: ConfigType.BOOLEAN,
    kafkaDefault: 'true',
    doc: 'Topics can always be deleted.',
  },
  {
    name: 'min.insync.replicas',
    type: ConfigType.INT,
    kafkaDefault: '1',
    doc: `${TOPIC_DEFAULT} min.insync.replicas. Not enforced: every partition has one replica.`,
  },
  {
    name: 'offsets.topic.replication.factor',
    type: ConfigType.SHORT,
    kafkaDefault: '3',
    gateway: () => '1',
    doc: `Replication factor of the committed-offsets topic. ${FIXED} Offsets live in the storage backend.`,
  },
  {
    name: 'transaction.state.log.replication.factor',
    type: ConfigType.SHORT,
    kafkaDefault: '3',
    gateway: () => '1',
    doc: `Replication factor of the transaction state topic. ${FIXED}`,
  },
  {
    name: 'transaction.state.log.min.isr',
    type: ConfigType.INT,
    kafkaDefault: '2',
    gateway: () => '1',
    doc: `min.insync.replicas of the transaction state topic. ${FIXED}`,
  },
  {
    name: 'log.retention.hours',
    type: ConfigType.INT,
    kafkaDefault: '168',
    doc: 'Default retention in hours, used when neither log.retention.ms nor log.retention.minutes is set.',
  },
  {
    name: 'log.retention.minutes',
    type: ConfigType.INT,
    kafkaDefault: null,
    doc: 'Default retention in minutes; overrides log.retention.hours when set.',
  },
  {
    name: 'log.retention.check.interval.ms',
    type: ConfigType.LONG,
    kafkaDefault: '300000',
    gateway: (c) => String(c.retentionCheckIntervalMs),
    doc: 'How often the gateway applies retention.ms and retention.bytes to every partition.',
  },
  {
    name: 'log.cleaner.backoff.ms',
    type: ConfigType.LONG,
    kafkaDefault: '15000',
    gateway: (c) => String(c.logCleanerBackoffMs),
    doc: 'How long the log cleaner waits between passes over compacted topics (--log-cleaner-backoff-ms).',
  },
  {
    name: 'log.flush.interval.messages',
    type: ConfigType.LONG,
    kafkaDefault: '9223372036854775807',
    gateway: (c) => (c.store === 'log' ? String(c.log.flushIntervalMessages) : null),
    doc:
      `${TOPIC_DEFAULT} flush.messages. The log store's default is 1: every append is fsynced before it ` +
      'is acknowledged (--log-flush-interval-messages).',
  },
  {
    name: 'log.flush.interval.ms',
    type: ConfigType.LONG,
    kafkaDefault: null,
    gateway: (c) =>
      c.store === 'log' && c.log.flushIntervalMs !== 2n ** 63n - 1n ? String(c.log.flushIntervalMs) : null,
    doc: `${TOPIC_DEFAULT} flush.ms (--log-flush-interval-ms).`,
  },
  {
    name: 'log.segment.bytes',
    type: ConfigType.INT,
    kafkaDefault: '1073741824',
    gateway: (c) => (c.store === 'log' ? String(c.log.segmentBytes) : null),
    doc: `${TOPIC_DEFAULT} segment.bytes (--log-segment-bytes).`,
  },
  {
    name: 'log.roll.hours',
    type: ConfigType.INT,
    kafkaDefault: '168',
    doc: 'Default segment age in hours when log.roll.ms is unset. Reported only.',
  },
  {
    name: 'log.roll.jitter.hours',
    type: ConfigType.INT,
    kafkaDefault: '0',
    doc: 'Default segment jitter in hours when log.roll.jitter.ms is unset. Reported only.',
  },
];

/** Kafka's broker config names for topic defaults whose broker default is null (set by a sibling). */
const NULL_DEFAULT_SYNONYMS = new Set([
  'log.retention.ms',
  'log.flush.interval.ms',
  'log.roll.jitter.ms',
  'log.roll.ms',
]);

/** Broker configs that exist to give topic configs their defaults, derived from the topic registry. */
function topicDefaultSpecs(): BrokerSpec[] {
  const specs: BrokerSpec[] = [];
  for (const t of TOPIC_CONFIGS) {
    const name = t.brokerSynonym;
    if (name === undefined || BROKER_SPECS.some((s) => s.name === name)) continue;
    specs.push({
      name,
      type: t.type,
      kafkaDefault: NULL_DEFAULT_SYNONYMS.has(name) ? null : t.defaultValue,
      doc: `${TOPIC_DEFAULT} ${t.name}.`,
    });
  }
  return specs;
}

const ALL_SPECS: readonly BrokerSpec[] = [...BROKER_SPECS, ...topicDefaultSpecs()].sort((a, b) =>
  a.name.localeCompare(b.name),
);

/** The broker's configs as this gateway's configuration makes them. */
export function brokerConfigs(config: GatewayConfig): BrokerConfigEntry[] {
  return ALL_SPECS.map((spec) => {
    const def: ConfigDefinition = {
      name: spec.name,
      type: spec.type,
      defaultValue: spec.kafkaDefault,
      doc: spec.doc,
    };
    if (spec.gateway === undefined) return { def, value: spec.kafkaDefault, isStatic: false };
    // Reported as set in the broker's own configuration only when the gateway departs from Kafka's
    // default, so tools that list non-default configs show what actually differs.
    const value = spec.gateway(config);
    return value === null || value === spec.kafkaDefault
      ? { def, value: spec.kafkaDefault, isStatic: false }
      : { def, value, isStatic: true };
  });
}

/**
 * The topic-level configs a Kafka 3.9 broker knows: names, types, defaults and valid values as Kafka
 * defines them, so tools see the configs they expect. The documentation is ours and says what each
 * one does on this gateway: most are stored and reported only, because replication, segments,
 * flushing and compaction belong to the storage backend.
 */
import type { TopicConfigDefinition } from './types.js';
import { ConfigType } from './types.js';
import {
  atLeast,
  between,
  gzipLevel,
  listOf,
  messageFormatVersion,
  oneOf,
  throttledReplicas,
} from './values.js';

const LONG_MAX = '9223372036854775807';
const STORED = 'Stored and reported; the gateway does not act on it.';
const LOG_ONLY = 'Applies to the log store (--data-dir); the memory and SeaweedMQ stores ignore it.';

export const TOPIC_CONFIGS: readonly TopicConfigDefinition[] = [
  {
    name: 'cleanup.policy',
    type: ConfigType.LIST,
    defaultValue: 'delete',
    validator: listOf('cleanup.policy', 'compact', 'delete'),
    brokerSynonym: 'log.cleanup.policy',
    doc:
      'How old records leave the log: "delete" applies retention.ms and retention.bytes, "compact" keeps the ' +
      'latest record of every key (offsets unchanged), "compact,delete" both. The log and memory stores ' +
      'compact; the SeaweedMQ store keeps every record.',
  },
  {
    name: 'compression.gzip.level',
    type: ConfigType.INT,
    defaultValue: '-1',
    validator: gzipLevel,
    brokerSynonym: 'compression.gzip.level',
    doc: `Level used when the broker recompresses with gzip. ${STORED} Batches are stored as producers sent them.`,
  },
  {
    name: 'compression.lz4.level',
    type: ConfigType.INT,
    defaultValue: '9',
    validator: between(1, 17),
    brokerSynonym: 'compression.lz4.level',
    doc: `Level used when the broker recompresses with lz4. ${STORED}`,
  },
  {
    name: 'compression.type',
    type: ConfigType.STRING,
    defaultValue: 'producer',
    validator: oneOf('uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'),
    brokerSynonym: 'compression.type',
    doc:
      'Codec the broker would recompress batches with; "producer" keeps the codec the producer chose. ' +
      'The gateway always keeps batches exactly as produced, so only "producer" has effect.',
  },
  {
    name: 'compression.zstd.level',
    type: ConfigType.INT,
    defaultValue: '3',
    validator: between(-131072, 22),
    brokerSynonym: 'compression.zstd.level',
    doc: `Level used when the broker recompresses with zstd. ${STORED}`,
  },
  {
    name: 'delete.retention.ms',
    type: ConfigType.LONG,
    defaultValue: '86400000',
    validator: atLeast(0),
    brokerSynonym: 'log.cleaner.delete.retention.ms',
    doc:
      'How long a tombstone (a record with a null value) stays readable after the compaction that first kept ' +
      'it as the latest record of its key; a later compaction removes it.',
  },
  {
    name: 'file.delete.delay.ms',
    type: ConfigType.LONG,
    defaultValue: '60000',
    validator: atLeast(0),
    brokerSynonym: 'log.segment.delete.delay.ms',
    doc: `Grace period before a deleted segment file is removed from disk. ${STORED}`,
  },
  {
    name: 'flush.messages',
    type: ConfigType.LONG,
    defaultValue: LONG_MAX,
    validator: atLeast(1),
    brokerSynonym: 'log.flush.interval.messages',
    doc:
      'Records appended between fsyncs to disk. 1 (the log store default, --log-flush-interval-messages) ' +
      'fsyncs every append before it is acknowledged or readable; fsyncs of concurrent appends are shared. ' +
      `Larger values acknowledge once written and fsync every so many records. ${LOG_ONLY}`,
  },
  {
    name: 'flush.ms',
    type: ConfigType.LONG,
    defaultValue: LONG_MAX,
    validator: atLeast(0),
    brokerSynonym: 'log.flush.interval.ms',
    doc: `Longest time appended data may wait for an fsync when flush.messages is above 1. ${LOG_ONLY}`,
  },
  {
    name: 'follower.replication.throttled.replicas',
    type: ConfigType.LIST,
    defaultValue: '',
    validator: throttledReplicas('follower.replication.throttled.replicas'),
    doc: `Replicas whose follower-side replication is throttled ("*" for all). ${STORED}`,
  },
  {
    name: 'index.interval.bytes',
    type: ConfigType.INT,
    defaultValue: '4096',
    validator: atLeast(0),
    brokerSynonym: 'log.index.interval.bytes',
    doc: `Bytes of batches between entries of a segment's offset and time indexes. ${LOG_ONLY}`,
  },
  {
    name: 'leader.replication.throttled.replicas',
    type: ConfigType.LIST,
    defaultValue: '',
    validator: throttledReplicas('leader.replication.throttled.replicas'),
    doc: `Replicas whose leader-side replication is throttled ("*" for all). ${STORED}`,
  },
  {
    name: 'local.retention.bytes',
    type: ConfigType.LONG,
    defaultValue: '-2',
    validator: atLeast(-2),
    brokerSynonym: 'log.local.retention.bytes',
    doc: `Local size limit when tiered storage is on; -2 means retention.bytes. ${STORED}`,
  },
  {
    name: 'local.retention.ms',
    type: ConfigType.LONG,
    defaultValue: '-2',
    validator: atLeast(-2),
    brokerSynonym: 'log.local.retention.ms',
    doc: `Local time limit when tiered storage is on; -2 means retention.ms. ${STORED}`,
  },
  {
    name: 'max.compaction.lag.ms',
    type: ConfigType.LONG,
    defaultValue: LONG_MAX,
    validator: atLeast(1),
    brokerSynonym: 'log.cleaner.max.compaction.lag.ms',
    doc: 'Longest a record may stay uncompacted on a compacted topic, whatever min.cleanable.dirty.ratio says.',
  },
  {
    name: 'max.message.bytes',
    type: ConfigType.INT,
    defaultValue: '1048588',
    validator: atLeast(0),
    brokerSynonym: 'message.max.bytes',
    doc:
      'Largest record batch, in bytes, a producer may append to this topic; larger batches are refused ' +
      'with MESSAGE_TOO_LARGE. Defaults to the gateway-wide message.max.bytes.',
  },
  {
    name: 'message.downconversion.enable',
    type: ConfigType.BOOLEAN,
    defaultValue: 'true',
    brokerSynonym: 'log.message.downconversion.enable',
    doc: `Whether old fetch versions get batches converted to the old message format. ${STORED} The gateway never converts.`,
  },
  {
    name: 'message.format.version',
    type: ConfigType.STRING,
    defaultValue: '3.0-IV1',
    validator: messageFormatVersion,
    brokerSynonym: 'log.message.format.version',
    doc: `Deprecated record format pin. ${STORED} Batches are always stored in format v2.`,
  },
  {
    name: 'message.timestamp.after.max.ms',
    type: ConfigType.LONG,
    defaultValue: LONG_MAX,
    validator: atLeast(0),
    brokerSynonym: 'log.message.timestamp.after.max.ms',
    doc: `How far in the future a CreateTime timestamp may be. ${STORED}`,
  },
  {
    name: 'message.timestamp.before.max.ms',
    type: ConfigType.LONG,
    defaultValue: LONG_MAX,
    validator: atLeast(0),
    brokerSynonym: 'log.message.timestamp.before.max.ms',
    doc: `How far in the past a CreateTime timestamp may be. ${STORED}`,
  },
  {
    name: 'message.timestamp.difference.max.ms',
    type: ConfigType.LONG,
    defaultValue: LONG_MAX,
    validator: atLeast(0),
    brokerSynonym: 'log.message.timestamp.difference.max.ms',
    doc: `Deprecated bound on the gap between a CreateTime timestamp and the broker clock. ${STORED}`,
  },
  {
    name: 'message.timestamp.type',
    type: ConfigType.STRING,
    defaultValue: 'CreateTime',
    validator: oneOf('CreateTime', 'LogAppendTime'),
    brokerSynonym: 'log.message.timestamp.type',
    doc:
      "Which timestamp records carry: CreateTime keeps the producer's, LogAppendTime stamps every " +
      'appended batch with the gateway clock at append.',
  },
  {
    name: 'min.cleanable.dirty.ratio',
    type: ConfigType.DOUBLE,
    defaultValue: '0.5',
    validator: between(0, 1),
    brokerSynonym: 'log.cleaner.min.cleanable.ratio',
    doc: 'Share of the cleanable log (bytes) that must be uncompacted before the cleaner compacts it.',
  },
  {
    name: 'min.compaction.lag.ms',
    type: ConfigType.LONG,
    defaultValue: '0',
    validator: atLeast(0),
    brokerSynonym: 'log.cleaner.min.compaction.lag.ms',
    doc:
      'Shortest time a record stays uncompacted on a compacted topic (by its timestamp; the log store ' +
      'also never compacts the segment being written).',
  },
  {
    name: 'min.insync.replicas',
    type: ConfigType.INT,
    defaultValue: '1',
    validator: atLeast(1),
    brokerSynonym: 'min.insync.replicas',
    doc:
      'Replicas that must hold a write before acks=all succeeds. The gateway reports one replica per ' +
      'partition and leaves durability to its backend, so acks=all never fails for lack of replicas.',
  },
  {
    name: 'preallocate',
    type: ConfigType.BOOLEAN,
    defaultValue: 'false',
    brokerSynonym: 'log.preallocate',
    doc: `Whether segment files are preallocated on disk. ${STORED}`,
  },
  {
    name: 'remote.log.copy.disable',
    type: ConfigType.BOOLEAN,
    defaultValue: 'false',
    doc: `Stops copying segments to tiered storage. ${STORED}`,
  },
  {
    name: 'remote.log.delete.on.disable',
    type: ConfigType.BOOLEAN,
    defaultValue: 'false',
    doc: `Whether disabling tiered storage deletes the remote copy. ${STORED}`,
  },
  {
    name: 'remote.storage.enable',
    type: ConfigType.BOOLEAN,
    defaultValue: 'false',
    doc: 'Tiered storage for this topic. Not available on the gateway; only false is accepted.',
  },
  {
    name: 'retention.bytes',
    type: ConfigType.LONG,
    defaultValue: '-1',
    brokerSynonym: 'log.retention.bytes',
    doc:
      'Size limit per partition, in bytes; -1 means none. When cleanup.policy includes delete, the gateway ' +
      'drops whole batches from the start of a partition while it stays above the limit without them.',
  },
  {
    name: 'retention.ms',
    type: ConfigType.LONG,
    defaultValue: '604800000',
    validator: atLeast(-1),
    brokerSynonym: 'log.retention.ms',
    doc:
      'How long records are kept, in milliseconds; -1 means forever. When cleanup.policy includes delete, ' +
      'the gateway drops whole batches from the start of a partition once their newest timestamp is older, ' +
      'advancing the log start offset, within log.retention.check.interval.ms.',
  },
  {
    name: 'segment.bytes',
    type: ConfigType.INT,
    defaultValue: '1073741824',
    validator: atLeast(14),
    brokerSynonym: 'log.segment.bytes',
    doc:
      'Size at which a segment file is rolled; retention and compaction work on whole segments. ' +
      `The memory store drops whole batches instead. ${LOG_ONLY}`,
  },
  {
    name: 'segment.index.bytes',
    type: ConfigType.INT,
    defaultValue: '10485760',
    validator: atLeast(4),
    brokerSynonym: 'log.index.size.max.bytes',
    doc: `Size of a segment's offset index. ${STORED}`,
  },
  {
    name: 'segment.jitter.ms',
    type: ConfigType.LONG,
    defaultValue: '0',
    validator: atLeast(0),
    brokerSynonym: 'log.roll.jitter.ms',
    doc: `Random spread subtracted from segment.ms. ${STORED}`,
  },
  {
    name: 'segment.ms',
    type: ConfigType.LONG,
    defaultValue: '604800000',
    validator: atLeast(1),
    brokerSynonym: 'log.roll.ms',
    doc:
      "Time span of record timestamps after which a segment is rolled (counted from the segment's first " +
      `batch, as in Kafka). ${LOG_ONLY}`,
  },
  {
    name: 'unclean.leader.election.enable',
    type: ConfigType.BOOLEAN,
    defaultValue: 'false',
    brokerSynonym: 'unclean.leader.election.enable',
    doc: `Whether an out-of-sync replica may become leader. ${STORED} The gateway leads every partition.`,
  },
];

export const TOPIC_CONFIGS_BY_NAME: ReadonlyMap<string, TopicConfigDefinition> = new Map(
  TOPIC_CONFIGS.map((d) => [d.name, d]),
);

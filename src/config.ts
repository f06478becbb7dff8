import { DEFAULT_SECURITY, type SecurityConfig } from './security/config.js';
import type { GroupConfig } from './groups/config.js';
import type { TxnConfig } from './transactions/config.js';

export interface SeaweedMqConfig {
  /** Master addresses, host:port (the HTTP port; gRPC is port + 10000). */
  readonly masters: readonly string[];
  readonly filerGroup: string;
  /** SeaweedMQ namespace holding every Kafka topic. */
  readonly namespace: string;
  readonly requestTimeoutMs: number;
  readonly publishTimeoutMs: number;
}

/** The durable log store (src/storage/log/): where it keeps its files and its broker-wide defaults. */
export interface LogStoreConfig {
  readonly dataDir: string;
  /** log.flush.interval.messages: 1 fsyncs every append before it is acknowledged. */
  readonly flushIntervalMessages: bigint;
  /** log.flush.interval.ms: the longest appended data waits for an fsync (Long.MAX: no limit). */
  readonly flushIntervalMs: bigint;
  /** log.segment.bytes */
  readonly segmentBytes: number;
}

/** A gateway named as the group coordinator of every gateway on one SeaweedMQ namespace. */
export interface CoordinatorAddress {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
}

/** Everything the gateway needs to know at start; built from flags and environment in cli.ts. */
export interface GatewayConfig {
  readonly host: string;
  readonly port: number;
  /** Host and port put in Metadata; undefined means the address the client connected to. */
  readonly advertisedHost: string | undefined;
  readonly advertisedPort: number | undefined;
  readonly store: 'memory' | 'log' | 'seaweedmq';
  /** Where the log store keeps its data; used when store is 'log'. */
  readonly log: LogStoreConfig;
  /** Where the SeaweedMQ store finds its cluster; used when store is 'seaweedmq'. */
  readonly seaweedmq: SeaweedMqConfig;
  readonly defaultPartitions: number;
  readonly autoCreateTopics: boolean;
  readonly maxRequestBytes: number;
  readonly logLevel: string;
  readonly nodeId: number;
  readonly clusterId: string;
  /** Largest record batch accepted when a topic sets no max.message.bytes (Kafka's message.max.bytes). */
  readonly messageMaxBytes: number;
  /** Unsent response bytes above which a connection stops reading new requests. */
  readonly maxPendingResponseBytes: number;
  /**
   * Bytes of requests being received or waiting to be handled, across all connections, beyond which
   * no socket is read (Kafka's queued.max.request.bytes).
   */
  readonly queuedMaxRequestBytes: number;
  /** A request whose bytes stop arriving for this long closes its connection. */
  readonly requestReceiveTimeoutMs: number;
  /** A connection with no request for this long is closed (Kafka's connections.max.idle.ms). */
  readonly connectionsMaxIdleMs: number;
  /** A compressed batch's records may decompress to at most this many times max.message.bytes. */
  readonly maxDecompressedRatio: number;
  /** How often retention.ms / retention.bytes are applied to every partition (log.retention.check.interval.ms). */
  readonly retentionCheckIntervalMs: number;
  /** How long the log cleaner waits between passes over compacted topics (log.cleaner.backoff.ms). */
  readonly logCleanerBackoffMs: number;
  /** How often the idempotent-producer state of changed partitions is snapshotted to the store. */
  readonly producerSnapshotIntervalMs: number;
  /** Group coordinator settings that differ from Kafka's defaults. */
  readonly groups: Partial<GroupConfig>;
  /**
   * Set when several gateways share one store: every gateway sends clients to this one for consumer
   * groups, and one whose node id differs answers group requests NOT_COORDINATOR. Unset: each
   * gateway coordinates the groups its own clients use.
   */
  readonly groupCoordinator: CoordinatorAddress | undefined;
  /** Transaction coordinator settings that differ from Kafka's defaults. */
  readonly transactions: Partial<TxnConfig>;
  /**
   * Without --group-coordinator, on a store with locks (SeaweedMQ): consumer groups hash to `slots`
   * coordinator slots, each coordinated by the gateway holding its lease (src/coordination/).
   */
  readonly coordination: CoordinationConfig;
  /** The HTTP listener for /metrics, /healthz and /readyz; no port means none. */
  readonly metrics: MetricsListenerConfig;
  /** Client quotas are measured over `samples` windows of `windowMs` (quota.window.num / .size.seconds). */
  readonly quotaWindow: { readonly samples: number; readonly windowMs: number };
  /** Listeners, TLS, SASL and ACLs (src/security/). */
  readonly security: SecurityConfig;
}

export interface CoordinationConfig {
  /** Coordinator slots for consumer groups; every gateway on one namespace must use the same. */
  readonly slots: number;
  /** Lease of a slot: a dead gateway's groups move after about this long. */
  readonly leaseMs: number;
}

export interface MetricsListenerConfig {
  readonly port: number | undefined;
  readonly host: string;
}

export const DEFAULT_CONFIG: GatewayConfig = {
  host: '0.0.0.0',
  port: 9092,
  advertisedHost: undefined,
  advertisedPort: undefined,
  // Embedding and tests default to memory; the command line defaults to the log store (cli.ts).
  store: 'memory',
  log: {
    dataDir: 'kafka-gateway-data',
    flushIntervalMessages: 1n,
    flushIntervalMs: 2n ** 63n - 1n,
    segmentBytes: 1024 * 1024 * 1024,
  },
  seaweedmq: {
    masters: [],
    filerGroup: '',
    namespace: 'kafka',
    requestTimeoutMs: 10_000,
    publishTimeoutMs: 30_000,
  },
  defaultPartitions: 1,
  autoCreateTopics: true,
  maxRequestBytes: 100 * 1024 * 1024,
  logLevel: 'info',
  nodeId: 1,
  clusterId: 'kafka-gateway-cluster',
  messageMaxBytes: 1048588,
  maxPendingResponseBytes: 16 * 1024 * 1024,
  queuedMaxRequestBytes: 200 * 1024 * 1024,
  requestReceiveTimeoutMs: 30_000,
  connectionsMaxIdleMs: 600_000,
  maxDecompressedRatio: 64,
  retentionCheckIntervalMs: 30_000,
  producerSnapshotIntervalMs: 5_000,
  logCleanerBackoffMs: 15_000,
  groups: {},
  groupCoordinator: undefined,
  transactions: {},
  coordination: { slots: 16, leaseMs: 6_000 },
  metrics: { port: undefined, host: '0.0.0.0' },
  quotaWindow: { samples: 11, windowMs: 1000 },
  security: DEFAULT_SECURITY,
};

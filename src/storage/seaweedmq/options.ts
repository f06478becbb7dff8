import type { Logger } from 'pino';

/** What the gateway's SeaweedMQ flags (--masters, --filer-group, --namespace, timeouts) turn into. */
export interface SeaweedMqOptions {
  /** Master addresses (host:httpPort); their gRPC port is httpPort + 10000 unless given as host:http.grpc. */
  readonly masters: readonly string[];
  /** SeaweedFS filer group the brokers and filers were started with; '' for none. */
  readonly filerGroup?: string;
  /** SeaweedMQ namespace that holds every Kafka topic (`/topics/<namespace>/<topic>`). */
  readonly namespace?: string;
  /** Deadline of one unary gRPC call (topic admin, fetch, filer). */
  readonly requestTimeoutMs?: number;
  /** How long a published record may wait for its ack before the stream is declared broken. */
  readonly publishTimeoutMs?: number;
  /** How often brokers and filers are re-listed from the masters while connected. */
  readonly discoveryIntervalMs?: number;
  /**
   * How long a topic's metadata (existence, partitions, leaders, configs) read from the filer is reused.
   * Changes made through this gateway are seen at once; changes by others within this time.
   */
  readonly topicCacheMs?: number;
  /** How long a cached GetPartitionRangeInfo answer is served to offsets(). */
  readonly offsetsCacheMs?: number;
  /** How often a partition with waiting readers is polled for new records written by others. */
  readonly changePollMs?: number;
  /** Largest reconnect backoff after SeaweedMQ became unreachable. */
  readonly maxBackoffMs?: number;
  /**
   * How long calls wait after the connection to a broker that was lost is back: a restarted broker
   * must hold the balancer lock before it sees a topic request (src/storage/seaweedmq/broker-gate.ts).
   */
  readonly brokerSettleMs?: number;
  /** How often a partition with acks=-1 appends waiting is checked for their persistence in the filer. */
  readonly durablePollMs?: number;
  readonly logger?: Logger;
}

export interface ResolvedOptions {
  readonly masters: readonly string[];
  readonly filerGroup: string;
  readonly namespace: string;
  readonly requestTimeoutMs: number;
  readonly publishTimeoutMs: number;
  readonly discoveryIntervalMs: number;
  readonly topicCacheMs: number;
  readonly offsetsCacheMs: number;
  readonly changePollMs: number;
  readonly maxBackoffMs: number;
  readonly brokerSettleMs: number;
  readonly durablePollMs: number;
}

export function resolveOptions(o: SeaweedMqOptions): ResolvedOptions {
  if (o.masters.length === 0) throw new Error('SeaweedMQ storage needs at least one master address');
  return {
    masters: o.masters,
    filerGroup: o.filerGroup ?? '',
    namespace: o.namespace ?? 'kafka',
    requestTimeoutMs: o.requestTimeoutMs ?? 10_000,
    publishTimeoutMs: o.publishTimeoutMs ?? 30_000,
    discoveryIntervalMs: o.discoveryIntervalMs ?? 10_000,
    topicCacheMs: o.topicCacheMs ?? 1_000,
    offsetsCacheMs: o.offsetsCacheMs ?? 200,
    changePollMs: o.changePollMs ?? 100,
    maxBackoffMs: o.maxBackoffMs ?? 10_000,
    brokerSettleMs: o.brokerSettleMs ?? 3_000,
    durablePollMs: o.durablePollMs ?? 100,
  };
}

/** gRPC address of a SeaweedFS server from the address it registers (host:port or host:port.grpcPort). */
export function grpcAddress(address: string): string {
  const colon = address.lastIndexOf(':');
  if (colon < 0) throw new Error(`bad SeaweedFS address '${address}'`);
  const host = address.slice(0, colon);
  const ports = address.slice(colon + 1);
  const dot = ports.indexOf('.');
  if (dot >= 0) return `${host}:${ports.slice(dot + 1)}`;
  return `${host}:${Number(ports) + 10000}`;
}

/** HTTP address of a SeaweedFS server from the address it registers (host:port or host:port.grpcPort). */
export function httpAddress(address: string): string {
  const colon = address.lastIndexOf(':');
  const dot = address.indexOf('.', colon);
  return dot < 0 ? address : address.slice(0, dot);
}

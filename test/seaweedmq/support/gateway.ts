/**
 * Gateways started in this process in front of the suite's SeaweedFS, and the kafkajs plumbing the
 * gateway-*.test.ts files share: clients, bounded waits, and consuming through a group into records
 * that compare exactly (null versus empty, headers, timestamps, offsets).
 */
import { Kafka, logLevel, type Consumer, type IHeaders, type KafkaMessage } from 'kafkajs';
import { DEFAULT_CONFIG, type GatewayConfig } from '../../../src/config.js';
import { startGateway as startInProcess } from '../../../src/gateway.js';
import { silentLogger } from '../../../src/log.js';
import type { Services } from '../../../src/services.js';
import type { Storage } from '../../../src/storage/storage.js';
import { cluster, connectedStorage, uniqueNamespace } from './storage.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

export interface SeaweedGateway {
  readonly bootstrap: string;
  readonly port: number;
  readonly namespace: string;
  readonly storage: Storage;
  readonly services: Services;
  /** Stops the gateway and closes its storage. */
  stop(): Promise<void>;
}

export interface SeaweedGatewayOptions {
  /** SeaweedMQ namespace; gateways given the same one share topics and committed offsets. */
  namespace?: string;
  /**
   * 'config': the gateway builds its own store from `store: 'seaweedmq'` and the masters, as the CLI
   * does. 'storage' (default): a SeaweedMqStorage connected beforehand is handed in.
   */
  via?: 'config' | 'storage';
  config?: Partial<GatewayConfig>;
}

/** A gateway on a free loopback port whose store is SeaweedMQ. Topics are not auto-created. */
export async function startSeaweedGateway(o: SeaweedGatewayOptions = {}): Promise<SeaweedGateway> {
  const namespace = o.namespace ?? uniqueNamespace('gw');
  const config: GatewayConfig = {
    ...DEFAULT_CONFIG,
    host: '127.0.0.1',
    port: 0,
    autoCreateTopics: false,
    store: 'seaweedmq',
    seaweedmq: { ...DEFAULT_CONFIG.seaweedmq, masters: [cluster().masters], namespace },
    // A gateway that follows another on a namespace waits one lease before coordinating the groups
    // the other held (src/coordination/slot-manager.ts); short leases keep such tests short.
    coordination: { ...DEFAULT_CONFIG.coordination, leaseMs: 2_000 },
    ...o.config,
  };
  const given = o.via === 'config' ? undefined : await connectedStorage({ namespace });
  let gateway;
  try {
    gateway = await startInProcess(config, silentLogger, given);
  } catch (err) {
    await given?.close();
    throw err;
  }
  const port = gateway.address.port;
  return {
    bootstrap: `127.0.0.1:${port}`,
    port,
    namespace,
    storage: gateway.services.storage,
    services: gateway.services,
    stop: () => gateway.stop(),
  };
}

export function kafkaClient(bootstrap: string, clientId: string): Kafka {
  return new Kafka({
    brokers: [bootstrap],
    clientId,
    logLevel: logLevel.NOTHING,
    // Partitions of a new SeaweedMQ topic take a moment to load (LEADER_NOT_AVAILABLE meanwhile).
    retry: { retries: 10, initialRetryTime: 200, maxRetryTime: 3000 },
  });
}

/** Polls check until it holds; throws after timeoutMs, with describe() saying what was seen last. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 60_000,
  describe: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      const seen = describe();
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${seen ? `: ${seen}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A record as a kafkajs consumer saw it, with bytes kept as bytes so null and empty differ. */
export interface SeenRecord {
  partition: number;
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | null>;
}

export function fromKafkaJs(partition: number, m: KafkaMessage): SeenRecord {
  return {
    partition,
    offset: Number(m.offset),
    timestamp: Number(m.timestamp),
    key: m.key,
    value: m.value,
    headers: normalizeHeaders(m.headers),
  };
}

function normalizeHeaders(headers: IHeaders | undefined): Record<string, Buffer | null> {
  const out: Record<string, Buffer | null> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (Array.isArray(v)) throw new Error(`header ${k} repeated; the tests send each name once`);
    out[k] = v === undefined || v === null ? null : Buffer.isBuffer(v) ? v : Buffer.from(v);
  }
  return out;
}

export function byPosition(records: readonly SeenRecord[]): SeenRecord[] {
  return [...records].sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

/** "p@o" of each record, for comparing which positions were delivered. */
export function positions(records: readonly SeenRecord[]): string[] {
  return byPosition(records).map((r) => `${r.partition}@${r.offset}`);
}

export interface GroupReader {
  readonly consumer: Consumer;
  /** Every record delivered so far, in delivery order. */
  readonly seen: SeenRecord[];
  /** Waits until at least `count` records were delivered (bounded). */
  waitCount(count: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface GroupReaderOptions {
  groupId: string;
  topic: string;
  fromBeginning?: boolean;
  /** false: nothing is committed unless the test calls consumer.commitOffsets. */
  autoCommit?: boolean;
}

/** Starts a kafkajs group consumer that records what it is handed. */
export async function readGroup(kafka: Kafka, o: GroupReaderOptions): Promise<GroupReader> {
  const consumer = kafka.consumer({
    groupId: o.groupId,
    sessionTimeout: 10_000,
    heartbeatInterval: 500,
    maxWaitTimeInMs: 250,
    retry: { retries: 10 },
  });
  const seen: SeenRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: o.topic, fromBeginning: o.fromBeginning ?? true });
    await consumer.run({
      autoCommit: o.autoCommit ?? true,
      eachMessage: async ({ partition, message }) => {
        seen.push(fromKafkaJs(partition, message));
      },
    });
  } catch (err) {
    await consumer.disconnect();
    throw err;
  }
  return {
    consumer,
    seen,
    waitCount: (count, timeoutMs = 60_000) =>
      waitFor(
        `${count} records from ${o.topic} in group ${o.groupId}`,
        () => seen.length >= count,
        timeoutMs,
        () => `${seen.length} so far: ${positions(seen).join(' ')}`,
      ),
    stop: () => consumer.disconnect(),
  };
}

/** Committed offsets of a group for one topic, by partition ('-1' when none), through the admin API. */
export async function committed(kafka: Kafka, groupId: string, topic: string): Promise<Map<number, string>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [res] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map((res?.partitions ?? []).map((p) => [p.partition, p.offset]));
  } finally {
    await admin.disconnect();
  }
}

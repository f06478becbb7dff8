/**
 * Topic administration. SeaweedMQ keeps a topic as the filer directory /topics/<namespace>/<topic>/
 * holding topic.conf (written by ConfigureTopic) and one folder per partition generation. We add one
 * file beside topic.conf, kafka-gateway.json, with what SeaweedMQ has no place for: the Kafka topic
 * id, topic configs and the logical log start of each partition (DeleteRecords). Deleting the folder
 * deletes all of it; no DeleteTopic RPC exists.
 */
import { createHash, randomBytes } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { ErrorCode, KafkaError } from '../../protocol/error-codes.js';
import type { TopicConfigs } from '../storage.js';
import type { Discovery } from './discovery.js';
import { ENVELOPE_RECORD_TYPE } from './envelope.js';
import { isServiceError, toKafkaError } from './errors.js';
import type { Filer } from './filer.js';
import { MessagingClient, type PbAssignment, type PbEntry } from './proto.js';
import { routesFromConf, toRoutes, type PartitionRoute } from './routes.js';
import { unary, type ClientPool } from './rpc.js';

export const META_FILE = 'kafka-gateway.json';
export const CONF_FILE = 'topic.conf';
/** SeaweedMQ's partition ring (pub_balancer.MaxPartitionCount): no topic can have more partitions. */
export const MAX_PARTITIONS = 2520;

export interface TopicMeta {
  id: string;
  configs: TopicConfigs;
  /** Logical log start per partition, set by DeleteRecords (SeaweedMQ cannot truncate a partition). */
  logStart?: Record<string, string>;
}

export interface TopicState {
  readonly name: string;
  readonly meta: TopicMeta;
  readonly partitions: number;
  readonly routes: PartitionRoute[];
}

const VALID_NAME = /^[a-zA-Z0-9._-]{1,249}$/;
const CONFIGURE_RETRY_MS = 250;

export class Topics {
  constructor(
    private readonly discovery: Discovery,
    private readonly pool: ClientPool,
    private readonly filer: Filer,
    private readonly namespace: string,
    private readonly timeoutMs: number,
  ) {}

  dir(name: string): string {
    return `/topics/${this.namespace}/${name}`;
  }

  async get(name: string): Promise<TopicState | undefined> {
    if (!VALID_NAME.test(name) || name === '.' || name === '..') return undefined;
    const entries = await this.filer.list(this.dir(name));
    return this.fromEntries(name, entries);
  }

  async require(name: string): Promise<TopicState> {
    const t = await this.get(name);
    if (t === undefined)
      throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown topic '${name}'`);
    return t;
  }

  async list(): Promise<TopicState[]> {
    const dirs = (await this.filer.list(`/topics/${this.namespace}`)).filter((e) => e.is_directory);
    const out: TopicState[] = [];
    // A handful of topic folders at a time: enough to be quick, few enough not to flood the filer.
    for (let i = 0; i < dirs.length; i += 16) {
      const chunk = await Promise.all(dirs.slice(i, i + 16).map((d) => this.get(d.name)));
      for (const t of chunk) if (t !== undefined) out.push(t);
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  async create(name: string, partitions: number, configs: TopicConfigs): Promise<TopicState> {
    if (!VALID_NAME.test(name) || name === '.' || name === '..') {
      throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, `invalid topic name '${name}'`);
    }
    checkCount(partitions);
    const existing = await this.filer.list(this.dir(name));
    if (existing.some((e) => e.name === CONF_FILE && !e.is_directory)) {
      throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `topic '${name}' already exists`);
    }
    // Leftovers of a deleted topic (a broker flush that came after the delete): the broker would take
    // the newest version folder in there for the new topic's data and offsets.
    if (existing.length > 0) await this.filer.remove(this.dir(name));
    const meta: TopicMeta = { id: randomBytes(16).toString('hex'), configs: { ...configs } };
    // The metadata goes first: once topic.conf exists the topic is visible and must have its id.
    await this.writeMeta(name, meta);
    const routes = toRoutes(await this.configure(name, partitions));
    return { name, meta, partitions: routes.length, routes };
  }

  /** Reconfigures the partition count: SeaweedMQ allocates a whole new partition generation. */
  async repartition(name: string, partitions: number): Promise<number> {
    checkCount(partitions);
    return (await this.configure(name, partitions)).length;
  }

  /**
   * Asks a broker to look the topic up: the balancer then moves partitions whose leader is gone to a
   * live broker and saves that in topic.conf, which the next read of the topic picks up.
   */
  async repair(name: string): Promise<void> {
    try {
      await unary(
        this.pool.get(MessagingClient, this.discovery.anyBroker()),
        'LookupTopicBrokers',
        { topic: { namespace: this.namespace, name } },
        this.timeoutMs,
      );
    } catch {
      // Only a nudge: the caller reports its own error and the client retries.
    }
  }

  async writeMeta(name: string, meta: TopicMeta): Promise<void> {
    await this.filer.write(`${this.dir(name)}/${META_FILE}`, Buffer.from(JSON.stringify(meta)));
  }

  async remove(name: string): Promise<void> {
    await this.filer.remove(this.dir(name));
  }

  /**
   * ConfigureTopic, retried within the request timeout while the cluster is settling: right after a
   * broker (re)start it answers "no broker available" until it has registered with the balancer, and
   * the broker gate holds calls meanwhile. Kafka clients do not retry a topic creation error.
   */
  private async configure(name: string, partitions: number): Promise<PbAssignment[]> {
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      try {
        const res = await unary<{ broker_partition_assignments: PbAssignment[] }>(
          this.pool.get(MessagingClient, this.discovery.anyBroker()),
          'ConfigureTopic',
          {
            topic: { namespace: this.namespace, name },
            partition_count: partitions,
            message_record_type: ENVELOPE_RECORD_TYPE,
          },
          Math.max(1, deadline - Date.now()),
        );
        return res.broker_partition_assignments;
      } catch (err) {
        const settling =
          (err instanceof KafkaError && err.code === ErrorCode.LEADER_NOT_AVAILABLE) ||
          (isServiceError(err) && err.code === status.UNAVAILABLE);
        if (!settling || Date.now() + CONFIGURE_RETRY_MS >= deadline) {
          throw toKafkaError(err, `configure topic ${name}`);
        }
        await new Promise((r) => setTimeout(r, CONFIGURE_RETRY_MS));
      }
    }
  }

  private fromEntries(name: string, entries: PbEntry[]): TopicState | undefined {
    const conf = entries.find((e) => e.name === CONF_FILE && !e.is_directory);
    if (conf === undefined) return undefined;
    const metaEntry = entries.find((e) => e.name === META_FILE && !e.is_directory);
    let meta: TopicMeta | undefined;
    if (metaEntry !== undefined && metaEntry.content.length > 0) {
      try {
        meta = JSON.parse(metaEntry.content.toString('utf8')) as TopicMeta;
      } catch {
        meta = undefined;
      }
    }
    // A topic made by another SeaweedMQ client has no metadata: derive an id every gateway agrees on.
    meta ??= { id: derivedId(this.namespace, name, String(conf.attributes?.crtime ?? '0')), configs: {} };
    const routes = routesFromConf(conf.content) ?? [];
    return { name, meta, partitions: routes.length, routes };
  }
}

function derivedId(namespace: string, name: string, crtime: string): string {
  return createHash('sha256').update(`${namespace}/${name}/${crtime}`).digest('hex').slice(0, 32);
}

function checkCount(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_PARTITIONS) {
    throw new KafkaError(
      ErrorCode.INVALID_PARTITIONS,
      `invalid partition count ${n} (SeaweedMQ allows 1..${MAX_PARTITIONS})`,
    );
  }
}

import { randomBytes } from 'node:crypto';
import kafkajs, {
  Kafka,
  logLevel,
  type CompressionTypes as CompressionType,
  type IHeaders,
  type Message,
} from 'kafkajs';
import { compress, decompress } from '../../../src/protocol/records/compression.js';
import type {
  Ack,
  Codec,
  Driver,
  GroupDescription,
  Isolation,
  MetadataResult,
  ProduceOptions,
  ReadRecord,
  TxnProduceOptions,
  TxnTransformOptions,
} from '../types.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
// kafkajs is CommonJS and Node cannot see these two as named exports (they follow a spread).
const { CompressionCodecs, CompressionTypes } = kafkajs;

/**
 * kafkajs ships gzip only; applications add the other codecs as plugins. These plugins wrap the same
 * codec libraries the gateway depends on (snappy, lz4-napi, zstd-wasm) with Kafka's framing, so the
 * bytes on the wire are what any Kafka client writes (the reference-Kafka run is the check on that).
 */
function registerCodecs(): void {
  const plugin = (id: number) => () => ({
    compress: async (encoder: { buffer: Buffer }) => compress(id, encoder.buffer),
    decompress: async (buffer: Buffer) => decompress(id, buffer),
  });
  CompressionCodecs[CompressionTypes.Snappy] = plugin(2);
  CompressionCodecs[CompressionTypes.LZ4] = plugin(3);
  CompressionCodecs[CompressionTypes.ZSTD] = plugin(4);
}

const TYPES: Record<Codec, CompressionType> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
};

function kafka(bootstrap: string): Kafka {
  return new Kafka({ brokers: [bootstrap], clientId: 'compat-kafkajs', logLevel: logLevel.NOTHING });
}

async function withAdmin<T>(bootstrap: string, f: (a: ReturnType<Kafka['admin']>) => Promise<T>): Promise<T> {
  const admin = kafka(bootstrap).admin();
  await admin.connect();
  try {
    return await f(admin);
  } finally {
    await admin.disconnect();
  }
}

function headersOf(list: ReadonlyArray<[string, Buffer | null]>): IHeaders {
  const h: IHeaders = {};
  for (const [k, v] of list) {
    if (v === null) throw new Error('kafkajs cannot send a null header value');
    const prev = h[k];
    h[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return h;
}

function headersFrom(h: IHeaders | undefined): Array<[string, Buffer | null]> {
  const out: Array<[string, Buffer | null]> = [];
  for (const [k, v] of Object.entries(h ?? {})) {
    for (const one of Array.isArray(v) ? v : [v]) {
      out.push([k, one === undefined ? null : Buffer.isBuffer(one) ? one : Buffer.from(one)]);
    }
  }
  return out;
}

interface Delivered {
  partition: number;
  message: {
    offset: string;
    timestamp: string;
    key: Buffer | null;
    value: Buffer | null;
    headers?: IHeaders;
  };
}

function toRecord(d: Delivered): ReadRecord {
  return {
    partition: d.partition,
    offset: Number(d.message.offset),
    timestamp: Number(d.message.timestamp),
    key: d.message.key,
    value: d.message.value,
    headers: headersFrom(d.message.headers),
  };
}

/**
 * Reads through a consumer group (kafkajs has no group-less consumer) until `want` records arrived.
 * With commit, each record taken is committed at once (offset + 1) and later deliveries are ignored.
 */
async function readWithGroup(
  bootstrap: string,
  topic: string,
  group: string,
  want: number,
  commit: boolean,
  isolation?: Isolation,
): Promise<ReadRecord[]> {
  const consumer = kafka(bootstrap).consumer({
    groupId: group,
    ...(isolation ? { readUncommitted: isolation === 'read_uncommitted' } : {}),
    maxBytesPerPartition: 16 << 20,
    maxBytes: 64 << 20,
    retry: { retries: 3 },
  });
  const out: ReadRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`kafkajs: ${out.length} of ${want} records`)), 180_000);
      consumer.on(consumer.events.CRASH, (e) => {
        clearTimeout(timer);
        reject(new Error(`kafkajs consumer crashed: ${String((e.payload as { error?: unknown }).error)}`));
      });
      if (want === 0) resolve();
      consumer
        .run({
          autoCommit: false,
          eachMessage: async (d) => {
            if (out.length >= want) return;
            out.push(toRecord(d));
            if (commit) {
              const next = (BigInt(d.message.offset) + 1n).toString();
              await consumer.commitOffsets([{ topic, partition: d.partition, offset: next }]);
            }
            if (out.length === want) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return out;
}

function message(r: ProduceOptions['records'][number]): Message {
  return {
    partition: r.partition,
    key: r.key,
    value: r.value,
    headers: headersOf(r.headers),
    ...(r.timestamp >= 0 ? { timestamp: String(r.timestamp) } : {}),
  };
}

/** kafkajs answers a send with each partition's base offset; records follow in send order. */
function positions(
  records: ProduceOptions['records'],
  result: Array<{ partition: number; baseOffset?: string }>,
): Ack[] {
  const base = new Map(result.map((r) => [r.partition, Number(r.baseOffset)]));
  const seen = new Map<number, number>();
  return records.map((r) => {
    const n = seen.get(r.partition) ?? 0;
    seen.set(r.partition, n + 1);
    const b = base.get(r.partition);
    return { partition: r.partition, offset: b === undefined || Number.isNaN(b) ? -1 : b + n };
  });
}

export class KafkajsDriver implements Driver {
  constructor() {
    registerCodecs();
  }

  metadata(bootstrap: string): Promise<MetadataResult> {
    return withAdmin(bootstrap, async (a) => {
      const cluster = await a.describeCluster();
      const md = await a.fetchTopicMetadata();
      return {
        brokers: cluster.brokers.map((b) => ({ id: b.nodeId, host: b.host, port: b.port })),
        topics: Object.fromEntries(md.topics.map((t) => [t.name, t.partitions.length])),
      };
    });
  }

  createTopic(
    bootstrap: string,
    topic: string,
    partitions: number,
    configs: Record<string, string>,
  ): Promise<void> {
    return withAdmin(bootstrap, async (a) => {
      const configEntries = Object.entries(configs).map(([name, value]) => ({ name, value }));
      const created = await a.createTopics({ topics: [{ topic, numPartitions: partitions, configEntries }] });
      if (!created) throw new Error(`kafkajs createTopics(${topic}) returned false (topic exists?)`);
    });
  }

  deleteTopic(bootstrap: string, topic: string): Promise<void> {
    return withAdmin(bootstrap, (a) => a.deleteTopics({ topics: [topic] }));
  }

  async produce(o: ProduceOptions): Promise<Ack[]> {
    const producer = kafka(o.bootstrap).producer({
      idempotent: o.idempotent,
      maxInFlightRequests: o.idempotent ? 1 : undefined,
      allowAutoTopicCreation: false,
    });
    await producer.connect();
    try {
      const messages: Message[] = o.records.map((r) => ({
        partition: r.partition,
        key: r.key,
        value: r.value,
        headers: headersOf(r.headers),
        ...(r.timestamp >= 0 ? { timestamp: String(r.timestamp) } : {}),
      }));
      const result = await producer.send({ topic: o.topic, messages, acks: -1, compression: TYPES[o.codec] });
      // kafkajs answers with each partition's base offset; records follow in send order.
      const base = new Map(result.map((r) => [r.partition, Number(r.baseOffset)]));
      const seen = new Map<number, number>();
      return o.records.map((r) => {
        const n = seen.get(r.partition) ?? 0;
        seen.set(r.partition, n + 1);
        const b = base.get(r.partition);
        return { partition: r.partition, offset: b === undefined ? -1 : b + n };
      });
    } finally {
      await producer.disconnect();
    }
  }

  consume(
    bootstrap: string,
    topic: string,
    _partitions: number,
    expect: number,
    isolation?: Isolation,
  ): Promise<ReadRecord[]> {
    return readWithGroup(
      bootstrap,
      topic,
      `compat-kafkajs-read-${randomBytes(4).toString('hex')}`,
      expect,
      false,
      isolation,
    );
  }

  async txnProduce(o: TxnProduceOptions): Promise<Ack[]> {
    const producer = kafka(o.bootstrap).producer({
      transactionalId: o.transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    await producer.connect();
    const acks: Ack[] = [];
    try {
      let at = 0;
      for (const t of o.plan) {
        const records = o.records.slice(at, at + t.count);
        at += t.count;
        const txn = await producer.transaction();
        try {
          const result = await txn.send({ topic: o.topic, acks: -1, messages: records.map(message) });
          acks.push(...positions(records, result));
        } catch (e) {
          await txn.abort();
          throw e;
        }
        if (t.outcome === 'commit') await txn.commit();
        else await txn.abort();
      }
    } finally {
      await producer.disconnect();
    }
    return acks;
  }

  /**
   * A group member reads `max` records; one transaction sends the transformed records and the
   * consumed offsets (sendOffsets), then commits or aborts.
   */
  async txnTransform(o: TxnTransformOptions): Promise<ReadRecord[]> {
    const k = kafka(o.bootstrap);
    const consumer = k.consumer({ groupId: o.group, readUncommitted: false, retry: { retries: 3 } });
    const producer = k.producer({
      transactionalId: o.transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    const read: ReadRecord[] = [];
    await consumer.connect();
    await producer.connect();
    try {
      await consumer.subscribe({ topics: [o.inputTopic], fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`kafkajs: ${read.length} of ${o.max} records`)),
          180_000,
        );
        consumer.on(consumer.events.CRASH, (e) => {
          clearTimeout(timer);
          reject(new Error(`kafkajs consumer crashed: ${String((e.payload as { error?: unknown }).error)}`));
        });
        consumer
          .run({
            autoCommit: false,
            eachMessage: async (d) => {
              if (read.length >= o.max) return;
              read.push(toRecord(d));
              if (read.length === o.max) {
                clearTimeout(timer);
                resolve();
              }
            },
          })
          .catch(reject);
      });
      await consumer.stop();
      const txn = await producer.transaction();
      const next = new Map<number, number>();
      for (const r of read) next.set(r.partition, Math.max(next.get(r.partition) ?? 0, r.offset + 1));
      await txn.send({
        topic: o.outputTopic,
        acks: -1,
        messages: read.map((r) => ({
          partition: r.partition,
          key: r.key,
          value: Buffer.concat([Buffer.from(`${o.tag}:`), r.value ?? Buffer.alloc(0)]),
        })),
      });
      await txn.sendOffsets({
        consumerGroupId: o.group,
        topics: [
          {
            topic: o.inputTopic,
            partitions: [...next].map(([partition, offset]) => ({ partition, offset: String(offset) })),
          },
        ],
      });
      if (o.outcome === 'commit') await txn.commit();
      else await txn.abort();
    } finally {
      await producer.disconnect();
      await consumer.disconnect();
    }
    return read;
  }

  groupConsume(bootstrap: string, topic: string, group: string, max: number): Promise<ReadRecord[]> {
    return readWithGroup(bootstrap, topic, group, max, true);
  }

  describeGroup(bootstrap: string, topic: string, group: string): Promise<GroupDescription> {
    return withAdmin(bootstrap, async (a) => {
      const { groups } = await a.describeGroups([group]);
      const g = groups[0];
      if (!g) throw new Error('describeGroups returned nothing');
      const committed = await a.fetchOffsets({ groupId: group, topics: [topic] });
      const ends = new Map((await a.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
      const offsets: Record<string, number> = {};
      const lag: Record<string, number> = {};
      for (const p of committed[0]?.partitions ?? []) {
        const c = Number(p.offset);
        offsets[String(p.partition)] = c;
        lag[String(p.partition)] = (ends.get(p.partition) ?? 0) - Math.max(c, 0);
      }
      return { state: g.state, members: g.members.length, offsets, lag };
    });
  }
}

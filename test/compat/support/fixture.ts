import { Kafka, logLevel, type Admin } from 'kafkajs';
import { decodeRecords } from '../../../src/protocol/records/decode.js';
import type { RecordBatch } from '../../../src/protocol/records/batch.js';
import type { ReadRecord } from '../types.js';
import { fetchBatches } from './wire.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

/**
 * The runner's own client for what a scenario needs around the client under test: topics for
 * clients without an admin API, extra records for the group scenario, end offsets, topic listings,
 * and raw batches (through support/wire.ts) to see producer ids and sequences.
 */
export class Fixture {
  private constructor(
    readonly bootstrap: string,
    private readonly host: string,
    private readonly port: number,
    private readonly kafka: Kafka,
    private readonly admin: Admin,
  ) {}

  static async open(host: string, port: number): Promise<Fixture> {
    const bootstrap = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    const kafka = new Kafka({ brokers: [bootstrap], clientId: 'compat-fixture', logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    return new Fixture(bootstrap, host, port, kafka, admin);
  }

  async createTopic(topic: string, partitions: number, configs: Record<string, string> = {}): Promise<void> {
    const configEntries = Object.entries(configs).map(([name, value]) => ({ name, value }));
    try {
      // kafkajs's own waitForLeaders gives up on the UNKNOWN_TOPIC_OR_PARTITION a busy Kafka answers
      // while the new topic's metadata propagates; wait for the leaders here instead (bounded).
      await this.admin.createTopics({
        topics: [{ topic, numPartitions: partitions, configEntries }],
        waitForLeaders: false,
      });
    } catch (e) {
      throw new Error(
        `runner's admin (kafkajs) creating ${topic}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    const ready = await eventually(async () => {
      try {
        const md = await this.admin.fetchTopicMetadata({ topics: [topic] });
        const listed = md.topics[0]?.partitions ?? [];
        return listed.length === partitions && listed.every((p) => p.leader >= 0);
      } catch {
        return false;
      }
    }, 30_000);
    if (!ready)
      throw new Error(
        `runner's admin (kafkajs) created ${topic}, but its ${partitions} leaders never showed`,
      );
  }

  async deleteTopics(topics: string[]): Promise<void> {
    const existing = new Set(await this.admin.listTopics());
    const gone = topics.filter((t) => existing.has(t));
    if (gone.length > 0) await this.admin.deleteTopics({ topics: gone });
  }

  async listTopics(): Promise<string[]> {
    return this.admin.listTopics();
  }

  /** Partition count in metadata, or 0 when the topic is not listed. */
  async partitionCount(topic: string): Promise<number> {
    if (!(await this.admin.listTopics()).includes(topic)) return 0;
    const md = await this.admin.fetchTopicMetadata({ topics: [topic] });
    return md.topics[0]?.partitions.length ?? 0;
  }

  /** High watermark of each partition, indexed by partition number. */
  async endOffsets(topic: string): Promise<number[]> {
    const out: number[] = [];
    for (const p of await this.admin.fetchTopicOffsets(topic)) out[p.partition] = Number(p.high);
    return out;
  }

  async produce(
    topic: string,
    messages: Array<{ partition: number; key: string; value: string }>,
  ): Promise<void> {
    // A fresh producer each time: a kafkajs producer refreshes metadata for every topic it ever
    // wrote to, and fails once one of them (another client's finished topic) has been deleted.
    // Idempotent: kafkajs retries a whole request when one partition fails (a new topic's leader not
    // ready yet on Kafka), and without sequence numbers the partitions that succeeded would get
    // the records twice.
    const producer = this.kafka.producer({
      allowAutoTopicCreation: false,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    try {
      await producer.connect();
      await producer.send({ topic, acks: -1, messages });
    } catch (e) {
      throw new Error(
        `runner's producer (kafkajs) to ${topic}: ${e instanceof Error ? e.message : String(e)}`,
      );
    } finally {
      await producer.disconnect();
    }
  }

  /** The group's committed offset of each partition of `topic` (-1: none), indexed by partition. */
  async committedOffsets(group: string, topic: string): Promise<number[]> {
    const res = await this.admin.fetchOffsets({ groupId: group, topics: [topic] });
    const out: number[] = [];
    for (const p of res.find((t) => t.topic === topic)?.partitions ?? []) out[p.partition] = Number(p.offset);
    return out;
  }

  async batches(topic: string, partition: number): Promise<RecordBatch[]> {
    return fetchBatches(this.host, this.port, topic, partition);
  }

  /** Every record of a partition, decoded from the raw batches. */
  async records(topic: string, partitions: number): Promise<ReadRecord[]> {
    const out: ReadRecord[] = [];
    for (let p = 0; p < partitions; p++) {
      for (const b of await this.batches(topic, p)) {
        for (const r of decodeRecords(b)) {
          out.push({
            partition: p,
            offset: Number(r.offset),
            timestamp: Number(r.timestamp),
            key: r.key && Buffer.from(r.key),
            value: r.value && Buffer.from(r.value),
            headers: r.headers.map((h) => [h.key, h.value && Buffer.from(h.value)]),
          });
        }
      }
    }
    return out;
  }

  async close(): Promise<void> {
    await this.admin.disconnect();
  }
}

/** Polls `check` until it returns true or the bound passes; returns the last answer. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 250));
  }
}

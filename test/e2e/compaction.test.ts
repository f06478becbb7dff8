/**
 * Log compaction seen by real clients: kafkajs creates a compacted topic and writes keys over and
 * over and tombstones, the gateway's cleaner compacts the log store, and kafkajs and the Java client
 * read it back: the latest record of every key at the offset it was written at, tombstones included.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogCleaner } from '../../src/compaction/cleaner-service.js';
import { DEFAULT_CONFIG } from '../../src/config.js';
import { ConfigRegistry } from '../../src/configs/registry.js';
import { silentLogger } from '../../src/log.js';
import { LogStorage } from '../../src/storage/log/log-storage.js';
import { javaConsume, javaHarness } from '../support/clients/java.js';
import { startGateway, type RunningGateway } from '../support/gateway.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
const java = await javaHarness();
const TOPIC = 'compacted-e2e';
const KEYS = 20;
const ROUNDS = 8;
const TOMBSTONED = 5;

interface Written {
  readonly offset: number;
  readonly key: string;
  readonly value: string | null;
}

describe('log compaction through real clients', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'e2e-compaction-'));
  let storage: LogStorage;
  let gateway: RunningGateway;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  const written: Written[] = [];

  beforeAll(async () => {
    storage = new LogStorage({ dataDir, logger: silentLogger });
    gateway = await startGateway({ storage });
    kafka = new Kafka({
      brokers: [gateway.bootstrap],
      clientId: 'e2e-compaction',
      logLevel: logLevel.NOTHING,
    });
    admin = kafka.admin();
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await admin.connect();
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await admin?.disconnect();
    await gateway?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function send(key: string, value: string | null): Promise<void> {
    const [result] = await producer.send({ topic: TOPIC, acks: -1, messages: [{ key, value }] });
    written.push({ offset: Number(result!.baseOffset), key, value });
  }

  it('creates a compacted topic with small segments and overwrites its keys', async () => {
    const created = await admin.createTopics({
      topics: [
        {
          topic: TOPIC,
          numPartitions: 1,
          configEntries: [
            { name: 'cleanup.policy', value: 'compact' },
            { name: 'segment.bytes', value: '2048' },
            { name: 'min.cleanable.dirty.ratio', value: '0.1' },
          ],
        },
      ],
    });
    expect(created).toBe(true);
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < KEYS; k++) await send(`k${k}`, `v${round}-${k}`);
    }
    for (let k = 0; k < TOMBSTONED; k++) await send(`k${k}`, null);
    // Later records of other keys, so the tombstones sit in segments the cleaner may rewrite.
    for (let i = 0; i < 60; i++) await send(`f${i}`, `filler-${i}`);
    expect(written.map((w) => w.offset)).toEqual(written.map((_, i) => i));
  });

  it("the gateway's cleaner compacts it without moving an offset", async () => {
    const cleaner = new LogCleaner(storage, new ConfigRegistry(DEFAULT_CONFIG), silentLogger, {
      backoffMs: 60_000,
    });
    const cleaned = await cleaner.runNow();
    expect(cleaned).toHaveLength(1);
    expect(cleaned[0]!.recordsKept).toBeLessThan(cleaned[0]!.recordsRead);
    expect(await storage.offsets(TOPIC, 0)).toEqual({
      logStartOffset: 0n,
      highWatermark: BigInt(written.length),
    });
    expect(await cleaner.runNow()).toEqual([]); // nothing dirty is left
  });

  /** What compaction must leave: the latest record of each key, and nothing that was not written. */
  function check(read: Written[]): void {
    const byOffset = new Map(written.map((w) => [w.offset, w]));
    for (const r of read) expect(byOffset.get(r.offset), `offset ${r.offset}`).toEqual(r);
    expect(new Set(read.map((r) => r.offset)).size).toBe(read.length);
    const latest = new Map(written.map((w) => [w.key, w]));
    for (const w of latest.values()) expect(read).toContainEqual(w);
    expect(read.length).toBeLessThan(written.length);
    // Keys last written long before the active segment appear once: their latest record, or tombstone.
    for (let k = 0; k < KEYS; k++) {
      expect(read.filter((r) => r.key === `k${k}`)).toEqual([latest.get(`k${k}`)]);
    }
    expect(read.filter((r) => r.value === null).map((r) => r.key)).toEqual(
      Array.from({ length: TOMBSTONED }, (_, k) => `k${k}`),
    );
  }

  it('kafkajs reads back the latest record of every key at its original offset', async () => {
    const consumer = kafka.consumer({ groupId: 'compaction-reader', maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    const read: Written[] = [];
    const last = written.length - 1;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`read ${read.length} records, never offset ${last}`)),
        60_000,
      );
      void consumer.run({
        eachMessage: async ({ message }) => {
          read.push({
            offset: Number(message.offset),
            key: message.key!.toString(),
            value: message.value === null ? null : message.value.toString(),
          });
          if (Number(message.offset) === last) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await consumer.disconnect();
    check(read);
  });

  it.skipIf(!java.ok)('the Java client reads back the same', async () => {
    if (!java.ok) return;
    const records = await javaConsume(java.client, { bootstrap: gateway.bootstrap, topic: TOPIC });
    check(
      records.map((r) => ({
        offset: r.offset,
        key: r.key!.toString(),
        value: r.value === null ? null : r.value.toString(),
      })),
    );
  });
});

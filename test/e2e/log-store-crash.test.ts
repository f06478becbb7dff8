/**
 * The log store through kill -9. A gateway child process on a data directory takes continuous
 * acks=all idempotent production from the Java producer and commits from a Java consumer group; it is
 * killed with SIGKILL at a random moment 20 times and started again on the same directory each time.
 *   - After every restart, the group's committed offsets are at least what was acknowledged to the
 *     committer before the kill.
 *   - At the end every acknowledged record is in the topic exactly once, at the offset it was
 *     acknowledged with, in the order it was sent; and no record is there twice, acknowledged or not
 *     (a batch retried after a restart is recognised by the restored producer state).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { javaConsume, javaHarness } from '../support/clients/java.js';
import { freePort, GatewayProcess, slowFsync } from '../support/gateway-process.js';
import {
  acknowledged,
  javaGroupTools,
  startJavaGroup,
  startSequenceProducer,
} from '../support/groups/java-groups.js';
import type { LineProcess } from '../support/groups/line-process.js';

const tools = await javaGroupTools();
const java = await javaHarness();
const KILLS = Number(process.env.LOG_CRASH_KILLS ?? 20);
const PARTITIONS = 3;
const TOPIC = 'crash-seq';
const GROUP = 'crash-group';
const WAIT = 120_000;

/** Per partition, the highest offset committed as far as the consumer was told, from its events. */
function ackedCommits(consumer: LineProcess, upTo: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const e of consumer.events.slice(0, upTo)) {
    if (e.ev !== 'commit') continue;
    for (const [p, o] of Object.entries(e.offs as Record<string, number>)) {
      out.set(Number(p), Math.max(out.get(Number(p)) ?? 0, o));
    }
  }
  return out;
}

async function committed(admin: Admin): Promise<Map<number, number>> {
  const [topic] = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
  return new Map(topic!.partitions.map((p) => [p.partition, Number(p.offset)]));
}

describe.skipIf(!tools.ok || !java.ok)('log store: kill -9 under acks=all idempotent production', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'log-crash-'));
  const running: { stop(): Promise<unknown> }[] = [];
  afterAll(async () => {
    for (const r of running.reverse()) await r.stop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    `loses and repeats nothing acknowledged through ${KILLS} SIGKILLs`,
    async () => {
      if (!tools.ok || !java.ok) return;
      const gateway = new GatewayProcess(
        await freePort(),
        [
          '--data-dir',
          dataDir,
          '--log-level',
          'warn',
          '--group-initial-rebalance-delay-ms',
          '0',
          '--producer-snapshot-interval-ms',
          '300',
        ],
        // Each sync takes a few ms more, as on a slow disk: a kill then often falls between a batch's
        // write and its acknowledgement, so the producer retries batches already stored.
        slowFsync(8),
      );
      await gateway.start();
      running.push(gateway);
      const kafka = new Kafka({
        brokers: [gateway.bootstrap],
        clientId: 'crash-check',
        logLevel: logLevel.NOTHING,
      });
      const setup = kafka.admin();
      await setup.connect();
      await setup.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] });
      await setup.disconnect();

      const producer = startSequenceProducer(tools.client, {
        bootstrap: gateway.bootstrap,
        topic: TOPIC,
        partitions: PARTITIONS,
        rate: Number(process.env.LOG_CRASH_RATE ?? 1500),
        durationMs: 600_000,
      });
      running.push(producer);
      const consumer = startJavaGroup(tools.client, {
        bootstrap: gateway.bootstrap,
        topic: TOPIC,
        group: GROUP,
        members: ['m1'],
        sessionTimeoutMs: 10_000,
        maxPollRecords: 100,
        maxRuntimeMs: 600_000,
        label: 'java group m1',
      });
      running.push(consumer);

      const acks = (): number => producer.events.filter((e) => e.ev === 'ack').length;
      const commits = (): number => consumer.events.filter((e) => e.ev === 'commit').length;
      for (let kill = 1; kill <= KILLS; kill++) {
        // A short burst of production and at least one new commit, then a random moment.
        const [a, c] = [acks(), commits()];
        await producer.waitUntil(`kill ${kill}: new acks`, () => acks() >= a + 300, WAIT);
        await consumer.waitUntil(`kill ${kill}: a new commit`, () => commits() > c, WAIT);
        await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 400)));
        const seen = consumer.events.length;
        await gateway.kill();
        const promised = ackedCommits(consumer, seen);
        await gateway.start();
        const admin = kafka.admin();
        await admin.connect();
        const now = await committed(admin);
        await admin.disconnect();
        for (const [p, offset] of promised) {
          expect(now.get(p), `kill ${kill}: committed offset of partition ${p}`).toBeGreaterThanOrEqual(
            offset,
          );
        }
      }

      await producer.stop(WAIT);
      const done = producer.events.find((e) => e.ev === 'done');
      const produced = acknowledged(producer.events);
      expect(done?.failed, producer.stderrTail()).toBe(0);
      expect(produced.length).toBe(done?.sent);
      await consumer.stop(WAIT);

      const records = await javaConsume(java.client, { bootstrap: gateway.bootstrap, topic: TOPIC });
      const stored = records.map((r) => ({ n: Number(r.value!.toString()), p: r.partition, o: r.offset }));
      // Nothing twice, acknowledged or not.
      const counts = new Map<number, number>();
      for (const r of stored) counts.set(r.n, (counts.get(r.n) ?? 0) + 1);
      expect([...counts].filter(([, c]) => c > 1).map(([n]) => n)).toEqual([]);
      // Every acknowledged record where it was acknowledged.
      const at = new Map(stored.map((r) => [`${r.p}@${r.o}`, r.n]));
      const missing = produced.filter((a) => at.get(`${a.p}@${a.o}`) !== a.n);
      expect(missing.slice(0, 10)).toEqual([]);
      // In the order sent, in each partition.
      for (let p = 0; p < PARTITIONS; p++) {
        const ns = stored
          .filter((r) => r.p === p)
          .sort((x, y) => x.o - y.o)
          .map((r) => r.n);
        expect(ns).toEqual([...ns].sort((x, y) => x - y));
      }
      console.info(
        `[log-store-crash] ${KILLS} kills, ${produced.length} records acknowledged, ${stored.length} stored, ` +
          `${commits()} commits`,
      );
    },
    15 * 60_000,
  );
});

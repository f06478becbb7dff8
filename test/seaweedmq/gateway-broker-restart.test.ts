/**
 * A SeaweedMQ broker restart while a Kafka producer keeps producing through the gateway: the producer
 * must recover by itself (no new client, no operator) and every record it saw acknowledged must be
 * readable afterwards, each at one offset.
 */
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { beforeAll, describe, expect, it } from 'vitest';
import { restartBroker } from './support/cluster.js';
import { cluster, connectedStorage, uniqueNamespace } from './support/storage.js';
import { startGateway } from '../support/gateway.js';
import { readAll } from './support/kafka-read.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

const PARTITIONS = 2;

async function waitUntil(what: string, cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Sends batches until stopped; remembers which values were acknowledged and which sends failed. */
function produceContinuously(producer: Producer, topic: string) {
  const acked = new Set<string>();
  const failures: string[] = [];
  let stop = false;
  let n = 0;
  const done = (async () => {
    while (!stop) {
      const values = Array.from({ length: 20 }, () => `v${n++}`);
      try {
        await producer.send({
          topic,
          acks: -1,
          messages: values.map((value, i) => ({ key: `k${i % 7}`, value, partition: i % PARTITIONS })),
        });
        for (const v of values) acked.add(v);
      } catch (err) {
        failures.push(String(err));
      }
    }
  })();
  return {
    acked,
    failures,
    stop: async () => {
      stop = true;
      await done;
    },
  };
}

interface Outcome {
  readonly ackedBefore: number;
  readonly acked: Set<string>;
  readonly failedSends: number;
  readonly read: Awaited<ReturnType<typeof readAll>>;
}

/** One broker restart in the middle of production, shared by the checks below (a restart costs ~35 s). */
async function restartWhileProducing(): Promise<Outcome> {
  const namespace = uniqueNamespace('brk');
  const storage = await connectedStorage({ namespace });
  const gateway = await startGateway({ storage });
  const kafka = new Kafka({
    brokers: [gateway.bootstrap],
    clientId: 'broker-restart',
    logLevel: logLevel.NOTHING,
    // A restarted SeaweedMQ broker can take ~30 s to serve its partitions again (docs/seaweedmq.md).
    retry: { retries: 30, initialRetryTime: 200, maxRetryTime: 3000 },
  });
  const admin = kafka.admin();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  try {
    await admin.connect();
    const topic = 'restart-stream';
    await admin
      .createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true })
      .catch((err: { errors?: unknown }) => {
        throw new Error(`createTopics failed: ${JSON.stringify(err.errors ?? err)}`);
      });
    await producer.connect();
    const load = produceContinuously(producer, topic);
    await waitUntil('records before the restart', () => load.acked.size >= 2000, 60_000);
    await restartBroker(cluster());
    const ackedBefore = load.acked.size;
    await waitUntil(
      'records acknowledged after the restart',
      () => load.acked.size >= ackedBefore + 2000,
      120_000,
    );
    await load.stop();
    const read = await readAll(kafka, topic, PARTITIONS);
    return { ackedBefore, acked: load.acked, failedSends: load.failures.length, read };
  } finally {
    await producer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await gateway.stop();
  }
}

describe('broker restart during continuous production through the gateway', () => {
  let outcome: Outcome;
  beforeAll(async () => {
    outcome = await restartWhileProducing();
  }, 300_000);

  it('the same producer recovers by itself and consumers read the partitions to the end', () => {
    // produceContinuously never replaces its producer: these acks came after the broker was back.
    expect(outcome.acked.size).toBeGreaterThanOrEqual(outcome.ackedBefore + 2000);
    expect(outcome.read.values.size).toBeGreaterThan(0);
  });

  // SeaweedFS 4.44 acknowledges a record once it is in the broker's memory, flushes the log buffer at
  // most once a second, flushes nothing on SIGTERM and checkpoints its offset counter every 2 s, while
  // a first segment starting at offset 0 carries no offset attributes to recover from. Measured here:
  // of ~2,000 records acknowledged before the restart only those in the first flushed segment
  // survived, and the broker handed out offsets from 0 again, so records before and after the
  // restart share offsets (docs/seaweedmq.md, "SeaweedMQ behaviour worth knowing"). The gateway cannot
  // make the broker keep what it lost; when this starts passing, SeaweedFS fixed it: make it an `it`.
  it.fails('every acknowledged record is still there, each at its own offset', () => {
    const missing = [...outcome.acked].filter((v) => !outcome.read.values.has(v));
    expect(missing).toEqual([]);
    expect(outcome.read.duplicateOffsets).toEqual([]);
  });
});

/**
 * The protocol fuzzer: a gateway process gets generated requests for every API and version it
 * advertises (read from ApiVersions, so new handlers are covered without listing them here), the
 * same requests broken in many ways, lying frame sizes, the hostile record batches, and connections
 * that stall half-way through large frames. After each phase the process must be alive, a normal
 * kafkajs client must still produce and fetch, its resident memory must stay within RSS_BOUND, and
 * it must have logged no unexpected failure (an error-level line: a handler that threw).
 *
 * CI runs a bounded number of cases with a fixed seed; FUZZ_SEED and FUZZ_ROUNDS run others:
 *   FUZZ_SEED=12345 FUZZ_ROUNDS=20 npx vitest run test/fuzz
 */
import { connect } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  procStatusKiB,
  startGatewayProcess,
  type GatewayProcess,
} from '../../bench/gateway-process.js';
import { API_DEFINITIONS } from '../../src/protocol/generated/index.js';
import { advertisedApis, fetchBatches, WireConnection } from '../compat/support/wire.js';
import { requestFrame, withSize } from '../server/support/wire.js';
import { hostileCases } from '../support/hostile-batches.js';
import { FuzzConnection, type Outcome } from './connection.js';
import { mutate, Random, RequestGenerator } from './generate.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261205);
/** Generated cases per API version and phase. */
const ROUNDS = Number(process.env.FUZZ_ROUNDS ?? 6);
const MiB = 1024 * 1024;
const MAX_REQUEST = 16 * MiB;
const BUDGET = 64 * MiB;
/**
 * The stated memory bound of a gateway run with a 64 MiB request budget: its resident set never
 * exceeds this, even while twenty connections try to park 8 MiB each.
 */
const RSS_BOUND = 450 * MiB;
const CASE_TIMEOUT_MS = 15_000;

let gateway: GatewayProcess;
let host: string;
let port: number;
const rnd = new Random(SEED);
const topics = ['fuzz-a', 'fuzz-b'];
let served: [number, number, number][] = [];
let peakRss = 0;
/** Error-level log lines of the gateway: a handler failing unexpectedly (UNKNOWN_SERVER_ERROR). */
const failures: string[] = [];

function rss(): number {
  const kib = procStatusKiB(gateway.pid, 'VmRSS');
  if (kib === null) throw new Error('the gateway process is gone');
  peakRss = Math.max(peakRss, kib * 1024);
  return kib * 1024;
}

async function assertHealthy(phase: string): Promise<void> {
  expect(rss(), `RSS after ${phase}`).toBeLessThan(RSS_BOUND);
  expect(failures, `unexpected failures logged during ${phase}`).toEqual([]);
  const kafka = new Kafka({
    clientId: 'fuzz-check',
    brokers: [gateway.bootstrap],
    logLevel: logLevel.NOTHING,
  });
  const topic = `fuzz-check-${phase}`;
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic,
    messages: Array.from({ length: 5 }, (_, i) => ({ partition: 0, value: `${phase}-${i}` })),
  });
  await producer.disconnect();
  const values = (await fetchBatches(host, port, topic, 0)).flatMap((b) =>
    b.records().map((r) => r.value?.toString()),
  );
  expect(values).toEqual(Array.from({ length: 5 }, (_, i) => `${phase}-${i}`));
}

/** Runs cases on one connection, reopening it whenever the gateway closes it. */
async function runCases(
  cases: Iterable<Buffer>,
  unanswered: string[] = [],
  target = port,
): Promise<Record<Outcome, number>> {
  const counts: Record<Outcome, number> = { answered: 0, closed: 0, timeout: 0 };
  let conn = await FuzzConnection.open(host, target);
  for (const bytes of cases) {
    const outcome = await conn.send(bytes, CASE_TIMEOUT_MS);
    counts[outcome]++;
    // The first bytes of a case that got no answer, to replay it.
    if (outcome === 'timeout') unanswered.push(bytes.subarray(0, 64).toString('hex'));
    if (outcome !== 'answered') {
      conn.close();
      conn = await FuzzConnection.open(host, target);
    }
  }
  conn.close();
  return counts;
}

/** Encoded requests for every served API version; bodies the codec cannot encode are skipped. */
function* generated(gen: RequestGenerator, broken: boolean): Generator<Buffer> {
  for (const [apiKey, min, max] of served) {
    const def = API_DEFINITIONS.find((d) => d.apiKey === apiKey)!;
    for (let v = min; v <= max; v++) {
      for (let i = 0; i < ROUNDS; i++) {
        let frame: Buffer;
        try {
          frame = requestFrame(apiKey, v, gen.body(def.request, v), { correlationId: rnd.int(1000) });
        } catch {
          continue;
        }
        yield withSize(broken ? mutate(rnd, frame) : frame);
      }
    }
  }
}

/** A SASL listener of the same gateway: every request before authentication is fuzzed there too. */
let saslPort = 0;

beforeAll(async () => {
  saslPort = await freePort();
  gateway = await startGatewayProcess(2, {
    extraListeners: `SASL_PLAINTEXT://127.0.0.1:${saslPort}`,
    onLog: (chunk) => {
      for (const line of chunk.toString().split('\n')) {
        if (/"level":(50|60)/.test(line)) failures.push(line);
      }
    },
    args: [
      '--max-request-bytes',
      String(MAX_REQUEST),
      '--queued-max-request-bytes',
      String(BUDGET),
      '--request-receive-timeout-ms',
      '3000',
      '--group-initial-rebalance-delay-ms',
      '0',
      '--log-level',
      'error',
    ],
  });
  [host, port] = [gateway.bootstrap.split(':')[0]!, Number(gateway.bootstrap.split(':')[1])];
  served = [...(await advertisedApis(host, port))].map(([k, [lo, hi]]) => [k, lo, hi]);
  const kafka = new Kafka({
    clientId: 'fuzz-setup',
    brokers: [gateway.bootstrap],
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 2 })) });
  await admin.disconnect();
}, 120_000);

afterAll(async () => {
  await gateway?.stop();
});

describe(`protocol fuzzer (seed ${SEED})`, () => {
  it('survives generated requests for every served API and version', async () => {
    const gen = new RequestGenerator(rnd, { topics, groups: ['fuzz-group'] });
    const unanswered: string[] = [];
    const counts = await runCases(generated(gen, false), unanswered);
    expect(unanswered).toEqual([]);
    // Well-formed requests are answered, never refused by closing the connection.
    expect(counts.closed).toBe(0);
    expect(counts.answered).toBeGreaterThan(served.length);
    await assertHealthy('generated');
  }, 600_000);

  it('survives the same requests truncated, bit-flipped and padded', async () => {
    const gen = new RequestGenerator(rnd, { topics, groups: ['fuzz-group'] });
    const unanswered: string[] = [];
    await runCases(generated(gen, true), unanswered);
    expect(unanswered).toEqual([]);
    await assertHealthy('mutated');
  }, 600_000);

  it('survives the same requests on a SASL listener before authentication', async () => {
    const gen = new RequestGenerator(rnd, { topics, groups: ['fuzz-group'] });
    const unanswered: string[] = [];
    const counts = await runCases(generated(gen, false), unanswered, saslPort);
    expect(unanswered).toEqual([]);
    // Before authentication only ApiVersions and SaslHandshake are answered; the rest close.
    expect(counts.closed).toBeGreaterThan(0);
    await assertHealthy('sasl');
  }, 600_000);

  it('closes connections whose frame sizes lie, and keeps serving', async () => {
    const lies: Buffer[] = [];
    for (const size of [-1, -2147483648, MAX_REQUEST + 1, 2147483647, 0, 1, 3]) {
      const b = Buffer.alloc(4 + Math.max(0, Math.min(size, 3)));
      b.writeInt32BE(size, 0);
      lies.push(b);
    }
    const counts = await runCases(lies);
    expect(counts.answered + counts.closed).toBe(lies.length);
    await assertHealthy('sizes');
  }, 120_000);

  it('refuses every hostile batch with its error code and stores none of them', async () => {
    const conn = await WireConnection.open(host, port);
    try {
      for (const [i, c] of hostileCases().entries()) {
        const topic = `fuzz-hostile-${i}`;
        const configs = Object.entries(c.topicConfigs ?? {}).map(([name, value]) => ({ name, value }));
        await conn.call(19, 5, {
          topics: [{ name: topic, numPartitions: 1, replicationFactor: 1, assignments: [], configs }],
          timeoutMs: 10_000,
          validateOnly: false,
        });
        const res = await conn.call<{ responses: { partitionResponses: { errorCode: number }[] }[] }>(
          0,
          c.produceVersion ?? 9,
          {
            transactionalId: null,
            acks: -1,
            timeoutMs: 10_000,
            topicData: [{ name: topic, partitionData: [{ index: 0, records: c.records }] }],
          },
        );
        expect(res.responses[0]!.partitionResponses[0]!.errorCode, c.name).toBe(c.code);
        const offsets = await conn.call<{ topics: { partitions: { offset: bigint }[] }[] }>(2, 5, {
          replicaId: -1,
          isolationLevel: 0,
          topics: [
            { name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n }] },
          ],
        });
        expect(offsets.topics[0]!.partitions[0]!.offset, `${c.name}: log end offset`).toBe(0n);
      }
    } finally {
      conn.close();
    }
    await assertHealthy('hostile');
  }, 300_000);

  it('bounds memory when twenty connections stall half-way through 16 MiB frames', async () => {
    const base = rss();
    peakRss = base;
    const sockets = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const s = connect({ host, port });
        s.on('error', () => {});
        await new Promise<void>((r) => s.once('connect', () => r()));
        const prefix = Buffer.alloc(4);
        prefix.writeInt32BE(MAX_REQUEST - 4, 0);
        s.write(prefix);
        // Half of the frame, in pieces the gateway must read as they come.
        for (let i = 0; i < 8; i++) s.write(Buffer.alloc(MiB, i));
        return s;
      }),
    );
    const closed = sockets.map((s) => new Promise<void>((r) => s.once('close', () => r())));
    // The receive timeout (3 s) drops every stalled connection; sample memory until it has.
    const sampler = setInterval(() => rss(), 100);
    try {
      await Promise.race([
        Promise.all(closed),
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error('stalled connections were kept')), 60_000),
        ),
      ]);
    } finally {
      clearInterval(sampler);
    }
    expect(peakRss - base, 'memory taken by the stalled connections').toBeLessThan(BUDGET + 64 * MiB);
    await assertHealthy('stalled');
  }, 120_000);
});

/**
 * `npx tsx bench/metrics-overhead.ts`: what metrics collection costs a request on the hot paths,
 * measured in process (no sockets, no other load in the figure): Produce and Fetch requests of 8
 * partitions dispatched against the memory store with metrics off (no --metrics-port) and on,
 * alternating rounds. The end-to-end `npm run bench` on a shared machine is too noisy to resolve
 * a difference this small; this isolates the per-request CPU time.
 */
import { DEFAULT_CONFIG } from '../src/config.js';
import { PLAINTEXT_LISTENER } from '../src/security/listeners.js';
import { Session } from '../src/security/session.js';
import type { RequestContext } from '../src/handlers/handler.js';
import { HANDLERS } from '../src/handlers/index.js';
import { silentLogger } from '../src/log.js';
import { NO_METRICS } from '../src/metrics/metrics.js';
import { PrometheusMetrics } from '../src/metrics/prometheus.js';
import { encodeMessage } from '../src/protocol/codec.js';
import { RequestHeaderSchema } from '../src/protocol/generated/headers.js';
import { API_DEFINITIONS } from '../src/protocol/generated/index.js';
import { buildRecordBatch } from '../src/protocol/records/builder.js';
import { Writer } from '../src/protocol/writer.js';
import { Dispatcher } from '../src/server/dispatch.js';
import { createServices } from '../src/services.js';
import { MemoryStorage } from '../src/storage/memory/memory-storage.js';

const PARTITIONS = 8;
const RECORDS = 60;
const ROUNDS = 5;
const REQUESTS = 5_000;

function frame(apiKey: number, version: number, body: object): Buffer {
  const w = new Writer();
  encodeMessage(RequestHeaderSchema, 2, w, {
    requestApiKey: apiKey,
    requestApiVersion: version,
    correlationId: 1,
    clientId: 'bench',
  });
  encodeMessage(API_DEFINITIONS.find((d) => d.apiKey === apiKey)!.request, version, w, body);
  return Buffer.concat(w.finish());
}

const batch = buildRecordBatch({
  baseTimestamp: 1000n,
  records: Array.from({ length: RECORDS }, (_, i) => ({
    key: Buffer.from(`k${i}`),
    value: Buffer.alloc(10, i),
  })),
});
const produce = frame(0, 9, {
  transactionalId: null,
  acks: 1,
  timeoutMs: 1000,
  topicData: [
    {
      name: 't',
      partitionData: Array.from({ length: PARTITIONS }, (_, index) => ({ index, records: batch })),
    },
  ],
});
const fetch = frame(1, 12, {
  replicaId: -1,
  maxWaitMs: 0,
  minBytes: 1,
  maxBytes: 1 << 20,
  isolationLevel: 0,
  sessionId: 0,
  sessionEpoch: -1,
  topics: [
    {
      topic: 't',
      partitions: Array.from({ length: PARTITIONS }, (_, partition) => ({
        partition,
        currentLeaderEpoch: -1,
        fetchOffset: 0n,
        logStartOffset: -1n,
        partitionMaxBytes: 1 << 16,
      })),
    },
  ],
  forgottenTopicsData: [],
  rackId: '',
});

async function measure(withMetrics: boolean, request: Buffer): Promise<number> {
  const storage = new MemoryStorage({ logger: silentLogger });
  const metrics = withMetrics ? new PrometheusMetrics('memory') : NO_METRICS;
  const services = createServices({ ...DEFAULT_CONFIG }, storage, silentLogger, metrics);
  const dispatcher = new Dispatcher(HANDLERS);
  services.supportedApis = dispatcher.supported;
  await storage.createTopic({ name: 't', partitions: PARTITIONS, configs: {} });
  for (let p = 0; p < PARTITIONS; p++) await storage.append('t', p, Buffer.from(batch));
  const signal = new AbortController().signal;
  const ctx = (apiVersion: number, correlationId: number, clientId: string | null): RequestContext => ({
    apiVersion,
    correlationId,
    clientId,
    localHost: '127.0.0.1',
    localPort: 9092,
    remoteHost: '127.0.0.1',
    services,
    session: new Session(PLAINTEXT_LISTENER, '127.0.0.1', undefined),
    log: silentLogger,
    signal,
  });
  const once = async () => {
    // What the connection adds per request with metrics on: three clock reads and the report.
    const arrived = performance.now();
    const started = performance.now();
    await dispatcher.dispatch(Buffer.from(request), ctx);
    const handled = performance.now();
    metrics.requestCompleted(
      request.readInt16BE(0),
      request.readInt16BE(2),
      started - arrived,
      handled - started,
      0,
    );
  };
  for (let i = 0; i < 2000; i++) await once();
  const t0 = performance.now();
  for (let i = 0; i < REQUESTS; i++) await once();
  return ((performance.now() - t0) * 1000) / REQUESTS;
}

for (const [name, request] of [
  ['Produce', produce],
  ['Fetch', fetch],
] as const) {
  const off: number[] = [];
  const on: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    off.push(await measure(false, request));
    on.push(await measure(true, request));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const fmt = (xs: number[]) => xs.map((x) => x.toFixed(1)).join(' / ');
  console.log(
    `${name} (${PARTITIONS} partitions x ${RECORDS} records): metrics off ${fmt(off)} us, on ${fmt(on)} us per request; ` +
      `median ${((median(on) / median(off) - 1) * 100).toFixed(1)}%`,
  );
}

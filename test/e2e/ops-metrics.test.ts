import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProduceResponse } from '../../src/protocol/generated/index.js';
import { RawClient } from '../server/support/client.js';
import type { RunningGateway } from '../support/gateway.js';
import { startGateway } from '../support/gateway.js';
import { Scrape } from '../support/prometheus.js';

// A produce / consume / commit run with kafkajs, then /metrics scraped and parsed by a Prometheus
// text-format parser: the counters must equal what the run did, counted on the client side
// (kafkajs' request instrumentation, the records it sent and received) and in the store.

const TOPIC = 'metrics-run';
const GROUP = 'metrics-group';
const FIRST = 40; // records consumed and committed
const LATER = 7; // records produced after the commit: the group's lag

describe('Prometheus metrics after a run with kafkajs', () => {
  let gw: RunningGateway;
  const clientRequests = new Map<string, number>();
  let consumed = 0;

  beforeAll(async () => {
    gw = await startGateway({ config: { metrics: { port: 0, host: '127.0.0.1' } } });
    const kafka = new kafkajs.Kafka({
      clientId: 'metrics-e2e',
      brokers: [gw.bootstrap],
      logLevel: kafkajs.logLevel.NOTHING,
    });
    const count = (e: { payload: { apiName: string } }) =>
      clientRequests.set(e.payload.apiName, (clientRequests.get(e.payload.apiName) ?? 0) + 1);
    const admin = kafka.admin();
    admin.on(admin.events.REQUEST, count);
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 2 }] });
    await admin.disconnect();

    const producer = kafka.producer();
    producer.on(producer.events.REQUEST, count);
    await producer.connect();
    const send = (n: number, from: number) =>
      producer.send({
        topic: TOPIC,
        messages: Array.from({ length: n }, (_, i) => ({
          partition: (from + i) % 2,
          value: `record-${from + i}`,
        })),
      });
    for (let i = 0; i < FIRST; i += 10) await send(10, i);

    const consumer = kafka.consumer({ groupId: GROUP });
    consumer.on(consumer.events.REQUEST, count);
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    await new Promise<void>((resolve) => {
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          await consumer.commitOffsets([
            { topic: TOPIC, partition, offset: String(Number(message.offset) + 1) },
          ]);
          if (++consumed === FIRST) resolve();
        },
      });
    });
    await consumer.disconnect();
    await send(LATER, FIRST);
    await producer.disconnect();
  }, 120_000);

  afterAll(async () => gw?.stop());

  it('counts records and bytes per topic as stored and as fetched', async () => {
    const s = await Scrape.from(gw.metricsUrl!);
    expect(s.value('kafka_gateway_topic_records_in_total', { topic: TOPIC })).toBe(FIRST + LATER);
    expect(s.value('kafka_gateway_topic_records_out_total', { topic: TOPIC })).toBe(consumed);
    const stored = s.sum('kafka_gateway_partition_size_bytes', { topic: TOPIC });
    expect(stored).toBeGreaterThan(0);
    expect(s.value('kafka_gateway_topic_bytes_in_total', { topic: TOPIC })).toBe(stored);
    expect(s.value('kafka_gateway_topic_bytes_out_total', { topic: TOPIC })).toBeGreaterThan(0);
    expect(s.value('kafka_gateway_partition_high_watermark', { topic: TOPIC, partition: '0' })).toBe(
      (FIRST + LATER + 1) >> 1,
    );
    expect(s.value('kafka_gateway_partition_high_watermark', { topic: TOPIC, partition: '1' })).toBe(
      (FIRST + LATER) >> 1,
    );
    expect(s.value('kafka_gateway_partition_log_start_offset', { topic: TOPIC, partition: '0' })).toBe(0);
  });

  it('counts requests per API as the client sent them, with their latencies', async () => {
    const s = await Scrape.from(gw.metricsUrl!);
    for (const api of ['Produce', 'OffsetCommit', 'JoinGroup', 'SyncGroup', 'CreateTopics', 'ListOffsets']) {
      const sent = clientRequests.get(api);
      expect(sent, `kafkajs sent no ${api}`).toBeGreaterThan(0);
      expect(s.sum('kafka_gateway_requests_total', { request: api }), api).toBe(sent);
      expect(s.value('kafka_gateway_request_total_time_seconds_count', { request: api }), api).toBe(sent);
    }
    expect(s.sum('kafka_gateway_requests_total', { request: 'Fetch' })).toBeGreaterThanOrEqual(
      clientRequests.get('Fetch')!,
    );
    expect(s.type('kafka_gateway_request_queue_time_seconds')).toBe('histogram');
    expect(s.value('kafka_gateway_connections')).toBe(0);
    expect(s.value('kafka_gateway_connections_created_total')).toBe(
      s.value('kafka_gateway_connections_closed_total'),
    );
  });

  it('reports the group committed offsets, its lag after the later records, and its state', async () => {
    const s = await Scrape.from(gw.metricsUrl!);
    const half = (n: number, p: number) => (p === 0 ? (n + 1) >> 1 : n >> 1);
    for (const p of [0, 1]) {
      const labels = { group: GROUP, topic: TOPIC, partition: String(p) };
      expect(s.value('kafka_gateway_consumer_group_committed_offset', labels)).toBe(half(FIRST, p));
      expect(s.value('kafka_gateway_consumer_group_lag', labels)).toBe(
        half(FIRST + LATER, p) - half(FIRST, p),
      );
    }
    expect(s.value('kafka_gateway_consumer_groups', { state: 'Empty' })).toBe(1);
    expect(s.value('kafka_gateway_consumer_group_members', { group: GROUP })).toBe(0);
    expect(s.value('kafka_gateway_idempotent_producers')).toBe(0);
    expect(s.value('process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(s.type('nodejs_eventloop_lag_seconds')).toBe('gauge');
  });

  it('counts the error codes of responses', async () => {
    const before = await Scrape.from(gw.metricsUrl!);
    const unknown = (x: Scrape) =>
      x.value('kafka_gateway_request_errors_total', {
        request: 'Produce',
        error: 'UNKNOWN_TOPIC_OR_PARTITION',
      }) ?? 0;
    const client = await RawClient.connect(gw.port);
    const r = await client.call<ProduceResponse>(
      0,
      9,
      {
        transactionalId: null,
        acks: 1,
        timeoutMs: 1000,
        topicData: [
          {
            name: TOPIC,
            partitionData: [
              { index: 5, records: Buffer.alloc(0) },
              { index: 6, records: Buffer.alloc(0) },
            ],
          },
        ],
      },
      1,
    );
    client.destroy();
    expect(r.responses[0]!.partitionResponses.map((p) => p.errorCode)).toEqual([3, 3]);
    const after = await Scrape.from(gw.metricsUrl!);
    expect(unknown(after) - unknown(before)).toBe(2);
  });
});

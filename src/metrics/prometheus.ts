/**
 * GatewayMetrics on a prom-client registry. Names follow Prometheus conventions under
 * `kafka_gateway_`; docs/operations.md lists each with the Kafka JMX metric it echoes.
 */
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { ErrorCode } from '../protocol/error-codes.js';
import { API_DEFINITIONS } from '../protocol/generated/index.js';
import type { MessageSchema } from '../protocol/schema.js';
import type { CounterCell, HistogramCell } from './families.js';
import { CellCounter, CellHistogram } from './families.js';
import type { GatewayMetrics, QuotaType, StoreMetrics } from './metrics.js';
import { countRecords } from './metrics.js';
import { ResponseErrorCodes } from './response-errors.js';

/** Request latencies: 100 µs to 30 s. */
const LATENCY_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];
const THROTTLE_BUCKETS = [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const API_NAMES = new Map(API_DEFINITIONS.map((d) => [d.apiKey, d.name]));
const ERROR_NAMES = new Map<number, string>(Object.entries(ErrorCode).map(([name, code]) => [code, name]));

export function apiName(apiKey: number): string {
  return API_NAMES.get(apiKey) ?? `ApiKey${apiKey}`;
}

export function errorName(code: number): string {
  return ERROR_NAMES.get(code) ?? `ERROR_${code}`;
}

interface ApiCells {
  readonly queue: HistogramCell;
  readonly local: HistogramCell;
  readonly send: HistogramCell;
  readonly total: HistogramCell;
  readonly errors: Map<number, CounterCell>;
  readonly requests: CounterCell[];
}

interface TopicCells {
  readonly bytesIn: CounterCell;
  readonly recordsIn: CounterCell;
  readonly bytesOut: CounterCell;
  readonly recordsOut: CounterCell;
}

export class PrometheusMetrics implements GatewayMetrics {
  readonly enabled = true;
  readonly registry = new Registry();
  readonly store: StoreMetrics;
  private readonly requests: CellCounter;
  private readonly errors: CellCounter;
  private readonly queueTime: CellHistogram;
  private readonly localTime: CellHistogram;
  private readonly sendTime: CellHistogram;
  private readonly totalTime: CellHistogram;
  private readonly bytesIn: CellCounter;
  private readonly bytesOut: CellCounter;
  private readonly recordsIn: CellCounter;
  private readonly recordsOut: CellCounter;
  private readonly connections: CounterCell;
  private readonly created: CounterCell;
  private readonly closed: CounterCell;
  private readonly throttles: CellHistogram;
  private readonly apis: (ApiCells | undefined)[] = [];
  private readonly topics = new Map<string, TopicCells>();
  private readonly errorCodes = new ResponseErrorCodes();

  constructor(storeKind: string) {
    const r = this.registry;
    collectDefaultMetrics({ register: r });
    this.requests = new CellCounter(
      'kafka_gateway_requests_total',
      'Requests handled, per API and version',
      ['request', 'version'],
      r,
    );
    this.errors = new CellCounter(
      'kafka_gateway_request_errors_total',
      'Error codes in responses, per API (NONE included, as Kafka counts them)',
      ['request', 'error'],
      r,
    );
    const latency = (name: string, help: string) =>
      new CellHistogram(name, help, ['request'], LATENCY_BUCKETS, r);
    this.queueTime = latency(
      'kafka_gateway_request_queue_time_seconds',
      'Time a request waited on its connection before being handled',
    );
    this.localTime = latency(
      'kafka_gateway_request_local_time_seconds',
      'Time spent handling a request (decode, handler, store, encode)',
    );
    this.sendTime = latency(
      'kafka_gateway_response_send_time_seconds',
      'Time to hand a response to the socket',
    );
    this.totalTime = latency(
      'kafka_gateway_request_total_time_seconds',
      'Time from a request arriving to its response being sent',
    );
    const perTopic = (name: string, help: string) => new CellCounter(name, help, ['topic'], r);
    this.bytesIn = perTopic('kafka_gateway_topic_bytes_in_total', 'Record batch bytes stored by Produce');
    this.recordsIn = perTopic('kafka_gateway_topic_records_in_total', 'Records stored by Produce');
    this.bytesOut = perTopic('kafka_gateway_topic_bytes_out_total', 'Record batch bytes sent by Fetch');
    this.recordsOut = perTopic('kafka_gateway_topic_records_out_total', 'Records sent by Fetch');
    const scalar = (name: string, help: string) => new CellCounter(name, help, [], r).cell({});
    this.created = scalar('kafka_gateway_connections_created_total', 'Client connections accepted');
    this.closed = scalar('kafka_gateway_connections_closed_total', 'Client connections closed');
    const open = { value: 0 } as CounterCell;
    this.connections = open;
    new Gauge({
      name: 'kafka_gateway_connections',
      help: 'Open client connections',
      registers: [r],
      collect() {
        this.set(open.value);
      },
    });
    this.throttles = new CellHistogram(
      'kafka_gateway_quota_throttle_time_seconds',
      'Throttle times given to clients over a quota, per quota type',
      ['quota'],
      THROTTLE_BUCKETS,
      r,
    );
    this.store = storeMetrics(storeKind, r);
  }

  connectionOpened(): void {
    this.connections.value += 1;
    this.created.value += 1;
  }

  connectionClosed(): void {
    this.connections.value -= 1;
    this.closed.value += 1;
  }

  private api(apiKey: number): ApiCells {
    let cells = this.apis[apiKey];
    if (cells === undefined) {
      const labels = { request: apiName(apiKey) };
      cells = {
        queue: this.queueTime.cell(labels),
        local: this.localTime.cell(labels),
        send: this.sendTime.cell(labels),
        total: this.totalTime.cell(labels),
        errors: new Map(),
        requests: [],
      };
      this.apis[apiKey] = cells;
    }
    return cells;
  }

  requestCompleted(apiKey: number, version: number, queued: number, local: number, send: number): void {
    const cells = this.api(apiKey);
    let counter = cells.requests[version];
    if (counter === undefined) {
      counter = this.requests.cell({ request: apiName(apiKey), version: String(version) });
      cells.requests[version] = counter;
    }
    counter.value += 1;
    cells.queue.observe(queued);
    cells.local.observe(local);
    cells.send.observe(send);
    cells.total.observe(queued + local + send);
  }

  responseErrors(apiKey: number, schema: MessageSchema, version: number, body: unknown): void {
    const errors = this.api(apiKey).errors;
    this.errorCodes.visit(schema, version, body, (code) => {
      let cell = errors.get(code);
      if (cell === undefined) {
        cell = this.errors.cell({ request: apiName(apiKey), error: errorName(code) });
        errors.set(code, cell);
      }
      cell.value += 1;
    });
  }

  private topic(name: string): TopicCells {
    let cells = this.topics.get(name);
    if (cells === undefined) {
      const labels = { topic: name };
      cells = {
        bytesIn: this.bytesIn.cell(labels),
        recordsIn: this.recordsIn.cell(labels),
        bytesOut: this.bytesOut.cell(labels),
        recordsOut: this.recordsOut.cell(labels),
      };
      this.topics.set(name, cells);
    }
    return cells;
  }

  produced(topic: string, bytes: number, records: number): void {
    const cells = this.topic(topic);
    cells.bytesIn.value += bytes;
    cells.recordsIn.value += records;
  }

  fetched(topic: string, batches: readonly Buffer[]): void {
    if (batches.length === 0) return;
    const cells = this.topic(topic);
    let bytes = 0;
    for (const b of batches) bytes += b.length;
    cells.bytesOut.value += bytes;
    cells.recordsOut.value += countRecords(batches);
  }

  throttled(type: QuotaType, ms: number): void {
    this.throttles.cell({ quota: type }).observe(ms / 1000);
  }

  topicDeleted(topic: string): void {
    if (!this.topics.delete(topic)) return;
    const match = (labels: Record<string, string>) => labels.topic === topic;
    for (const family of [this.bytesIn, this.recordsIn, this.bytesOut, this.recordsOut]) family.drop(match);
  }

  async scrape(): Promise<string> {
    return this.registry.metrics();
  }
}

function storeMetrics(kind: string, r: Registry): StoreMetrics {
  const calls = new CellHistogram(
    'kafka_gateway_store_call_duration_seconds',
    'Calls a store makes to what it stands on (SeaweedMQ RPCs, file writes, fsyncs)',
    ['store', 'operation'],
    LATENCY_BUCKETS,
    r,
  );
  const failures = new CellCounter(
    'kafka_gateway_store_call_errors_total',
    'Failed store calls, per operation',
    ['store', 'operation'],
    r,
  );
  const events = new CellCounter(
    'kafka_gateway_store_events_total',
    'Store events (read-ahead hits and misses, segment rolls, ...)',
    ['store', 'event'],
    r,
  );
  const callCells = new Map<string, HistogramCell>();
  const failureCells = new Map<string, CounterCell>();
  const eventCells = new Map<string, CounterCell>();
  return {
    call(operation, seconds, failed) {
      let c = callCells.get(operation);
      if (c === undefined) {
        c = calls.cell({ store: kind, operation });
        callCells.set(operation, c);
      }
      c.observe(seconds);
      if (!failed) return;
      let f = failureCells.get(operation);
      if (f === undefined) {
        f = failures.cell({ store: kind, operation });
        failureCells.set(operation, f);
      }
      f.value += 1;
    },
    event(name, count = 1) {
      let e = eventCells.get(name);
      if (e === undefined) {
        e = events.cell({ store: kind, event: name });
        eventCells.set(name, e);
      }
      e.value += count;
    },
  };
}

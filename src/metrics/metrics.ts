/**
 * The one interface the rest of the gateway reports metrics through: dispatch and the connection
 * report requests, the produce and fetch paths report bytes and records per topic, and a store
 * reports its own calls through StoreMetrics. Gauges of state (offsets, lag, groups, producers) are
 * not reported at all: they are read when /metrics is scraped (src/metrics/scrape.ts).
 */
import type { MessageSchema } from '../protocol/schema.js';

/** What a store reports about its backend; optional for a store (Storage.attachMetrics). */
export interface StoreMetrics {
  /**
   * One call to what the store stands on (a SeaweedMQ RPC, a file append, an fsync): its name, how
   * long it took and whether it failed.
   */
  call(operation: string, seconds: number, failed: boolean): void;
  /** A countable event of the store ('read_ahead_hit', 'read_ahead_miss', 'segment_roll', ...). */
  event(name: string, count?: number): void;
}

export type QuotaType = 'produce' | 'fetch' | 'request';

export interface GatewayMetrics {
  readonly enabled: boolean;
  connectionOpened(): void;
  connectionClosed(): void;
  /**
   * A request answered (or completed without a response, acks=0): seconds spent queued on the
   * connection, handled (decode, handler, encode) and sending the response (0 without one).
   */
  requestCompleted(apiKey: number, version: number, queued: number, local: number, send: number): void;
  /** Counts the error codes of a response about to be sent. */
  responseErrors(apiKey: number, schema: MessageSchema, version: number, body: unknown): void;
  /** Batches stored by Produce: bytes as sent and the number of records. */
  produced(topic: string, bytes: number, records: number): void;
  /** Batches returned by Fetch. */
  fetched(topic: string, batches: readonly Buffer[]): void;
  /** A client was throttled for this many milliseconds by a quota of this type. */
  throttled(type: QuotaType, ms: number): void;
  /** Forgets per-topic counters of a deleted topic. */
  topicDeleted(topic: string): void;
  readonly store: StoreMetrics;
}

const NO_STORE_METRICS: StoreMetrics = {
  call() {},
  event() {},
};

/** Metrics switched off (no --metrics-port): every call is a no-op. */
export const NO_METRICS: GatewayMetrics = {
  enabled: false,
  connectionOpened() {},
  connectionClosed() {},
  requestCompleted() {},
  responseErrors() {},
  produced() {},
  fetched() {},
  throttled() {},
  topicDeleted() {},
  store: NO_STORE_METRICS,
};

/** Offset of recordCount in a v2 record batch header, and of the length that follows baseOffset. */
const OFF_LENGTH = 8;
const OFF_RECORD_COUNT = 57;
const HEADER = 61;

/** Records in a list of buffers each holding whole v2 batches: one header read per batch. */
export function countRecords(buffers: readonly Buffer[]): number {
  let records = 0;
  for (const buf of buffers) {
    let pos = 0;
    while (pos + HEADER <= buf.length) {
      records += buf.readInt32BE(pos + OFF_RECORD_COUNT);
      pos += 12 + buf.readInt32BE(pos + OFF_LENGTH);
    }
  }
  return records;
}

/**
 * The topic configs the log store acts on, resolved from a topic's own configs and the broker-wide
 * defaults the gateway was started with (Kafka's log.* broker configs).
 */
import type { TopicConfigs } from '../storage.js';

const LONG_MAX = 2n ** 63n - 1n;

export interface LogDefaults {
  /** log.flush.interval.messages: records appended between fsyncs; 1 = fsync before every ack. */
  readonly flushIntervalMessages: bigint;
  /** log.flush.interval.ms: longest unflushed data may wait; LONG_MAX = no time-based flush. */
  readonly flushIntervalMs: bigint;
  /** log.segment.bytes */
  readonly segmentBytes: number;
  /** log.roll.ms */
  readonly segmentMs: bigint;
  /** log.index.interval.bytes */
  readonly indexIntervalBytes: number;
}

/** Kafka's defaults, except that every acknowledged batch is fsynced first (see docs/log-store.md). */
export const DEFAULT_LOG_DEFAULTS: LogDefaults = {
  flushIntervalMessages: 1n,
  flushIntervalMs: LONG_MAX,
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7n * 24n * 3600n * 1000n,
  indexIntervalBytes: 4096,
};

export interface PartitionSettings {
  readonly flushIntervalMessages: number;
  /** Infinity when there is no time-based flush. */
  readonly flushIntervalMs: number;
  readonly segmentBytes: number;
  readonly segmentMs: bigint;
  readonly indexIntervalBytes: number;
}

/** Whether every append is fsynced before it is acknowledged (and before readers see it). */
export function syncsEveryAppend(s: PartitionSettings): boolean {
  return s.flushIntervalMessages <= 1;
}

function long(configs: TopicConfigs, name: string, fallback: bigint): bigint {
  const raw = configs[name];
  if (raw === undefined || !/^-?\d+$/.test(raw.trim())) return fallback;
  return BigInt(raw.trim());
}

/** A count or duration as a number; values past 2^53 mean "never". */
function bounded(n: bigint): number {
  return n >= BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(n);
}

export function resolveSettings(configs: TopicConfigs, d: LogDefaults): PartitionSettings {
  return {
    flushIntervalMessages: bounded(long(configs, 'flush.messages', d.flushIntervalMessages)),
    flushIntervalMs: bounded(long(configs, 'flush.ms', d.flushIntervalMs)),
    segmentBytes: Number(long(configs, 'segment.bytes', BigInt(d.segmentBytes))),
    segmentMs: long(configs, 'segment.ms', d.segmentMs),
    indexIntervalBytes: Number(long(configs, 'index.interval.bytes', BigInt(d.indexIntervalBytes))),
  };
}

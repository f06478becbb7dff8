/**
 * Reading partitions: records, high watermarks (cached) and timestamp lookups. Every read goes to the
 * partition's leader with FetchMessage; see docs/seaweedmq.md for why the high watermark is taken
 * from several answers and why an empty answer below it is retried through SubscribeMessage.
 */
import type { Logger } from 'pino';
import { ErrorCode, KafkaError } from '../../protocol/error-codes.js';
import { OFF_RECORD_COUNT } from '../../protocol/records/layout.js';
import type { PartitionOffsets, ReadResult, TimestampLookup } from '../storage.js';
import { toBatches } from './batches.js';
import type { KafkaRecord } from './envelope.js';
import type { Fetcher } from './fetcher.js';
import type { PbTopic } from './proto.js';
import type { PartitionRoute } from './routes.js';
import type { ClientPool } from './rpc.js';
import type { StoreMetrics } from '../../metrics/metrics.js';
import { bytesOf, ReadAheadCache } from './read-ahead.js';
import { readBySubscribe } from './subscriber.js';
import { TimeIndex } from './time-index.js';
import type { TopicCache } from './topic-cache.js';

interface CachedOffsets {
  logStartOffset: bigint;
  highWatermark: bigint;
  at: number;
  generation: string;
}

const SCAN_BYTES = 8 * 1024 * 1024;
const SUBSCRIBE_WAIT_MS = 1_000;
/**
 * How much one FetchMessage asks for at least, and how much read-ahead all partitions may hold
 * together (read-ahead.ts). 4 MiB per call was ~1.7x the rate of 1 MiB calls, 16 MiB little more.
 */
const READ_AHEAD_BYTES = 4 * 1024 * 1024;
const READ_AHEAD_HELD_BYTES = 128 * 1024 * 1024;
/** The next FetchMessage of a partition starts once less than this is left in its window. */
const PREFETCH_BELOW_BYTES = 2 * 1024 * 1024;

const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

export class PartitionReads {
  private readonly offsetCache = new Map<string, CachedOffsets>();
  private readonly timeIndexes = new Map<string, TimeIndex>();
  private readonly readAhead = new ReadAheadCache(READ_AHEAD_HELD_BYTES);
  /** Partition → the FetchMessage running ahead of its reader, and where it starts. */
  private readonly prefetching = new Map<string, { from: bigint; done: Promise<void> }>();
  /** Where read-ahead hits and misses are counted, once the gateway attaches its metrics. */
  metrics: StoreMetrics | undefined;

  constructor(
    private readonly pool: ClientPool,
    private readonly fetcher: Fetcher,
    private readonly cache: TopicCache,
    private readonly pbTopic: (name: string) => PbTopic,
    private readonly offsetsCacheMs: number,
    private readonly logger: Logger,
  ) {}

  async read(topic: string, partition: number, offset: bigint, maxBytes: number): Promise<ReadResult> {
    const route = await this.cache.route(topic, partition);
    const logical = await this.cache.logicalStart(topic, partition);
    if (offset < logical) {
      throw new KafkaError(
        ErrorCode.OFFSET_OUT_OF_RANGE,
        `offset ${offset} is before the log start ${logical} of ${topic}-${partition}`,
      );
    }
    const k = key(topic, partition);
    // A read that caught up with the prefetch of its partition waits for it rather than asking twice.
    const ahead = this.prefetching.get(k);
    if (ahead !== undefined && ahead.from === offset) await ahead.done;
    let records = this.readAhead.take(k, route.generation, offset);
    this.metrics?.event(records === undefined ? 'read_ahead_miss' : 'read_ahead_hit');
    let highWatermark: bigint;
    if (records !== undefined) {
      const end = offset + BigInt(records.length);
      const known = this.offsetCache.get(k);
      highWatermark = known !== undefined && known.highWatermark > end ? known.highWatermark : end;
    } else {
      const wanted = Math.max(maxBytes, READ_AHEAD_BYTES);
      ({ records, highWatermark } = await this.fetchRecords(topic, partition, route, offset, wanted));
      const idx = this.timeIndex(topic, partition, route, logical);
      records.forEach((r, i) => idx.observe(offset + BigInt(i), r.timestamp));
    }
    const offsets = this.remember(topic, partition, route, highWatermark, logical);
    const batches = records.length === 0 ? [] : toBatches(records, offset, Math.max(1, maxBytes));
    let served = 0;
    for (const b of batches) served += b.readInt32BE(OFF_RECORD_COUNT);
    const rest = records.slice(served);
    if (rest.length > 0) this.readAhead.put(k, route.generation, offset + BigInt(served), rest);
    // A consumer reading on will want what follows: fetch it while this Fetch is answered and used.
    const end = offset + BigInt(records.length);
    if (records.length > 0 && end < offsets.highWatermark && bytesOf(rest) < PREFETCH_BELOW_BYTES) {
      this.prefetch(topic, k, route, end);
    }
    return { batches, ...offsets };
  }

  async offsets(topic: string, partition: number, fresh: boolean): Promise<PartitionOffsets> {
    const route = await this.cache.route(topic, partition);
    const cached = this.offsetCache.get(key(topic, partition));
    const same = cached !== undefined && cached.generation === route.generation;
    if (!fresh && same && Date.now() - cached.at < this.offsetsCacheMs) {
      return { logStartOffset: cached.logStartOffset, highWatermark: cached.highWatermark };
    }
    const logical = await this.cache.logicalStart(topic, partition);
    const hwm = await this.fetcher.highWatermark(
      this.pbTopic(topic),
      route,
      same ? cached.highWatermark : 0n,
    );
    return this.remember(topic, partition, route, hwm, logical);
  }

  /** One FetchMessage at a time per partition ahead of the reader, added to its read-ahead window. */
  private prefetch(topic: string, k: string, route: PartitionRoute, from: bigint): void {
    if (this.prefetching.has(k)) return;
    const done = this.fetcher
      .fetch(this.pbTopic(topic), route, from, READ_AHEAD_BYTES)
      .then((res) => {
        if (res.records.length > 0) this.readAhead.extend(k, route.generation, from, res.records);
      })
      .catch(() => undefined) // only a head start: the reader's own fetch reports failures
      .finally(() => this.prefetching.delete(k));
    this.prefetching.set(k, { from, done });
  }

  /** Offsets and timestamps the append path learnt from the broker's acks. */
  appended(
    topic: string,
    partition: number,
    route: PartitionRoute,
    offsets: bigint[],
    records: KafkaRecord[],
  ): void {
    const k = key(topic, partition);
    const base = offsets[0]!;
    const end = offsets[offsets.length - 1]! + 1n;
    const cached = this.offsetCache.get(k);
    if (cached !== undefined && cached.generation === route.generation) {
      // Offsets below the cached high watermark mean the broker counted again (partition-guard.ts).
      if (base < cached.highWatermark) this.timeIndexes.delete(k);
      if (end > cached.highWatermark || base < cached.highWatermark) cached.highWatermark = end;
    }
    const idx = this.timeIndexes.get(k);
    if (idx !== undefined && idx.generation === route.generation) {
      records.forEach((r, i) => idx.observe(offsets[i]!, r.timestamp));
    }
  }

  cachedHighWatermark(topic: string, partition: number): bigint | undefined {
    return this.offsetCache.get(key(topic, partition))?.highWatermark;
  }

  cachedLogStart(topic: string, partition: number): bigint | undefined {
    return this.offsetCache.get(key(topic, partition))?.logStartOffset;
  }

  forgetPartition(topic: string, partition: number): void {
    this.readAhead.forget(key(topic, partition));
    this.offsetCache.delete(key(topic, partition));
    this.timeIndexes.delete(key(topic, partition));
  }

  forgetTopic(topic: string): void {
    this.readAhead.forgetTopic(`${topic}\u0000`);
    for (const m of [this.offsetCache, this.timeIndexes]) {
      for (const k of m.keys()) if (k.startsWith(`${topic}\u0000`)) m.delete(k);
    }
  }

  async offsetForTimestamp(
    topic: string,
    partition: number,
    timestamp: bigint,
  ): Promise<TimestampLookup | undefined> {
    const route = await this.cache.route(topic, partition);
    const { logStartOffset, highWatermark } = await this.offsets(topic, partition, true);
    const idx = this.timeIndex(topic, partition, route, logStartOffset);
    let from = idx.searchStart(timestamp);
    if (from < logStartOffset) from = logStartOffset;
    let found: TimestampLookup | undefined;
    await this.scan(topic, partition, route, from, highWatermark, (at, ts) => {
      idx.observe(at, ts);
      if (ts < timestamp) return false;
      found = { offset: at, timestamp: ts };
      return true;
    });
    return found;
  }

  async maxTimestamp(topic: string, partition: number): Promise<TimestampLookup | undefined> {
    const route = await this.cache.route(topic, partition);
    const { logStartOffset, highWatermark } = await this.offsets(topic, partition, true);
    const idx = this.timeIndex(topic, partition, route, logStartOffset);
    const from = idx.covered > logStartOffset ? idx.covered : logStartOffset;
    await this.scan(topic, partition, route, from, highWatermark, (at, ts) => {
      idx.observe(at, ts);
      return false;
    });
    return idx.maximum;
  }

  /**
   * Records from `offset` and the best high watermark known. FetchMessage reports the one of the
   * broker's in-memory log buffer, which lags after the broker reloads a partition, so an empty or
   * out-of-range answer is checked against GetPartitionRangeInfo (a recent answer is reused: a
   * caught-up long-poll costs one check per partition per offsetsCacheMs at most).
   */
  private async fetchRecords(
    topic: string,
    partition: number,
    route: PartitionRoute,
    offset: bigint,
    maxBytes: number,
  ): Promise<{ records: KafkaRecord[]; highWatermark: bigint }> {
    const res = await this.fetcher.fetch(this.pbTopic(topic), route, offset, maxBytes);
    let hwm = res.highWatermark;
    const known = this.offsetCache.get(key(topic, partition));
    const same = known !== undefined && known.generation === route.generation;
    if (same && known.highWatermark > hwm) hwm = known.highWatermark;
    const knownFresh = same && Date.now() - known.at < this.offsetsCacheMs;
    if (offset > hwm || (res.records.length === 0 && !knownFresh)) {
      const probed = await this.fetcher.highWatermark(this.pbTopic(topic), route, hwm);
      if (probed > hwm) hwm = probed;
    }
    if (res.records.length > 0 && offset + BigInt(res.records.length) > hwm) {
      hwm = offset + BigInt(res.records.length);
    }
    if (offset > hwm) {
      throw new KafkaError(
        ErrorCode.OFFSET_OUT_OF_RANGE,
        `offset ${offset} is beyond the high watermark ${hwm} of ${topic}-${partition}`,
      );
    }
    if (res.records.length > 0 || offset === hwm) return { records: res.records, highWatermark: hwm };
    const wanted = hwm - offset > 10_000n ? 10_000 : Number(hwm - offset);
    const records = await readBySubscribe(
      this.pool,
      this.pbTopic(topic),
      route,
      offset,
      wanted,
      Math.max(1, maxBytes),
      SUBSCRIBE_WAIT_MS,
    );
    this.logger.debug(
      { topic, partition, offset: String(offset), highWatermark: String(hwm), got: records.length },
      'FetchMessage returned nothing below the high watermark; read through SubscribeMessage',
    );
    return { records, highWatermark: hwm };
  }

  /** The log start is ours: SeaweedMQ's earliest offsets are unreliable and it deletes nothing itself. */
  private remember(
    topic: string,
    partition: number,
    route: PartitionRoute,
    highWatermark: bigint,
    logical: bigint,
  ): PartitionOffsets {
    const logStartOffset = logical > highWatermark ? highWatermark : logical;
    this.offsetCache.set(key(topic, partition), {
      logStartOffset,
      highWatermark,
      at: Date.now(),
      generation: route.generation,
    });
    return { logStartOffset, highWatermark };
  }

  private timeIndex(topic: string, partition: number, route: PartitionRoute, logStart: bigint): TimeIndex {
    const k = key(topic, partition);
    let idx = this.timeIndexes.get(k);
    if (idx === undefined || idx.generation !== route.generation || idx.base < logStart) {
      idx = new TimeIndex(logStart, route.generation);
      this.timeIndexes.set(k, idx);
    }
    return idx;
  }

  /** Visits (offset, timestamp) from `from` up to `to`, stopping when visit returns true. */
  private async scan(
    topic: string,
    partition: number,
    route: PartitionRoute,
    from: bigint,
    to: bigint,
    visit: (offset: bigint, timestamp: bigint) => boolean,
  ): Promise<void> {
    let pos = from;
    while (pos < to) {
      const { records } = await this.fetchRecords(topic, partition, route, pos, SCAN_BYTES);
      if (records.length === 0) {
        throw new KafkaError(
          ErrorCode.KAFKA_STORAGE_ERROR,
          `SeaweedMQ returned no record of ${topic}-${partition} at ${pos}, below its high watermark ${to}`,
        );
      }
      for (const r of records) {
        if (visit(pos, r.timestamp)) return;
        pos++;
      }
    }
  }
}

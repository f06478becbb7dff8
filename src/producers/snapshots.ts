/**
 * Keeps the idempotent-producer state through restarts, for every store: each partition's state is
 * written now and then to the store's key-value space, and at start it is read back and brought up
 * to date by replaying the log from the snapshot's replay offset (batch headers only, replay.ts).
 * So a batch a producer retries after a restart is still recognised and not stored twice.
 *
 * A snapshot's replay offset is a high watermark observed after the previous snapshot, used only
 * once every append that could lie below it has been recorded (AppendTracker): the log below it is
 * then wholly in the state, and replaying from it covers everything after.
 */
import type { Logger } from 'pino';
import { ErrorCode, KafkaError } from '../protocol/error-codes.js';
import type { Storage, TopicInfo } from '../storage/storage.js';
import type { AppendedPartition } from './append-tracker.js';
import type { ProducerRegistry } from './producer-state.js';
import { replayTail, type ReplayObserver } from './replay.js';
import { decodeSnapshot, encodeSnapshot } from './snapshot-codec.js';

/** Key-value namespace of the snapshots; keys are "topicId:partition". */
export const PRODUCER_SNAPSHOTS = 'producer-snapshots';
/** Kafka's producer.id.expiration.ms: producers idle this long are forgotten. */
export const PRODUCER_EXPIRATION_MS = 24 * 3600 * 1000;
const RETRY_MS = 2000;

export interface ProducerStateOptions {
  /** How often changed partitions are snapshotted. */
  readonly intervalMs: number;
  readonly expirationMs?: number;
  readonly now?: () => number;
}

interface Observed {
  readonly hw: bigint;
  readonly epoch: number;
}

export class ProducerStateStore {
  private readonly observers: ReplayObserver[] = [];
  /** Per partition: the replay offset of its last snapshot, and a high watermark seen since. */
  private readonly written = new Map<string, bigint>();
  private readonly observed = new Map<string, Observed>();
  private readonly restoring = new Map<string, Promise<void>>();
  private listed = false;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly now: () => number;

  constructor(
    private readonly registry: ProducerRegistry,
    private readonly storage: Storage,
    private readonly log: Logger,
    private readonly options: ProducerStateOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Adds a consumer of the replayed batches (see ReplayObserver); add it before loading. */
  addObserver(observer: ReplayObserver): void {
    this.observers.push(observer);
  }

  /**
   * Restores every partition's state. The first attempt is awaited; if the store cannot answer yet
   * it is retried in the background, and idempotent produce requests meanwhile get a retriable error.
   */
  async loadInBackground(): Promise<void> {
    this.registry.loading = (topicId, partition) => this.gate(topicId, partition);
    const attempt = async (): Promise<void> => {
      try {
        await this.load();
        this.registry.loading = undefined;
      } catch (err) {
        if (this.stopped) return;
        this.log.warn({ err }, 'restoring idempotent-producer state failed; retrying');
        setTimeout(() => void attempt(), RETRY_MS).unref();
      }
    };
    await attempt();
  }

  start(): void {
    this.timer = setInterval(() => void this.snapshotNow(), this.options.intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and writes the last snapshots (call after the listener closed). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    if (this.registry.loading === undefined) await this.snapshotNow();
    await this.ticking;
  }

  /** Writes snapshots of the partitions appended to since the last ones. */
  snapshotNow(): Promise<void> {
    this.ticking = this.ticking.then(() =>
      this.tick().catch((err: unknown) => this.log.warn({ err }, 'writing producer-state snapshots failed')),
    );
    return this.ticking;
  }

  private async gate(topicId: string, partition: number): Promise<void> {
    if (!this.listed) {
      throw new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, 'idempotent-producer state is still loading');
    }
    try {
      await this.restoring.get(`${topicId}:${partition}`);
    } catch {
      throw new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, 'idempotent-producer state is still loading');
    }
  }

  private async load(): Promise<void> {
    const began = this.now();
    const topics = await this.storage.listTopics();
    this.restoring.clear();
    const parts = topics.flatMap((t) => Array.from({ length: t.partitions }, (_, p) => ({ t, p })));
    // Partitions are registered before any is read, so a produce waits for exactly its own.
    const results = new Map<string, { resolve: () => void; reject: (e: unknown) => void }>();
    for (const { t, p } of parts) {
      const key = `${t.id}:${p}`;
      const done = new Promise<void>((resolve, reject) => results.set(key, { resolve, reject }));
      done.catch(() => undefined);
      this.restoring.set(key, done);
    }
    this.listed = true;
    let batches = 0;
    for (const { t, p } of parts) {
      const result = results.get(`${t.id}:${p}`)!;
      try {
        batches += await this.restore(t, p);
        result.resolve();
      } catch (err) {
        result.reject(err);
        for (const r of results.values()) r.reject(err);
        throw err;
      }
    }
    await this.forgetDeleted(new Set(topics.map((t) => t.id)));
    this.log.info(
      { partitions: parts.length, replayedBatches: batches, ms: this.now() - began },
      'idempotent-producer state restored',
    );
  }

  /** Restores one partition from its snapshot and the log after it; returns the batches replayed. */
  private async restore(t: TopicInfo, partition: number): Promise<number> {
    const key = `${t.id}:${partition}`;
    const state = this.registry.partition(t.id, partition);
    const raw = await this.storage.kvGet(PRODUCER_SNAPSHOTS, key);
    const snapshot = raw === undefined ? undefined : decodeSnapshot(raw);
    if (raw !== undefined && snapshot === undefined)
      this.log.warn({ key }, 'ignoring an unreadable producer snapshot');
    for (const [id, entry] of snapshot?.producers ?? []) {
      state.restore(id, entry);
      this.registry.reserveIdsUpTo(id);
    }
    const { logStartOffset, highWatermark } = await this.storage.offsets(t.name, partition);
    const stateFrom = maxOf(snapshot?.replayFrom ?? logStartOffset, logStartOffset);
    let from = stateFrom;
    for (const o of this.observers) {
      const wanted = await o.replayFrom?.(t.id, partition);
      if (wanted !== undefined && wanted < from) from = maxOf(wanted, logStartOffset);
    }
    let replayed = 0;
    if (this.storage.keepsBatchHeaders === true) {
      const range = { topic: t.name, topicId: t.id, partition, stateFrom, from, to: highWatermark };
      replayed = await replayTail(this.storage, range, state, this.observers);
    }
    if (snapshot !== undefined) this.written.set(key, snapshot.replayFrom);
    // Nothing is appended while the partition restores (produce waits for it): the state now holds
    // everything below this high watermark.
    this.observed.set(key, { hw: highWatermark, epoch: this.registry.appends.nextEpoch() });
    this.registry.appends.touch({ topicId: t.id, topic: t.name, partition });
    return replayed;
  }

  private async tick(): Promise<void> {
    // Until every partition is restored, a snapshot would overwrite a good one with a partial state.
    if (this.registry.loading !== undefined) return;
    const touched = this.registry.appends.takeTouched();
    if (touched.length === 0) return;
    const cutoff = this.now() - (this.options.expirationMs ?? PRODUCER_EXPIRATION_MS);
    const oldest = this.registry.appends.oldestInFlight();
    const writes: Promise<void>[] = [];
    for (const p of touched) {
      const key = `${p.topicId}:${p.partition}`;
      const obs = this.observed.get(key);
      let replayFrom = this.written.get(key);
      if (obs !== undefined && (oldest === undefined || oldest >= obs.epoch)) replayFrom = obs.hw;
      if (replayFrom === undefined) {
        // Nothing known to be reflected yet: try again next time, after a high watermark is seen.
        this.registry.appends.touch(p);
        continue;
      }
      const state = this.registry.all.get(key);
      state?.expire(cutoff);
      this.written.set(key, replayFrom);
      writes.push(this.storage.kvPut(PRODUCER_SNAPSHOTS, key, encodeSnapshot(replayFrom, state)));
    }
    await Promise.all(writes);
    await Promise.all(
      touched.map((p) =>
        this.observe(p).catch((err: unknown) => this.log.debug({ err, partition: p }, 'no high watermark')),
      ),
    );
  }

  /** Notes the partition's high watermark for the next snapshot, or forgets a deleted topic's state. */
  private async observe(p: AppendedPartition): Promise<void> {
    const key = `${p.topicId}:${p.partition}`;
    const topic = await this.storage.describeTopic(p.topic);
    if (topic?.id !== p.topicId) {
      this.registry.drop(p.topicId, p.partition);
      this.observed.delete(key);
      this.written.delete(key);
      await this.storage.kvDelete(PRODUCER_SNAPSHOTS, key);
      return;
    }
    const { highWatermark } = await this.storage.offsets(p.topic, p.partition);
    // Every append that can lie below this high watermark began before the epoch started here.
    this.observed.set(key, { hw: highWatermark, epoch: this.registry.appends.nextEpoch() });
  }

  private async forgetDeleted(known: ReadonlySet<string>): Promise<void> {
    for (const key of (await this.storage.kvList(PRODUCER_SNAPSHOTS)).keys()) {
      if (!known.has(key.slice(0, key.lastIndexOf(':'))))
        await this.storage.kvDelete(PRODUCER_SNAPSHOTS, key);
    }
  }
}

function maxOf(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

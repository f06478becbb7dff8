/**
 * What of a partition is persisted in the filer, learnt from the filer itself (partition-files.ts): the
 * broker acknowledges a record once it is in its memory, flushes its log buffer every second or so and
 * checkpoints its offset counter every 2 s, independently; a restarted broker keeps the flushed records
 * and counts on from the checkpoint. So:
 *
 * - waitDurable resolves once every offset up to `last` is in a flushed segment: an acks=-1 produce is
 *   answered then. One filer listing per partition per poll serves every append waiting on that
 *   partition, whatever their number.
 * - repair, run before the broker loads a partition again (after it restarted or moved), sets the
 *   checkpoint to the last flushed offset. A checkpoint behind it would make the broker hand flushed
 *   offsets out again (two records at one offset); one ahead of it, written for records that were never
 *   flushed, would leave a gap, which SeaweedMQ's reads (they number records by position) turn into
 *   records served at the wrong offsets. It also labels a first segment with the offsets SeaweedMQ
 *   leaves off it (segment-labels.ts).
 */
import type { Client } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { ErrorCode, KafkaError } from '../../protocol/error-codes.js';
import type { Filer } from './filer.js';
import {
  CHECKPOINT_FILE,
  checkpointContent,
  flushedFromEntries,
  partitionDir,
  readCheckpoint,
  segmentName,
  segmentOffsets,
  type Checkpoint,
} from './partition-files.js';
import type { PbEntry, PbPartition } from './proto.js';
import { labelSegment } from './segment-labels.js';

/** Segments flushed this long before the last checkpoint are not listed again: they hold older offsets. */
const LIST_MARGIN_MS = 5 * 60_000;

interface Waiter {
  readonly last: bigint;
  readonly deadline: number;
  /** True once the publish stream that got these offsets broke: no later flush can be counted on. */
  readonly broken: () => boolean;
  resolve(): void;
  reject(err: unknown): void;
}

export interface PersistedState {
  /** Largest offset in a flushed segment (-1: none). */
  readonly flushedThrough: bigint;
  /** The broker's offset checkpoint (-1: none). */
  readonly checkpoint: bigint;
}

interface Unlabelled {
  readonly name: string;
  readonly first: bigint;
  readonly last: bigint;
}

class PartitionFiles {
  flushedThrough = -1n;
  /** Whether a segment with offset attributes was seen: the broker then finds the partition's end. */
  labelled = false;
  checkpoint: Checkpoint | undefined;
  /** Name of the newest segment listed; the next listing starts there. */
  lastSegment: string | undefined;
  /** Offsets of segments without offset attributes, read once each (by name:size). */
  readonly unlabelled = new Map<string, Unlabelled>();
  readonly waiters: Waiter[] = [];
  refreshing: Promise<void> | undefined;

  constructor(readonly dir: string) {}
}

export class Durability {
  private readonly partitions = new Map<string, PartitionFiles>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(
    private readonly filer: Filer,
    /** A client whose calls carry raw protobuf bytes (segment-labels.ts). */
    private readonly rawFiler: () => Client,
    private readonly namespace: string,
    private readonly pollMs: number,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
  ) {}

  /**
   * Resolves once offsets up to `last` are in flushed segments. Rejects with REQUEST_TIMED_OUT after
   * the timeout, or with KAFKA_STORAGE_ERROR once `broken()` turns true and a fresh look at the filer
   * does not show them flushed; the error's `persistedThrough` says how far they are.
   */
  waitDurable(topic: string, p: PbPartition, last: bigint, broken: () => boolean): Promise<void> {
    const files = this.files(topic, p);
    if (files.flushedThrough >= last) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      files.waiters.push({ last, deadline: Date.now() + this.timeoutMs, broken, resolve, reject });
      this.ensureTimer();
    });
  }

  /** A fresh read of what the filer holds for the partition. */
  async state(topic: string, p: PbPartition): Promise<PersistedState> {
    const files = this.files(topic, p);
    await this.refresh(files);
    return { flushedThrough: files.flushedThrough, checkpoint: files.checkpoint?.offset ?? -1n };
  }

  /**
   * Makes the broker's next load of the partition continue right after the last flushed record: sets
   * the checkpoint to it, and labels a first segment that has no offsets. Call before the broker loads
   * the partition (a broker holding it already rewrites the checkpoint from its counter within 2 s).
   */
  async repair(topic: string, p: PbPartition): Promise<PersistedState> {
    const files = this.files(topic, p);
    files.lastSegment = undefined; // a full look: the broker may have flushed anything before it stopped
    await this.refresh(files);
    const checkpoint = files.checkpoint?.offset ?? -1n;
    const flushed = files.flushedThrough;
    if (!files.labelled && flushed >= 0n) {
      const segment = [...files.unlabelled.values()].find((u) => u.last === flushed);
      if (segment !== undefined) {
        const path = `${files.dir}/${segment.name}`;
        await labelSegment(this.rawFiler(), path, segment.first, segment.last, this.timeoutMs);
        files.labelled = true;
      }
    }
    if (flushed !== checkpoint && (flushed >= 0n || files.checkpoint !== undefined)) {
      await this.filer.write(`${files.dir}/${CHECKPOINT_FILE}`, checkpointContent(flushed));
      this.logger.warn(
        { topic, dir: files.dir, checkpoint: String(checkpoint), flushedThrough: String(flushed) },
        flushed > checkpoint
          ? 'SeaweedMQ stopped before checkpointing offsets it had flushed; set its offset checkpoint ' +
              'to the last flushed record so they are not handed out again'
          : 'SeaweedMQ had handed out offsets it never flushed; set its offset checkpoint back to the ' +
              'last flushed record so no gap is left where they were',
      );
      files.checkpoint = { offset: flushed, mtimeSec: Math.floor(Date.now() / 1000) };
    }
    return { flushedThrough: flushed, checkpoint: files.checkpoint?.offset ?? -1n };
  }

  forgetTopic(topic: string): void {
    const prefix = `/topics/${this.namespace}/${topic}/`;
    for (const [k, f] of this.partitions) {
      if (!k.startsWith(prefix)) continue;
      this.partitions.delete(k);
      for (const w of f.waiters.splice(0)) {
        w.reject(new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic '${topic}' was deleted`));
      }
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const f of this.partitions.values()) {
      for (const w of f.waiters.splice(0)) {
        w.reject(
          new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, 'storage closed before records were persisted'),
        );
      }
    }
  }

  private files(topic: string, p: PbPartition): PartitionFiles {
    const dir = partitionDir(this.namespace, topic, p);
    let f = this.partitions.get(dir);
    if (f === undefined) {
      f = new PartitionFiles(dir);
      this.partitions.set(dir, f);
    }
    return f;
  }

  private ensureTimer(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.poll(), this.pollMs);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const waiting = [...this.partitions.values()].filter((f) => f.waiters.length > 0);
      if (waiting.length === 0) {
        if (this.timer) clearInterval(this.timer);
        this.timer = undefined;
        return;
      }
      await Promise.all(waiting.map((f) => this.settle(f)));
    } finally {
      this.polling = false;
    }
  }

  private async settle(f: PartitionFiles): Promise<void> {
    // Given up only on a listing that started after the stream broke: the broker may have flushed
    // them in its last moments, and the retry must not store again what is there.
    const brokenBefore = new Set(f.waiters.filter((w) => w.broken()));
    let fresh = true;
    try {
      await this.refresh(f);
      // A listing already under way when the stream broke may predate the broker's last flush.
      if (brokenBefore.size > 0) await this.refresh(f);
    } catch (err) {
      fresh = false;
      this.logger.debug({ err, dir: f.dir }, 'could not read persistence state; retrying');
    }
    const now = Date.now();
    const keep: Waiter[] = [];
    for (const w of f.waiters.splice(0)) {
      if (w.last <= f.flushedThrough) w.resolve();
      else if ((fresh && brokenBefore.has(w)) || now > w.deadline) {
        w.reject(this.notPersisted(f, w, now > w.deadline));
      } else keep.push(w);
    }
    f.waiters.push(...keep);
  }

  private notPersisted(f: PartitionFiles, w: Waiter, timedOut: boolean): KafkaError {
    const err = new KafkaError(
      timedOut ? ErrorCode.REQUEST_TIMED_OUT : ErrorCode.KAFKA_STORAGE_ERROR,
      `records up to offset ${w.last} were not persisted by SeaweedMQ ` +
        (timedOut ? `within ${this.timeoutMs} ms` : 'before its broker went away') +
        ` (flushed through ${f.flushedThrough})`,
    );
    return Object.assign(err, { persistedThrough: f.flushedThrough });
  }

  /** Lists the partition's segments from the last one seen (with the checkpoint, which sorts after). */
  private refresh(f: PartitionFiles): Promise<void> {
    f.refreshing ??= this.doRefresh(f).finally(() => {
      f.refreshing = undefined;
    });
    return f.refreshing;
  }

  private async doRefresh(f: PartitionFiles): Promise<void> {
    let entries: PbEntry[];
    if (f.lastSegment !== undefined) {
      entries = await this.filer.listFrom(f.dir, f.lastSegment, true);
    } else {
      // A first look lists from a little before the last checkpoint, where the newest segments are;
      // when nothing there carries offsets, everything, as the newest labelled segment may be older.
      const entry = await this.filer.lookup(`${f.dir}/${CHECKPOINT_FILE}`);
      const cp = entry === undefined ? undefined : readCheckpoint(entry);
      entries =
        cp === undefined
          ? []
          : await this.filer.listFrom(f.dir, segmentName(cp.mtimeSec * 1000 - LIST_MARGIN_MS), true);
      if (flushedFromEntries(entries).flushedThrough < 0n) entries = await this.filer.list(f.dir);
    }
    for (const e of entries) {
      const cp = readCheckpoint(e);
      if (cp !== undefined) f.checkpoint = cp;
    }
    const { flushedThrough, unlabelled } = flushedFromEntries(entries);
    if (flushedThrough >= 0n) f.labelled = true;
    if (flushedThrough > f.flushedThrough) f.flushedThrough = flushedThrough;
    const segments = entries.filter((e) => e.name !== CHECKPOINT_FILE && !e.is_directory);
    if (segments.length > 0) f.lastSegment = segments[segments.length - 1]!.name;
    // A window that started at offset 0 is flushed without offsets: read it while nothing says more.
    if (f.labelled) return;
    for (const e of unlabelled) {
      const key = `${e.name}:${e.attributes?.file_size ?? ''}`;
      let offsets = f.unlabelled.get(key);
      if (offsets === undefined) {
        const read = segmentOffsets(await this.filer.readContent(e));
        if (read === undefined) continue;
        offsets = { name: e.name, ...read };
        f.unlabelled.set(key, offsets);
      }
      if (offsets.last > f.flushedThrough) f.flushedThrough = offsets.last;
    }
  }
}

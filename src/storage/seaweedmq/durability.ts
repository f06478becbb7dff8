/**
 * What of a partition is persisted in the filer, learnt from the filer itself (partition-files.ts): the
 * broker acknowledges a record once it is in its memory, flushes its log buffer every second or so and
 * checkpoints its offset counter every 2 s, and a restarted broker keeps only what both hold. So:
 *
 * - waitDurable resolves once every offset up to `last` is in a flushed segment and covered by the
 *   checkpoint: an acks=-1 produce is answered then. One filer listing per partition per poll serves
 *   every append waiting on that partition, whatever their number.
 * - repair, run before the first broker call on a partition after a broker (re)start, raises the
 *   checkpoint to the last flushed offset when the broker stopped before checkpointing it: the restarted
 *   broker would otherwise hand those offsets out again, and two records would share each of them.
 */
import type { Logger } from 'pino';
import { ErrorCode, KafkaError } from '../../protocol/error-codes.js';
import type { Filer } from './filer.js';
import {
  CHECKPOINT_FILE,
  checkpointContent,
  flushedFromEntries,
  lastOffsetInSegment,
  partitionDir,
  readCheckpoint,
  segmentName,
  type Checkpoint,
} from './partition-files.js';
import type { PbPartition } from './proto.js';

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

class PartitionFiles {
  flushedThrough = -1n;
  checkpoint: Checkpoint | undefined;
  /** Name of the newest segment listed; the next listing starts there. */
  lastSegment: string | undefined;
  /** Largest offset of segments without offset attributes, read once each (name:size → offset). */
  readonly unlabelled = new Map<string, bigint>();
  readonly waiters: Waiter[] = [];
  refreshing: Promise<void> | undefined;

  constructor(readonly dir: string) {}

  get durableThrough(): bigint {
    const c = this.checkpoint?.offset ?? -1n;
    return c < this.flushedThrough ? c : this.flushedThrough;
  }
}

export class Durability {
  private readonly partitions = new Map<string, PartitionFiles>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(
    private readonly filer: Filer,
    private readonly namespace: string,
    private readonly pollMs: number,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
  ) {}

  /**
   * Resolves once offsets up to `last` are persisted (flushed and checkpointed). Rejects with
   * REQUEST_TIMED_OUT after the timeout, or at once when `broken()` turns true and a fresh look at the
   * filer does not show them flushed; the error then says how far they are persisted.
   */
  waitDurable(topic: string, p: PbPartition, last: bigint, broken: () => boolean): Promise<void> {
    const files = this.files(topic, p);
    if (files.durableThrough >= last) return Promise.resolve();
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
   * Makes the broker's next start continue after every flushed record: when the checkpoint is behind the
   * last flushed offset, writes that offset as the checkpoint. Call before the broker loads the partition.
   */
  async repair(topic: string, p: PbPartition): Promise<PersistedState> {
    const files = this.files(topic, p);
    files.lastSegment = undefined; // a full look: the broker may have flushed anything before it stopped
    await this.refresh(files);
    const checkpoint = files.checkpoint?.offset ?? -1n;
    if (files.flushedThrough > checkpoint) {
      await this.filer.write(`${files.dir}/${CHECKPOINT_FILE}`, checkpointContent(files.flushedThrough));
      this.logger.warn(
        {
          topic,
          dir: files.dir,
          checkpoint: String(checkpoint),
          flushedThrough: String(files.flushedThrough),
        },
        'SeaweedMQ stopped before checkpointing offsets it had flushed; raised its offset checkpoint so ' +
          'a restarted broker does not hand them out again',
      );
      files.checkpoint = { offset: files.flushedThrough, mtimeSec: Math.floor(Date.now() / 1000) };
    }
    return { flushedThrough: files.flushedThrough, checkpoint: files.checkpoint?.offset ?? -1n };
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
    try {
      await this.refresh(f);
    } catch (err) {
      this.logger.debug({ err, dir: f.dir }, 'could not read persistence state; retrying');
    }
    const durable = f.durableThrough;
    const now = Date.now();
    const keep: Waiter[] = [];
    for (const w of f.waiters.splice(0)) {
      if (w.last <= durable) w.resolve();
      else if (w.broken() && w.last <= f.flushedThrough) {
        // The broker went away after flushing them; the repair on its return keeps their offsets.
        w.resolve();
      } else if (w.broken() || now > w.deadline) {
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
        ` (flushed through ${f.flushedThrough}, checkpoint ${f.checkpoint?.offset ?? -1n})`,
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
    let from = f.lastSegment;
    if (from === undefined) {
      const entry = await this.filer.lookup(`${f.dir}/${CHECKPOINT_FILE}`);
      const cp = entry === undefined ? undefined : readCheckpoint(entry);
      from = cp === undefined ? '' : segmentName(cp.mtimeSec * 1000 - LIST_MARGIN_MS);
    }
    const entries = await this.filer.listFrom(f.dir, from, true);
    for (const e of entries) {
      const cp = readCheckpoint(e);
      if (cp !== undefined) f.checkpoint = cp;
    }
    const { flushedThrough, unlabelled } = flushedFromEntries(entries);
    if (flushedThrough > f.flushedThrough) f.flushedThrough = flushedThrough;
    const segments = entries.filter((e) => e.name !== CHECKPOINT_FILE && !e.is_directory);
    if (segments.length > 0) f.lastSegment = segments[segments.length - 1]!.name;
    // A window that started at offset 0 is flushed without offsets: read it, while nothing later says more.
    if (f.flushedThrough < 0n) {
      for (const e of unlabelled) {
        const key = `${e.name}:${e.attributes?.file_size ?? ''}`;
        let last = f.unlabelled.get(key);
        if (last === undefined) {
          last = lastOffsetInSegment(await this.filer.readContent(e));
          f.unlabelled.set(key, last);
        }
        if (last > f.flushedThrough) f.flushedThrough = last;
      }
    }
  }
}

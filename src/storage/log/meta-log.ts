/**
 * A small append-only log of metadata changes (topics, committed offsets, key-value entries, log
 * start offsets). Each entry is framed as [length u32][CRC-32C u32][JSON], appended and fsynced
 * before the change is applied and acknowledged; concurrent changes share one write and one fsync.
 * When the file has grown well past the live state, it is rewritten as a snapshot of that state
 * (written aside, fsynced, renamed over). Chosen over one file per item replaced atomically because
 * offset commits are frequent and small: an append costs one write and one fsync whatever the number
 * of groups, where a file replace costs a create, a rename and two fsyncs.
 */
import { crc32c } from '@node-rs/crc32';
import type { Logger } from 'pino';
import { writeFileAtomic, type LogFile, type LogFs } from './fs.js';

const FRAME_HEADER = 8;
/** Rewrite when the file is this many times the size of a snapshot of the state (and past MIN). */
const REWRITE_FACTOR = 4;
const REWRITE_MIN_BYTES = 4 * 1024 * 1024;

export interface MetaLogOptions<E> {
  readonly fs: LogFs;
  readonly file: string;
  readonly log: Logger;
  /** Applies one entry to the in-memory state (while replaying, and after each append is durable). */
  readonly apply: (entry: E) => void;
  /** The entries that rebuild the current state from nothing. */
  readonly snapshot: () => E[];
}

interface Queued<E> {
  readonly entry: E;
  readonly frame: Buffer;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

export function encodeFrame(entry: unknown): Buffer {
  const json = Buffer.from(JSON.stringify(entry), 'utf8');
  const frame = Buffer.allocUnsafe(FRAME_HEADER + json.length);
  frame.writeUInt32BE(json.length, 0);
  frame.writeUInt32BE(crc32c(json), 4);
  json.copy(frame, FRAME_HEADER);
  return frame;
}

/** The entries of a metadata log file up to its first torn or corrupt frame, and where that is. */
export function decodeFrames<E>(data: Buffer): { entries: E[]; validBytes: number } {
  const entries: E[] = [];
  let at = 0;
  while (at + FRAME_HEADER <= data.length) {
    const length = data.readUInt32BE(at);
    const end = at + FRAME_HEADER + length;
    if (end > data.length) break;
    const json = data.subarray(at + FRAME_HEADER, end);
    if (crc32c(json) !== data.readUInt32BE(at + 4)) break;
    try {
      entries.push(JSON.parse(json.toString('utf8')) as E);
    } catch {
      break;
    }
    at = end;
  }
  return { entries, validBytes: at };
}

export class MetaLog<E> {
  private file: LogFile | undefined;
  private size = 0;
  private queue: Queued<E>[] = [];
  private writing: Promise<void> | undefined;
  private failure: Error | undefined;
  /** File size at which the next rewrite is considered. */
  private rewriteAt = REWRITE_MIN_BYTES;

  constructor(private readonly o: MetaLogOptions<E>) {}

  /** Replays the file into the state, cutting off a torn tail. */
  async open(): Promise<void> {
    const data = (await this.o.fs.readFile(this.o.file)) ?? Buffer.alloc(0);
    const { entries, validBytes } = decodeFrames<E>(data);
    for (const e of entries) this.o.apply(e);
    if (validBytes < data.length) {
      this.o.log.warn(
        { file: this.o.file, entries: entries.length, droppedBytes: data.length - validBytes },
        'metadata log had a torn tail; cut it off',
      );
    }
    if (data.length === 0 || validBytes < data.length) {
      await writeFileAtomic(this.o.fs, this.o.file, data.subarray(0, validBytes));
    }
    this.file = await this.o.fs.open(this.o.file, { dsync: true });
    this.size = validBytes;
  }

  /** Resolves once the entry is durable and applied. */
  append(entry: E): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ entry, frame: encodeFrame(entry), resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.writing !== undefined) return;
    // An append queued after the loop saw an empty queue, but before this settles, starts it again.
    this.writing = this.drain().finally(() => {
      this.writing = undefined;
      if (this.queue.length > 0) this.kick();
    });
  }

  async close(): Promise<void> {
    while (this.writing !== undefined) await this.writing;
    await this.file?.close();
    this.file = undefined;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const group = this.queue;
      this.queue = [];
      try {
        const file = this.file;
        if (file === undefined) throw new Error('metadata log is closed');
        // Opened with O_DSYNC: the write returns once the entries are on disk.
        await file.writev(
          group.map((q) => q.frame),
          this.size,
        );
        this.size += group.reduce((n, q) => n + q.frame.length, 0);
      } catch (err) {
        // What reached the file may or may not be there: nothing more is accepted until a restart,
        // whose replay decides.
        this.failure = err instanceof Error ? err : new Error(String(err));
        this.o.log.error({ err }, 'metadata log write failed');
        for (const q of [...group, ...this.queue]) q.reject(this.failure);
        this.queue = [];
        return;
      }
      for (const q of group) {
        this.o.apply(q.entry);
        q.resolve();
      }
      await this.maybeRewrite();
    }
  }

  private async maybeRewrite(): Promise<void> {
    if (this.size < this.rewriteAt) return;
    const frames = this.o.snapshot().map(encodeFrame);
    const snapshotBytes = frames.reduce((n, f) => n + f.length, 0);
    this.rewriteAt = Math.max(REWRITE_MIN_BYTES, REWRITE_FACTOR * snapshotBytes);
    if (this.size < this.rewriteAt) return;
    try {
      await writeFileAtomic(this.o.fs, this.o.file, Buffer.concat(frames));
      await this.file?.close();
      this.file = await this.o.fs.open(this.o.file, { dsync: true });
      this.o.log.debug({ from: this.size, to: snapshotBytes }, 'rewrote the metadata log');
      this.size = snapshotBytes;
    } catch (err) {
      this.failure = err instanceof Error ? err : new Error(String(err));
      this.o.log.error({ err }, 'metadata log rewrite failed');
    }
  }
}

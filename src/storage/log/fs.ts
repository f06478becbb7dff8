/**
 * The file-system seam of the log store. Everything the store does to disk goes through LogFs, so
 * tests can hand in a file system that tears writes, fails fsync or stops at a crash point (see
 * test/storage/log/support/), as kfake and Nisshi do. NodeLogFs is the real one.
 */
import { constants } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

export interface LogFile {
  readonly path: string;
  /** Writes all of `chunks`, back to back, starting at `position`. */
  writev(chunks: readonly Buffer[], position: number): Promise<void>;
  /** Reads up to `length` bytes at `position` into `into` at `offset`; returns the bytes read. */
  read(into: Buffer, offset: number, length: number, position: number): Promise<number>;
  /** Makes the file's data durable (fdatasync). */
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  size(): Promise<number>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /**
   * Every write is durable when it returns (O_DSYNC): one system call where a write and an
   * fdatasync would take two trips through the thread pool.
   */
  readonly dsync?: boolean;
}

export interface LogFs {
  /** Opens an existing file for reading and writing. */
  open(file: string, options?: OpenOptions): Promise<LogFile>;
  /** Creates a file that must not exist yet, for reading and writing. */
  create(file: string, options?: OpenOptions): Promise<LogFile>;
  mkdirp(dir: string): Promise<void>;
  /** Names in a directory; empty when it does not exist. */
  list(dir: string): Promise<string[]>;
  rename(from: string, to: string): Promise<void>;
  /** Removes a file; a missing one is not an error. */
  remove(file: string): Promise<void>;
  removeTree(dir: string): Promise<void>;
  /** The whole file, or undefined when it does not exist. */
  readFile(file: string): Promise<Buffer | undefined>;
  /** Makes a directory's entries (created, renamed, removed files) durable. */
  syncDir(dir: string): Promise<void>;
}

class NodeLogFile implements LogFile {
  constructor(
    readonly path: string,
    private readonly handle: FileHandle,
  ) {}

  async writev(chunks: readonly Buffer[], position: number): Promise<void> {
    let pending = chunks as Buffer[];
    let at = position;
    for (;;) {
      const total = pending.reduce((n, c) => n + c.length, 0);
      if (total === 0) return;
      const { bytesWritten } = await this.handle.writev(pending, at);
      if (bytesWritten === total) return;
      if (bytesWritten <= 0) throw new Error(`write to ${this.path} made no progress`);
      // A short write (a full disk, a signal): go on with what is left.
      at += bytesWritten;
      pending = skipBytes(pending, bytesWritten);
    }
  }

  async read(into: Buffer, offset: number, length: number, position: number): Promise<number> {
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.handle.read(into, offset + done, length - done, position + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done;
  }

  datasync(): Promise<void> {
    return this.handle.datasync();
  }

  truncate(length: number): Promise<void> {
    return this.handle.truncate(length);
  }

  async size(): Promise<number> {
    return (await this.handle.stat()).size;
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

function dsync(options: OpenOptions): number {
  return options.dsync === true ? constants.O_DSYNC : 0;
}

/** The chunks without their first `n` bytes. */
export function skipBytes(chunks: readonly Buffer[], n: number): Buffer[] {
  const out: Buffer[] = [];
  let left = n;
  for (const c of chunks) {
    if (left >= c.length) {
      left -= c.length;
      continue;
    }
    out.push(left > 0 ? c.subarray(left) : c);
    left = 0;
  }
  return out;
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}

export class NodeLogFs implements LogFs {
  async open(file: string, options: OpenOptions = {}): Promise<LogFile> {
    return new NodeLogFile(file, await open(file, constants.O_RDWR | dsync(options)));
  }

  async create(file: string, options: OpenOptions = {}): Promise<LogFile> {
    const flags = constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | dsync(options);
    return new NodeLogFile(file, await open(file, flags));
  }

  async mkdirp(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
  }

  async list(dir: string): Promise<string[]> {
    try {
      return await readdir(dir);
    } catch (err) {
      if (isMissing(err)) return [];
      throw err;
    }
  }

  rename(from: string, to: string): Promise<void> {
    return rename(from, to);
  }

  async remove(file: string): Promise<void> {
    await rm(file, { force: true });
  }

  async removeTree(dir: string): Promise<void> {
    await rm(dir, { recursive: true, force: true });
  }

  async readFile(file: string): Promise<Buffer | undefined> {
    try {
      return await readFile(file);
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  async syncDir(dir: string): Promise<void> {
    const handle = await open(dir, constants.O_RDONLY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}

/**
 * Replaces `file` with `data` so that a crash leaves either the old or the new content: write a
 * temporary file, fsync it, rename it over the old one, fsync the directory.
 */
export async function writeFileAtomic(fs: LogFs, file: string, data: Buffer): Promise<void> {
  const tmp = `${file}.tmp`;
  await fs.remove(tmp);
  const handle = await fs.create(tmp);
  try {
    await handle.writev([data], 0);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await fs.rename(tmp, file);
  await fs.syncDir(path.dirname(file));
}

/**
 * A LogFs over the real one that injects the failures a disk and a machine produce: a write torn
 * after some bytes with the process gone (a crash point), a failing fsync, a failing write, and a
 * power loss that drops everything written since each file's last fsync.
 */
import { truncateSync } from 'node:fs';
import { NodeLogFs, type LogFile, type LogFs, type OpenOptions } from '../../../../src/storage/log/fs.js';

export class CrashedError extends Error {
  constructor() {
    super('simulated crash: the process is gone');
  }
}

interface Tracked {
  synced: number;
}

export class FaultyFs implements LogFs {
  private readonly real = new NodeLogFs();
  /** Files written through this file system and their size at the last fsync. */
  readonly tracked = new Map<string, Tracked>();
  crashed = false;
  /** The next write to a matching file writes only this many bytes, then the process "dies". */
  tearNextWrite: { match: (file: string) => boolean; keepBytes: number } | undefined;
  /** Matching fsyncs fail with EIO. */
  failSync: ((file: string) => boolean) | undefined;
  /** Matching writes fail with ENOSPC, writing nothing. */
  failWrite: ((file: string) => boolean) | undefined;
  /** A crash point: the process "dies" just before the first matching operation. */
  crashBefore: ((op: string, file: string) => boolean) | undefined;

  /** Drops every byte written after each file's last fsync, as a power cut does. */
  powerLoss(): void {
    this.crashed = true;
    for (const [file, t] of this.tracked) {
      try {
        truncateSync(file, t.synced);
      } catch {
        // removed since
      }
    }
  }

  check(op = '', file = ''): void {
    if (!this.crashed && this.crashBefore?.(op, file)) this.crashed = true;
    if (this.crashed) throw new CrashedError();
  }

  async open(file: string, options: OpenOptions = {}): Promise<LogFile> {
    this.check('open', file);
    const inner = await this.real.open(file, options);
    // What a file held when it was opened counts as on disk.
    if (!this.tracked.has(file)) this.tracked.set(file, { synced: await inner.size() });
    return this.wrap(inner, options.dsync === true);
  }

  async create(file: string, options: OpenOptions = {}): Promise<LogFile> {
    this.check('create', file);
    this.tracked.set(file, { synced: 0 });
    return this.wrap(await this.real.create(file, options), options.dsync === true);
  }

  async mkdirp(dir: string): Promise<void> {
    this.check();
    await this.real.mkdirp(dir);
  }

  async list(dir: string): Promise<string[]> {
    this.check();
    return this.real.list(dir);
  }

  async rename(from: string, to: string): Promise<void> {
    this.check('rename', from);
    await this.real.rename(from, to);
    const t = this.tracked.get(from);
    if (t !== undefined) {
      this.tracked.delete(from);
      this.tracked.set(to, t);
    }
  }

  async remove(file: string): Promise<void> {
    this.check('remove', file);
    this.tracked.delete(file);
    await this.real.remove(file);
  }

  async removeTree(dir: string): Promise<void> {
    this.check();
    await this.real.removeTree(dir);
  }

  async readFile(file: string): Promise<Buffer | undefined> {
    this.check();
    return this.real.readFile(file);
  }

  async syncDir(dir: string): Promise<void> {
    this.check();
    await this.real.syncDir(dir);
  }

  private wrap(inner: LogFile, dsync: boolean): LogFile {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const fs = this;
    const file = inner.path;
    const markSynced = async (f: LogFile): Promise<void> => {
      const t = fs.tracked.get(file) ?? { synced: 0 };
      t.synced = await f.size();
      fs.tracked.set(file, t);
    };
    return {
      path: file,
      async writev(chunks, position) {
        fs.check('write', file);
        if (fs.failWrite?.(file)) {
          throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
        }
        const tear = fs.tearNextWrite;
        if (tear !== undefined && tear.match(file)) {
          fs.tearNextWrite = undefined;
          const all = Buffer.concat(chunks);
          await inner.writev([all.subarray(0, tear.keepBytes)], position);
          fs.crashed = true;
          throw new CrashedError();
        }
        await inner.writev(chunks, position);
        // With O_DSYNC the sync is part of the write, and so is its failure (the bytes may be there).
        if (dsync && fs.failSync?.(file))
          throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
        if (dsync) await markSynced(inner);
      },
      read: (into, offset, length, position) => {
        fs.check();
        return inner.read(into, offset, length, position);
      },
      async datasync() {
        fs.check();
        if (fs.failSync?.(file)) throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
        await inner.datasync();
        await markSynced(inner);
      },
      truncate: async (length) => {
        fs.check();
        await inner.truncate(length);
        const t = fs.tracked.get(file);
        if (t !== undefined && t.synced > length) t.synced = length;
      },
      size: () => inner.size(),
      close: () => inner.close(),
    };
  }
}

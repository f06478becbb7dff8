/** Small-file and directory operations on the SeaweedFS filer, addressed by absolute path. */
import { status } from '@grpc/grpc-js';
import type { Discovery } from './discovery.js';
import { isFilerNotFound, isServiceError, toKafkaError } from './errors.js';
import { FilerClient, type PbEntry } from './proto.js';
import { collect, unary, type ClientPool } from './rpc.js';

const LIST_PAGE = 1000;

export function splitPath(path: string): { dir: string; name: string } {
  const i = path.lastIndexOf('/');
  return { dir: i <= 0 ? '/' : path.slice(0, i), name: path.slice(i + 1) };
}

/**
 * A path component that survives the filer: any string, with '/' and control characters escaped.
 * Ordinary Kafka names (letters, digits, '.', '_', '-') stay as they are, so paths match the layout
 * SeaweedFS's own Kafka gateway writes.
 */
export function pathComponent(s: string): string {
  if (s === '' || s === '.' || s === '..') return `%${Buffer.from(s).toString('hex')}%`;
  return encodeURIComponent(s);
}

export function fromPathComponent(s: string): string {
  if (s.startsWith('%') && s.endsWith('%') && s.length >= 2 && !s.slice(1, -1).includes('%')) {
    return Buffer.from(s.slice(1, -1), 'hex').toString();
  }
  return decodeURIComponent(s);
}

export class Filer {
  constructor(
    private readonly discovery: Discovery,
    private readonly pool: ClientPool,
    private readonly timeoutMs: number,
  ) {}

  /** The entry, or undefined when it does not exist. */
  async lookup(path: string): Promise<PbEntry | undefined> {
    const { dir, name } = splitPath(path);
    try {
      const res = await this.call<{ entry: PbEntry | null }>('LookupDirectoryEntry', {
        directory: dir,
        name,
      });
      return res.entry ?? undefined;
    } catch (err) {
      if (isFilerNotFound(err)) return undefined;
      throw this.fail(err, `filer lookup ${path}`);
    }
  }

  async read(path: string): Promise<Buffer | undefined> {
    const entry = await this.lookup(path);
    if (entry === undefined || entry.is_directory) return undefined;
    return entry.content;
  }

  /**
   * Writes a small file inline in the filer's metadata (no volume chunks), creating parent directories.
   * With exclusive, fails (returns false) when the file already exists.
   */
  async write(path: string, content: Buffer, exclusive = false): Promise<boolean> {
    const { dir, name } = splitPath(path);
    const now = Math.floor(Date.now() / 1000);
    const entry = {
      name,
      is_directory: false,
      attributes: {
        file_size: String(content.length),
        mtime: String(now),
        crtime: String(now),
        file_mode: 0o644,
      },
      content,
    };
    let res: { error: string; error_code: number };
    try {
      res = await this.call('CreateEntry', { directory: dir, entry, o_excl: exclusive });
    } catch (err) {
      throw this.fail(err, `filer write ${path}`);
    }
    if (res.error_code === 5 || (exclusive && /exist/i.test(res.error))) return false;
    if (res.error) throw toKafkaError(new Error(res.error), `filer write ${path}`);
    return true;
  }

  /** Deletes a file or a whole directory tree; a missing path is not an error. */
  async remove(path: string): Promise<void> {
    const { dir, name } = splitPath(path);
    let res: { error: string };
    try {
      res = await this.call('DeleteEntry', {
        directory: dir,
        name,
        is_delete_data: true,
        is_recursive: true,
        ignore_recursive_error: true,
      });
    } catch (err) {
      if (isFilerNotFound(err)) return;
      throw this.fail(err, `filer delete ${path}`);
    }
    if (res.error && !/not found|no entry/i.test(res.error)) {
      throw toKafkaError(new Error(res.error), `filer delete ${path}`);
    }
  }

  /** Every entry of a directory (content included), or [] when the directory does not exist. */
  list(dir: string): Promise<PbEntry[]> {
    return this.listFrom(dir, '', false);
  }

  /**
   * The entries of a directory whose names sort at or after `start` (after it unless inclusive), in
   * name order, or [] when the directory does not exist.
   */
  async listFrom(dir: string, from: string, inclusive: boolean): Promise<PbEntry[]> {
    const out: PbEntry[] = [];
    let start = from;
    let inclusiveStart = inclusive;
    for (;;) {
      let page: { entry: PbEntry | null }[];
      try {
        page = await collect(
          this.client(),
          'ListEntries',
          {
            directory: dir,
            startFromFileName: start,
            inclusiveStartFrom: inclusiveStart,
            limit: LIST_PAGE,
          },
          this.timeoutMs,
        );
      } catch (err) {
        if (isFilerNotFound(err)) return out;
        throw this.fail(err, `filer list ${dir}`);
      }
      for (const p of page) if (p.entry) out.push(p.entry);
      if (page.length < LIST_PAGE) return out;
      start = page[page.length - 1]!.entry?.name ?? '';
      inclusiveStart = false;
    }
  }

  /**
   * A file's bytes, read chunk by chunk from the volume servers. (The filer's HTTP interface cannot
   * serve a log segment: it sends extended attributes as headers, and SeaweedMQ's are binary.)
   */
  async readContent(entry: PbEntry): Promise<Buffer> {
    if (entry.content.length > 0 || entry.chunks.length === 0) return entry.content;
    const chunks = [...entry.chunks].sort((a, b) => Number(BigInt(a.offset) - BigInt(b.offset)));
    if (chunks.some((c) => c.is_chunk_manifest || c.cipher_key.length > 0)) {
      throw toKafkaError(
        new Error('chunk manifests and encrypted chunks are not read'),
        `filer read ${entry.name}`,
      );
    }
    const volumes = [...new Set(chunks.map((c) => c.file_id.split(',')[0]!))];
    let res: { locations_map: Record<string, { locations: { url: string }[] }> };
    try {
      res = await this.call('LookupVolume', { volume_ids: volumes });
    } catch (err) {
      throw this.fail(err, `volume lookup for ${entry.name}`);
    }
    const parts = await Promise.all(
      chunks.map(async (c) => {
        const url = res.locations_map[c.file_id.split(',')[0]!]?.locations[0]?.url;
        if (url === undefined)
          throw toKafkaError(new Error(`no location for ${c.file_id}`), `read ${entry.name}`);
        let got: Response;
        try {
          // fetch asks for and undoes gzip, so a compressed chunk arrives as its original bytes.
          got = await fetch(`http://${url}/${c.file_id}`, { signal: AbortSignal.timeout(this.timeoutMs) });
        } catch (err) {
          throw toKafkaError(err, `read chunk ${c.file_id} of ${entry.name}`);
        }
        if (!got.ok)
          throw toKafkaError(new Error(`HTTP ${got.status}`), `read chunk ${c.file_id} of ${entry.name}`);
        return Buffer.from(await got.arrayBuffer());
      }),
    );
    return Buffer.concat(parts);
  }

  private client() {
    return this.pool.get(FilerClient, this.discovery.filer());
  }

  private call<T>(method: string, request: object): Promise<T> {
    return unary<T>(this.client(), method, request, this.timeoutMs);
  }

  private fail(err: unknown, what: string) {
    if (isServiceError(err) && (err.code === status.UNAVAILABLE || err.code === status.DEADLINE_EXCEEDED)) {
      try {
        this.discovery.reportFailure(this.discovery.filer(), err);
      } catch {
        // not connected at all: discovery is already retrying
      }
    }
    return toKafkaError(err, what);
  }
}

/** A SeaweedMqStorage connected to the suite's SeaweedFS, in its own namespace so files do not collide. */
import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { inject } from 'vitest';
import { silentLogger } from '../../../src/log.js';
import { SeaweedMqStorage } from '../../../src/storage/seaweedmq/index.js';
import type { SeaweedMqOptions } from '../../../src/storage/seaweedmq/options.js';
import { FilerClient, type PbEntry } from '../../../src/storage/seaweedmq/proto.js';

export function cluster() {
  return inject('seaweed');
}

export function uniqueNamespace(prefix = 't'): string {
  return `${prefix}${randomBytes(4).toString('hex')}`;
}

export async function connectedStorage(options: Partial<SeaweedMqOptions> = {}): Promise<SeaweedMqStorage> {
  const storage = new SeaweedMqStorage({
    masters: [cluster().masters],
    namespace: options.namespace ?? uniqueNamespace(),
    logger: silentLogger,
    ...options,
  });
  await storage.start();
  await storage.waitConnected(30_000);
  return storage;
}

function filerCall<T>(method: string, request: object): Promise<T[]> {
  const client = new FilerClient(
    `127.0.0.1:${cluster().filerPort + 10000}`,
    grpc.credentials.createInsecure(),
  );
  return new Promise<T[]>((resolve, reject) => {
    const fn = (client as unknown as Record<string, (...a: unknown[]) => unknown>)[method]!;
    if (method === 'ListEntries') {
      const out: T[] = [];
      const stream = fn.call(client, request) as grpc.ClientReadableStream<T>;
      stream.on('data', (d: T) => out.push(d));
      stream.on('error', (err: Error) => (client.close(), reject(err)));
      stream.on('end', () => (client.close(), resolve(out)));
      return;
    }
    fn.call(client, request, (err: Error | null, res: T) => {
      client.close();
      if (err) reject(err);
      else resolve([res]);
    });
  });
}

/** Reads a file straight from the suite's filer, to check what other SeaweedFS tools would see. */
export async function readFilerFile(path: string): Promise<Buffer | undefined> {
  const i = path.lastIndexOf('/');
  try {
    const [res] = await filerCall<{ entry: PbEntry | null }>('LookupDirectoryEntry', {
      directory: path.slice(0, i),
      name: path.slice(i + 1),
    });
    return res?.entry?.content;
  } catch (err) {
    if (/no entry is found/.test((err as Error).message)) return undefined;
    throw err;
  }
}

/** Entries of a filer directory ([] when it does not exist). */
export async function listFiler(dir: string): Promise<PbEntry[]> {
  const res = await filerCall<{ entry: PbEntry | null }>('ListEntries', {
    directory: dir,
    limit: 10000,
  }).catch(() => []);
  return res.flatMap((r) => (r.entry ? [r.entry] : []));
}

/**
 * Resolves once the broker has flushed at least `count` log segments of the topic to the filer
 * (SeaweedMQ flushes when a partition's last publisher leaves). Fails after timeoutMs.
 */
export async function waitSegments(
  namespace: string,
  topic: string,
  count: number,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const base = `/topics/${namespace}/${topic}`;
  for (;;) {
    let segments = 0;
    for (const version of (await listFiler(base)).filter((e) => e.is_directory)) {
      for (const range of (await listFiler(`${base}/${version.name}`)).filter((e) => e.is_directory)) {
        const files = await listFiler(`${base}/${version.name}/${range.name}`);
        segments += files.filter((f) => !f.is_directory && f.name !== 'checkpoint.offset').length;
      }
    }
    if (segments >= count) return;
    if (Date.now() > deadline) {
      throw new Error(
        `${namespace}/${topic} has ${segments} flushed segments, not ${count}, after ${timeoutMs} ms`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Resolves once SeaweedMQ's offset manager has checkpointed `offset` as the last one it assigned in
 * the topic's single partition (it does so every 2 s, in <partition dir>/checkpoint.offset).
 */
export async function waitCheckpoint(
  namespace: string,
  topic: string,
  offset: bigint,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const base = `/topics/${namespace}/${topic}`;
  for (;;) {
    let seen = -1n;
    for (const version of (await listFiler(base)).filter((e) => e.is_directory)) {
      for (const range of (await listFiler(`${base}/${version.name}`)).filter((e) => e.is_directory)) {
        const content = await readFilerFile(`${base}/${version.name}/${range.name}/checkpoint.offset`);
        if (content?.length === 8) seen = content.readBigInt64BE(0);
      }
    }
    if (seen >= offset) return;
    if (Date.now() > deadline)
      throw new Error(`checkpoint of ${namespace}/${topic} is ${seen}, not ${offset}, after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

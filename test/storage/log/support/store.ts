/** Opening log stores on a data directory over a fault-injecting file system, and reading them back. */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { silentLogger } from '../../../../src/log.js';
import { LogStorage } from '../../../../src/storage/log/log-storage.js';
import type { LogDefaults } from '../../../../src/storage/log/settings.js';
import { valuesFrom } from '../../helpers.js';
import { FaultyFs } from './faulty-fs.js';

export interface OpenStore {
  readonly store: LogStorage;
  readonly fs: FaultyFs;
}

export async function openStore(dataDir: string, defaults?: Partial<LogDefaults>): Promise<OpenStore> {
  const fs = new FaultyFs();
  const store = new LogStorage({ dataDir, logger: silentLogger, fs, defaults });
  await store.start();
  return { store, fs };
}

/** The process "dies": every later file operation of this store fails, nothing is closed. */
export function kill(open: OpenStore): void {
  open.fs.crashed = true;
}

/** Every value in the partition from its log start, in offset order. */
export async function allValues(store: LogStorage, topic: string, partition = 0): Promise<string[]> {
  const { logStartOffset, highWatermark } = await store.offsets(topic, partition);
  const out: string[] = [];
  let offset = logStartOffset;
  while (offset < highWatermark) {
    const read = await store.read(topic, partition, offset, 1 << 20);
    const values = valuesFrom(read, offset);
    out.push(...values);
    const last = read.batches[read.batches.length - 1]!;
    offset = last.readBigInt64BE(0) + BigInt(last.readInt32BE(23)) + 1n;
  }
  return out;
}

/** Paths of a partition's segment files, oldest first. */
export function segmentFiles(dataDir: string, topicId: string, partition = 0): string[] {
  const dir = path.join(dataDir, 'logs', topicId, String(partition));
  return readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .sort()
    .map((f) => path.join(dir, f));
}

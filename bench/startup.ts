import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { ProducerRegistry } from '../src/producers/producer-state.js';
import { ProducerStateStore } from '../src/producers/snapshots.js';
import { RecordBatch } from '../src/protocol/records/batch.js';
import { buildRecordBatch } from '../src/protocol/records/builder.js';
import { LogStorage } from '../src/storage/log/log-storage.js';

// npx tsx bench/startup.ts [--gib 10] [--partitions 8] [--dir /tmp]
// How long the log store takes to open a data directory holding --gib GiB of 1 KiB records, after a
// clean shutdown and after crashes (with recovery points, and with none: every segment scanned), with
// the page cache warm and evicted for the directory's files (posix_fadvise DONTNEED, through python3,
// so other processes' cached data is left alone). The directory is removed at the end.

const { values: flags } = parseArgs({
  options: {
    gib: { type: 'string', default: '10' },
    partitions: { type: 'string', default: '8' },
    dir: { type: 'string', default: tmpdir() },
  },
});
const GIB = 1024 ** 3;
const BATCH_RECORDS = 64;
const log = pino({ level: 'warn' });

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

function evictCache(dir: string): void {
  const script =
    'import os,sys\nfor f in sys.argv[1:]:\n fd=os.open(f,os.O_RDONLY)\n os.posix_fadvise(fd,0,0,os.POSIX_FADV_DONTNEED)\n os.close(fd)';
  execFileSync('python3', ['-c', script, ...files(dir)]);
}

async function timed<T>(what: string, work: () => Promise<T>): Promise<T> {
  const began = performance.now();
  const result = await work();
  console.log(`${what}: ${((performance.now() - began) / 1000).toFixed(2)} s`);
  return result;
}

async function open(dir: string): Promise<LogStorage> {
  const store = new LogStorage({ dataDir: dir, logger: log, defaults: { flushIntervalMessages: 2n ** 62n } });
  await store.start();
  return store;
}

/** The producer state a gateway restores at start: snapshots, then the log after them. */
async function restoreProducers(store: LogStorage): Promise<ProducerStateStore> {
  const state = new ProducerStateStore(new ProducerRegistry(), store, log, { intervalMs: 3_600_000 });
  await state.loadInBackground();
  return state;
}

async function fill(store: LogStorage, partitions: number, bytes: number): Promise<void> {
  await store.createTopic({ name: 'big', partitions, configs: {} });
  const value = Buffer.alloc(1024 - 16, 7);
  const template = buildRecordBatch({
    producerId: 1n,
    producerEpoch: 0,
    baseSequence: 0,
    records: Array.from({ length: BATCH_RECORDS }, (_, i) => ({
      key: Buffer.from(`key-${i}`.padEnd(16)),
      value,
    })),
  });
  const perPartition = Math.ceil(bytes / template.length / partitions);
  await Promise.all(
    Array.from({ length: partitions }, async (_, p) => {
      for (let i = 0; i < perPartition; i++) {
        const batch = Buffer.from(template);
        batch.writeInt32BE(i * BATCH_RECORDS, 53); // base sequence, so replay sees a real producer
        new RecordBatch(batch).updateCrc();
        await store.append('big', p, batch);
      }
    }),
  );
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(flags.dir, 'startup-bench-'));
  const partitions = Number(flags.partitions);
  try {
    let store = await open(dir);
    await timed(`writing ${flags.gib} GiB to ${partitions} partitions`, () =>
      fill(store, partitions, Number(flags.gib) * GIB),
    );
    const state = await timed('first producer-state restore, no snapshot (replays every batch header)', () =>
      restoreProducers(store),
    );
    await state.snapshotNow();
    await store.close();
    const size = files(dir).reduce((n, f) => n + statSync(f).size, 0);
    console.log(`data directory: ${(size / GIB).toFixed(2)} GiB in ${files(dir).length} files`);

    const crashed = (): void => rmSync(path.join(dir, '.clean-shutdown'));
    const noRecoveryPoints = (): void => rmSync(path.join(dir, 'recovery-points.json'));
    const scenarios: [string, () => void][] = [
      ['after a clean shutdown', () => {}],
      ['after a crash, recovery points at the last checkpoint', crashed],
      ['after a crash, no recovery points (every segment scanned)', () => (crashed(), noRecoveryPoints())],
    ];
    for (const [what, prepare] of scenarios) {
      for (const cache of ['warm', 'cold']) {
        prepare();
        if (cache === 'cold') evictCache(dir);
        store = await timed(`open ${what}, ${cache} cache`, () => open(dir));
        await store.close();
      }
    }
    store = await open(dir);
    await timed('producer-state restore from snapshots', () => restoreProducers(store));
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});

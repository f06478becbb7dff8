/** Recovery of the log store after crashes: torn and corrupt tails, clean restarts, recovery points. */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { batchOf } from '../helpers.js';
import { allValues, kill, openStore, segmentFiles, type OpenStore } from './support/store.js';
import { tempDirs } from './temp-dir.js';

const newDir = tempDirs('log-recovery');
const values = (label: string, n: number): string[] => Array.from({ length: n }, (_, i) => `v-${label}-${i}`);

/** A topic with batches a (2 records), b (2), c (3); returns its id and the batch sizes. */
async function threeBatches(open: OpenStore): Promise<{ id: string; sizes: number[] }> {
  const { store } = open;
  const { id } = await store.createTopic({ name: 't', partitions: 1, configs: {} });
  const batches = [batchOf(2, 'a'), batchOf(2, 'b'), batchOf(3, 'c')];
  const sizes = batches.map((b) => b.length);
  for (const b of batches) await store.append('t', 0, b);
  return { id, sizes };
}

describe('log store recovery', () => {
  it('cuts a torn last batch off at every byte it could have stopped at', async () => {
    const dir = newDir();
    const first = await openStore(dir);
    const { id, sizes } = await threeBatches(first);
    kill(first);
    const [file] = segmentFiles(dir, id);
    const full = readFileSync(file!);
    const kept = sizes[0]! + sizes[1]!;
    expect(full.length).toBe(kept + sizes[2]!);
    for (let cut = kept; cut < full.length; cut++) {
      writeFileSync(file!, full.subarray(0, cut));
      const open = await openStore(dir);
      expect(await open.store.offsets('t', 0)).toEqual({ logStartOffset: 0n, highWatermark: 4n });
      expect(await allValues(open.store, 't')).toEqual([...values('a', 2), ...values('b', 2)]);
      expect(readFileSync(file!).length).toBe(kept);
      kill(open);
    }
    // Once recovered, the log goes on from where it was cut.
    const open = await openStore(dir);
    expect((await open.store.append('t', 0, batchOf(1, 'd'))).baseOffset).toBe(4n);
    expect(await allValues(open.store, 't')).toEqual([...values('a', 2), ...values('b', 2), 'v-d-0']);
    await open.store.close();
  });

  it('cuts off a last batch with any one byte of it damaged', async () => {
    const dir = newDir();
    const first = await openStore(dir);
    const { id, sizes } = await threeBatches(first);
    kill(first);
    const [file] = segmentFiles(dir, id);
    const full = readFileSync(file!);
    const start = sizes[0]! + sizes[1]!;
    // Every byte but the base offset and leader epoch, which no checksum covers (as in Kafka).
    const damaged = [...Array(full.length - start).keys()]
      .map((i) => start + i)
      .filter((at) => !(at - start < 8 || (at - start >= 12 && at - start < 16)));
    for (const at of damaged) {
      const copy = Buffer.from(full);
      copy[at]! ^= 0x5a;
      writeFileSync(file!, copy);
      const open = await openStore(dir);
      expect((await open.store.offsets('t', 0)).highWatermark, `byte ${at}`).toBe(4n);
      kill(open);
    }
  });

  it('keeps every acknowledged append when a later write is torn by a crash', async () => {
    const dir = newDir();
    const first = await openStore(dir);
    await first.store.createTopic({ name: 't', partitions: 1, configs: {} });
    await first.store.append('t', 0, batchOf(2, 'a'));
    first.fs.tearNextWrite = { match: (f) => f.endsWith('.log'), keepBytes: 30 };
    await expect(first.store.append('t', 0, batchOf(2, 'b'))).rejects.toMatchObject({ code: 56 });
    const open = await openStore(dir);
    expect(await allValues(open.store, 't')).toEqual(values('a', 2));
    await open.store.close();
  });

  it('cuts a torn tail off the metadata log at every byte of its last entry', async () => {
    const dir = newDir();
    const first = await openStore(dir);
    const offset = { topic: 'x', partition: 0, leaderEpoch: -1, metadata: null, commitTimestampMs: 1n };
    await first.store.commitOffsets('g', [{ ...offset, offset: 5n }]);
    const file = path.join(dir, 'meta', 'metadata.log');
    const before = readFileSync(file).length;
    await first.store.commitOffsets('g', [{ ...offset, offset: 9n }]);
    kill(first);
    const full = readFileSync(file);
    for (let cut = before; cut < full.length; cut++) {
      writeFileSync(file, full.subarray(0, cut));
      const open = await openStore(dir);
      expect(await open.store.fetchOffsets('g')).toEqual([{ ...offset, offset: 5n }]);
      kill(open);
    }
  });

  it('restarts cleanly from index files without scanning, and rebuilds a missing index', async () => {
    const dir = newDir();
    const small = { segmentBytes: 400, indexIntervalBytes: 100 };
    const first = await openStore(dir, small);
    const { id } = await first.store.createTopic({ name: 't', partitions: 1, configs: {} });
    for (let i = 0; i < 20; i++) await first.store.append('t', 0, batchOf(2, `b${i}`));
    const expected = await allValues(first.store, 't');
    await first.store.close();
    expect(existsSync(path.join(dir, '.clean-shutdown'))).toBe(true);
    const files = segmentFiles(dir, id);
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) expect(existsSync(f.replace(/\.log$/, '.index'))).toBe(true);

    const second = await openStore(dir, small);
    expect(second.store.partitionLog('t', 0).loaded.scannedBatches).toBe(0);
    expect(await allValues(second.store, 't')).toEqual(expected);
    await second.store.close();

    rmSync(files[1]!.replace(/\.log$/, '.index'));
    writeFileSync(files[2]!.replace(/\.log$/, '.timeindex'), Buffer.from([1, 2, 3]));
    const third = await openStore(dir, small);
    expect(await allValues(third.store, 't')).toEqual(expected);
    expect(await third.store.offsetForTimestamp('t', 0, 0n)).toEqual({ offset: 0n, timestamp: 1_000n });
    await third.store.close();
  });

  it('scans only the segments from the recovery point on after a crash', async () => {
    const dir = newDir();
    const small = { segmentBytes: 400 };
    const first = await openStore(dir, small);
    await first.store.createTopic({ name: 't', partitions: 1, configs: {} });
    for (let i = 0; i < 30; i++) await first.store.append('t', 0, batchOf(2, `b${i}`));
    const expected = await allValues(first.store, 't');
    await first.store.checkpoint();
    for (let i = 30; i < 32; i++) await first.store.append('t', 0, batchOf(2, `b${i}`));
    expected.push(...values('b30', 2), ...values('b31', 2));
    kill(first);

    const second = await openStore(dir, small);
    const scanned = second.store.partitionLog('t', 0).loaded.scannedBatches;
    expect(scanned).toBeGreaterThanOrEqual(2);
    expect(scanned).toBeLessThan(10);
    expect(await allValues(second.store, 't')).toEqual(expected);
    await second.store.close();
  });

  it('refuses a data directory another live process holds', async () => {
    const dir = newDir();
    const first = await openStore(dir);
    await first.store.close();
    writeFileSync(path.join(dir, '.lock'), `${process.ppid}\n`);
    await expect(openStore(dir)).rejects.toThrow(/in use by process/);
    // A lock left by a process that is gone is taken over.
    writeFileSync(path.join(dir, '.lock'), '999999999\n');
    const again = await openStore(dir);
    await again.store.close();
  });

  it.skipIf(!existsSync('/proc/self/stat'))(
    'takes over a lock whose pid now belongs to another process (different start time)',
    async () => {
      const dir = newDir();
      const first = await openStore(dir);
      await first.store.close();
      const ppidStart = readFileSync(`/proc/${process.ppid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19]!;
      writeFileSync(path.join(dir, '.lock'), `${process.ppid} ${ppidStart}\n`);
      await expect(openStore(dir)).rejects.toThrow(/in use by process/);
      writeFileSync(path.join(dir, '.lock'), `${process.ppid} 1\n`);
      const again = await openStore(dir);
      await again.store.close();
    },
  );
});

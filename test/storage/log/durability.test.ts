/** The fsync policy: what an acknowledged append survives, and what a failing disk does to a partition. */
import { describe, expect, it } from 'vitest';
import { batchOf } from '../helpers.js';
import { allValues, kill, openStore } from './support/store.js';
import { tempDirs } from './temp-dir.js';

const newDir = tempDirs('log-durability');
const NEVER = 2n ** 63n - 1n;

/** Appends `n` one-record batches to each partition concurrently; returns the values acknowledged. */
async function produceConcurrently(
  open: Awaited<ReturnType<typeof openStore>>,
  partitions: number,
  n: number,
): Promise<string[][]> {
  const acked: string[][] = Array.from({ length: partitions }, () => []);
  await Promise.all(
    Array.from({ length: partitions * n }, async (_, i) => {
      const p = i % partitions;
      const label = `p${p}n${i}`;
      await open.store.append('t', p, batchOf(1, label));
      acked[p]!.push(`v-${label}-0`);
    }),
  );
  return acked;
}

describe('log store durability', () => {
  it('by default keeps every acknowledged append through a power loss', async () => {
    const dir = newDir();
    const first = await openStore(dir);
    await first.store.createTopic({ name: 't', partitions: 3, configs: {} });
    const acked = await produceConcurrently(first, 3, 60);
    first.fs.powerLoss();
    const second = await openStore(dir);
    for (let p = 0; p < 3; p++) {
      expect((await allValues(second.store, 't', p)).sort()).toEqual([...acked[p]!].sort());
    }
    await second.store.close();
  });

  it('loses unflushed appends in a power loss when told not to fsync (the Kafka default)', async () => {
    const dir = newDir();
    const first = await openStore(dir, { flushIntervalMessages: NEVER });
    await first.store.createTopic({ name: 't', partitions: 1, configs: {} });
    await produceConcurrently(first, 1, 20);
    expect((await first.store.offsets('t', 0)).highWatermark).toBe(20n);
    first.fs.powerLoss();
    const second = await openStore(dir, { flushIntervalMessages: NEVER });
    expect((await second.store.offsets('t', 0)).highWatermark).toBeLessThan(20n);
    await second.store.close();
  });

  it('fsyncs a topic with flush.messages=1 although the broker default does not', async () => {
    const dir = newDir();
    const first = await openStore(dir, { flushIntervalMessages: NEVER });
    await first.store.createTopic({ name: 't', partitions: 1, configs: { 'flush.messages': '1' } });
    const [acked] = await produceConcurrently(first, 1, 20);
    first.fs.powerLoss();
    const second = await openStore(dir, { flushIntervalMessages: NEVER });
    expect((await allValues(second.store, 't')).sort()).toEqual([...acked!].sort());
    await second.store.close();
  });

  it('flushes within flush.ms when appends do not wait for fsync', async () => {
    const dir = newDir();
    const first = await openStore(dir, { flushIntervalMessages: NEVER, flushIntervalMs: 50n });
    await first.store.createTopic({ name: 't', partitions: 1, configs: {} });
    await produceConcurrently(first, 1, 5);
    const log = first.store.partitionLog('t', 0);
    const deadline = Date.now() + 20_000;
    while (log.appender.durableEnd < 5n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(log.appender.durableEnd).toBe(5n);
    first.fs.powerLoss();
    const second = await openStore(dir);
    expect((await second.store.offsets('t', 0)).highWatermark).toBe(5n);
    await second.store.close();
  });

  it('takes a partition offline when fsync fails, and keeps the others serving', async () => {
    const dir = newDir();
    const first = await openStore(dir);
    const { id } = await first.store.createTopic({ name: 't', partitions: 2, configs: {} });
    await first.store.append('t', 0, batchOf(1, 'before'));
    first.fs.failSync = (file) => file.includes(`${id}/0/`);
    await expect(first.store.append('t', 0, batchOf(1, 'lost'))).rejects.toMatchObject({ code: 56 });
    await expect(first.store.append('t', 0, batchOf(1, 'after'))).rejects.toThrow(/offline/);
    await expect(first.store.read('t', 0, 0n, 1000)).rejects.toMatchObject({ code: 56 });
    await first.store.append('t', 1, batchOf(1, 'other'));
    expect(await allValues(first.store, 't', 1)).toEqual(['v-other-0']);
    first.fs.failSync = undefined;
    kill(first);

    const second = await openStore(dir);
    const recovered = await allValues(second.store, 't', 0);
    expect(recovered[0]).toBe('v-before-0');
    expect(recovered).not.toContain('v-after-0');
    expect((await second.store.append('t', 0, batchOf(1, 'again'))).baseOffset).toBe(
      BigInt(recovered.length),
    );
    await second.store.close();
  });

  it('refuses an append the disk cannot take and goes on with the next', async () => {
    const dir = newDir();
    const open = await openStore(dir);
    await open.store.createTopic({ name: 't', partitions: 1, configs: {} });
    await open.store.append('t', 0, batchOf(2, 'a'));
    open.fs.failWrite = () => true;
    await expect(open.store.append('t', 0, batchOf(2, 'b'))).rejects.toMatchObject({ code: 56 });
    open.fs.failWrite = undefined;
    expect((await open.store.append('t', 0, batchOf(1, 'c'))).baseOffset).toBe(2n);
    expect(await allValues(open.store, 't')).toEqual(['v-a-0', 'v-a-1', 'v-c-0']);
    await open.store.close();
  });
});

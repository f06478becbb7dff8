/** The memory backend: the shared contract, plus what only the memory store promises. */
import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../../src/storage/memory/memory-storage.js';
import { storageContract } from './contract.js';
import { compactionContract } from './compaction-contract.js';
import { buildRecordBatch } from '../../src/protocol/records/builder.js';
import { ARENA_MAX_COPY } from '../../src/storage/memory/arena.js';
import { batchOf, valuesFrom, within } from './helpers.js';

/** A batch larger than what the arena packs, in a buffer of its own. */
function bigBatch(): Buffer {
  const batch = buildRecordBatch({ records: [{ key: null, value: Buffer.alloc(2 * ARENA_MAX_COPY, 7) }] });
  expect(batch.buffer.byteLength).toBe(batch.length);
  return batch;
}

storageContract('memory', async () => new MemoryStorage());

describe('MemoryStorage', () => {
  it('keeps a large batch that fills its own buffer without copying it', async () => {
    const s = new MemoryStorage();
    await s.createTopic({ name: 't', partitions: 1, configs: {} });
    const own = bigBatch();
    expect(own.length).toBeGreaterThan(ARENA_MAX_COPY);
    await s.append('t', 0, own);
    const [stored] = (await s.read('t', 0, 0n, 1 << 20)).batches;
    expect(stored?.buffer).toBe(own.buffer);
  });

  it('copies a large batch that would pin a much larger request frame', async () => {
    const s = new MemoryStorage();
    await s.createTopic({ name: 't', partitions: 1, configs: {} });
    const batch = bigBatch();
    const frame = Buffer.alloc(3 * batch.length);
    batch.copy(frame, 1000);
    await s.append('t', 0, frame.subarray(1000, 1000 + batch.length));
    const [stored] = (await s.read('t', 0, 0n, 1 << 20)).batches;
    expect(stored?.buffer).not.toBe(frame.buffer);
    expect(stored?.buffer.byteLength).toBe(batch.length);
    expect(stored?.subarray(8)).toEqual(batch.subarray(8)); // all but the stamped base offset
  });

  it('packs small batches from many frames into shared chunks', async () => {
    const s = new MemoryStorage();
    await s.createTopic({ name: 't', partitions: 1, configs: {} });
    const frames: Buffer[] = [];
    for (let i = 0; i < 20; i++) {
      const batch = batchOf(1, `small${i}`);
      const frame = Buffer.alloc(64 * 1024);
      batch.copy(frame, 100);
      frames.push(frame);
      await s.append('t', 0, frame.subarray(100, 100 + batch.length));
    }
    const read = await s.read('t', 0, 0n, 1 << 20);
    expect(valuesFrom(read, 0n)).toEqual(Array.from({ length: 20 }, (_, i) => `v-small${i}-0`));
    const backing = new Set(read.batches.map((b) => b.buffer));
    expect(backing.size).toBeLessThan(5);
    for (const frame of frames) expect(backing.has(frame.buffer)).toBe(false);
    const held = [...backing].reduce((n, b) => n + b.byteLength, 0);
    expect(held).toBeLessThanOrEqual(64 * 1024);
  });

  it('leaks no change listeners', async () => {
    const s = new MemoryStorage();
    await s.createTopic({ name: 't', partitions: 2, configs: {} });
    const unsubscribes = Array.from({ length: 50 }, (_, i) => s.onChange('t', i % 2, () => {}));
    expect(s.listenerCount).toBe(50);
    for (const unsubscribe of unsubscribes) unsubscribe();
    expect(s.listenerCount).toBe(0);

    s.onChange('t', 0, () => {});
    s.onChange('t', 1, () => {});
    await s.append('t', 0, batchOf(1));
    expect(s.listenerCount).toBe(1);
    await s.deleteTopic('t');
    expect(s.listenerCount).toBe(0);

    s.onChange('gone', 0, () => {});
    await s.close();
    expect(s.listenerCount).toBe(0);
  });

  it('survives a throwing listener and still wakes the others', async () => {
    const errors: unknown[] = [];
    const logger = { error: (obj: { err: unknown }) => errors.push(obj.err) };
    const s = new MemoryStorage({ logger: logger as never });
    await s.createTopic({ name: 't', partitions: 1, configs: {} });
    s.onChange('t', 0, () => {
      throw new Error('listener bug');
    });
    const woken = new Promise<void>((resolve) => s.onChange('t', 0, resolve));
    expect((await s.append('t', 0, batchOf(1))).baseOffset).toBe(0n);
    await within(woken, 5_000, 'second listener');
    expect(errors).toEqual([new Error('listener bug')]);
  });

  it('wakes waiting readers when it closes', async () => {
    const s = new MemoryStorage();
    const woken = new Promise<void>((resolve) => s.onChange('t', 0, resolve));
    await s.close();
    await within(woken, 5_000, 'listener at close');
  });

  it('forgets committed offsets of a deleted topic', async () => {
    const s = new MemoryStorage();
    await s.createTopic({ name: 'gone', partitions: 1, configs: {} });
    const common = { partition: 0, offset: 1n, leaderEpoch: -1, metadata: null, commitTimestampMs: 0n };
    await s.commitOffsets('g', [
      { topic: 'gone', ...common },
      { topic: 'kept', ...common },
    ]);
    await s.commitOffsets('only-gone', [{ topic: 'gone', ...common }]);
    await s.deleteTopic('gone');
    expect(await s.fetchOffsets('g')).toEqual([{ topic: 'kept', ...common }]);
    expect(await s.listOffsetGroups()).toEqual(['g']);
  });

  it('hands out copies of topic configs', async () => {
    const s = new MemoryStorage();
    const configs = { 'retention.ms': '1' };
    const info = await s.createTopic({ name: 't', partitions: 1, configs });
    configs['retention.ms'] = '2';
    (info.configs as Record<string, string>)['retention.ms'] = '3';
    expect((await s.describeTopic('t'))?.configs).toEqual({ 'retention.ms': '1' });
  });

  it('refuses an append without batches and a topic without partitions', async () => {
    const s = new MemoryStorage();
    await expect(s.createTopic({ name: 't', partitions: 0, configs: {} })).rejects.toMatchObject({
      code: 37,
    });
    await s.createTopic({ name: 't', partitions: 1, configs: {} });
    await expect(s.append('t', 0, Buffer.alloc(0))).rejects.toMatchObject({ code: 87 });
  });
});

compactionContract('memory', async () => new MemoryStorage());

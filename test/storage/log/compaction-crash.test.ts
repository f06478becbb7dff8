/** A crash at any step of a compaction leaves either the old segments or the cleaned one, never a mix. */
import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildRecordBatch } from '../../../src/protocol/records/builder.js';
import type { CompactionSettings } from '../../../src/storage/storage.js';
import { recordsIn } from '../helpers.js';
import { kill, openStore, type OpenStore } from './support/store.js';
import { tempDirs } from './temp-dir.js';

const newDir = tempDirs('log-compaction-crash');
const EAGER: CompactionSettings = {
  deleteRetentionMs: 0n,
  minCleanableDirtyRatio: 0,
  minCompactionLagMs: 0n,
  maxCompactionLagMs: 2n ** 63n - 1n,
};
const SMALL = { segmentBytes: 200 };
const NOW = BigInt(Date.now()) + 60_000n;

async function overwritten(open: OpenStore): Promise<string> {
  const { id } = await open.store.createTopic({
    name: 't',
    partitions: 1,
    configs: { 'cleanup.policy': 'compact' },
  });
  for (let i = 0; i < 30; i++) {
    const records = [{ key: Buffer.from(`k${i % 3}`), value: Buffer.from(`v${i}`) }];
    await open.store.append('t', 0, buildRecordBatch({ records }));
  }
  return id;
}

async function contents(open: OpenStore): Promise<string[]> {
  const read = await open.store.read('t', 0, 0n, 1 << 24);
  return recordsIn(read).map((r) => `${r.offset}:${r.key?.toString()}=${r.value?.toString()}`);
}

/** Compacts a fresh copy of the data without interruption: what every crashed compaction must reach. */
async function uninterrupted(): Promise<{ original: string[]; compacted: string[] }> {
  const reference = await openStore(newDir(), SMALL);
  await overwritten(reference);
  const original = await contents(reference);
  await reference.store.compact('t', 0, EAGER, NOW);
  const compacted = await contents(reference);
  await reference.store.close();
  return { original, compacted };
}

describe('log store compaction and crashes', () => {
  it('compacts across segments, keeping offsets, and the result survives a restart', async () => {
    const dir = newDir();
    const open = await openStore(dir, SMALL);
    await overwritten(open);
    const all = await contents(open);
    const bytesBefore = open.store.partitionLog('t', 0).sizeBytes;
    const result = await open.store.compact('t', 0, EAGER, NOW);
    const compacted = await contents(open);
    expect(open.store.partitionLog('t', 0).sizeBytes).toBeLessThan(bytesBefore);
    expect(result.recordsKept).toBe(3);
    for (const r of compacted) expect(all).toContain(r);
    // The latest record of each key before the active segment (28-29), and the active segment.
    expect(compacted).toEqual(['25:k1=v25', '26:k2=v26', '27:k0=v27', '28:k1=v28', '29:k2=v29']);
    await open.store.close();
    const reopened = await openStore(dir, SMALL);
    expect(await contents(reopened)).toEqual(compacted);
    await reopened.store.close();
  });

  let creates = 0;
  for (const [step, point] of [
    [
      'before creating its first cleaned segment',
      (op: string, file: string) => op === 'create' && file.endsWith('.cleaned'),
    ],
    [
      'while writing a cleaned segment',
      (op: string, file: string) => op === 'write' && file.endsWith('.cleaned'),
    ],
    [
      'before removing replaced segments',
      (op: string, file: string) => op === 'remove' && file.endsWith('.log'),
    ],
    ['before renaming a swap file', (op: string, file: string) => op === 'rename' && file.endsWith('.swap')],
    [
      'at its third cleaned segment',
      (op: string, file: string) => op === 'create' && file.endsWith('.cleaned') && ++creates === 3,
    ],
  ] as const) {
    it(`leaves a consistent log when it crashes ${step}, and finishes on the next pass`, async () => {
      const { original, compacted } = await uninterrupted();
      const dir = newDir();
      const first = await openStore(dir, SMALL);
      await overwritten(first);
      first.fs.crashBefore = point;
      await expect(first.store.compact('t', 0, EAGER, NOW)).rejects.toThrow();
      kill(first);
      const second = await openStore(dir, SMALL);
      const after = await contents(second);
      expect((await second.store.offsets('t', 0)).highWatermark).toBe(30n);
      for (const r of after) expect(original).toContain(r);
      for (const r of compacted) expect(after).toContain(r);
      if (step.startsWith('before creating')) expect(after).toEqual(original);
      const leftovers = readdirSync(second.store.partitionLog('t', 0).dir);
      expect(leftovers.filter((f) => f.endsWith('.swap') || f.endsWith('.cleaned'))).toEqual([]);
      await second.store.compact('t', 0, EAGER, NOW);
      expect(await contents(second)).toEqual(compacted);
      await second.store.close();
      expect(existsSync(dir)).toBe(true);
    });
  }
});

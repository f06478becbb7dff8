/**
 * What every store that compacts (Storage.compact) must do, by Kafka's rules. The factory's store
 * must leave only the newest batch of a partition uncleanable (the log store: one segment per batch),
 * so each test ends with a batch of keys of its own that no expectation depends on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordBatch } from '../../src/protocol/records/batch.js';
import { buildRecordBatch, type BuildRecord } from '../../src/protocol/records/builder.js';
import { Compression } from '../../src/protocol/records/layout.js';
import type { CompactionSettings, Storage } from '../../src/storage/storage.js';
import { recordsIn } from './helpers.js';

const EAGER: CompactionSettings = {
  deleteRetentionMs: 1_000n,
  minCleanableDirtyRatio: 0,
  minCompactionLagMs: 0n,
  maxCompactionLagMs: 2n ** 63n - 1n,
};
const NOW = 1_000_000n;

const rec = (key: string | null, value: string | null, timestamp = 1_000n): BuildRecord => ({
  key: key === null ? null : Buffer.from(key),
  value: value === null ? null : Buffer.from(value),
  timestamp,
});

export function compactionContract(name: string, factory: () => Promise<Storage>): void {
  describe(`compaction contract: ${name}`, () => {
    let s: Storage;
    let n = 0;
    beforeAll(async () => {
      s = await factory();
      await s.start();
    });
    afterAll(() => s.close());

    async function topic(): Promise<string> {
      const t = `compacted-${++n}`;
      await s.createTopic({ name: t, partitions: 1, configs: { 'cleanup.policy': 'compact' } });
      return t;
    }
    const append = (t: string, records: BuildRecord[], extra = {}) =>
      s.append(t, 0, buildRecordBatch({ records, ...extra }));
    const finish = (t: string) => append(t, [rec(`tail-${t}`, 'x')]);
    async function contents(t: string): Promise<string[]> {
      const read = await s.read(t, 0, (await s.offsets(t, 0)).logStartOffset, 1 << 24);
      return recordsIn(read)
        .filter((r) => !r.key?.toString().startsWith('tail-'))
        .map((r) => `${r.offset}:${r.key?.toString() ?? '-'}=${r.value?.toString() ?? 'null'}`);
    }

    it('keeps the latest record of every key at its original offset', async () => {
      const t = await topic();
      await append(t, [rec('a', '1'), rec('b', '1')]); // 0-1
      await append(t, [rec('a', '2'), rec(null, 'keyless')]); // 2-3
      await append(t, [rec('c', '1'), rec('b', '2')], { compression: Compression.Gzip }); // 4-5
      await append(t, [rec('a', '3')]); // 6
      await finish(t); // 7
      const before = await s.offsets(t, 0);
      const result = await s.compact!(t, 0, EAGER, NOW);
      expect(result).toMatchObject({ cleaned: true, firstDirtyOffset: 7n, recordsRead: 7, recordsKept: 3 });
      expect(result.bytesAfter).toBeLessThan(result.bytesBefore);
      expect(await s.offsets(t, 0)).toEqual(before);
      expect(await contents(t)).toEqual(['4:c=1', '5:b=2', '6:a=3']);
      // A read from an offset that compaction emptied starts at the next batch holding records.
      const fromGap = recordsIn(await s.read(t, 0, 1n, 1 << 20)).map((r) => r.offset);
      expect(fromGap[0]).toBe(4n);
      expect((await s.append(t, 0, buildRecordBatch({ records: [rec('a', '4')] }))).baseOffset).toBe(8n);
    });

    it('removes a tombstone at a cleaning after delete.retention.ms, not before', async () => {
      const t = await topic();
      await append(t, [rec('k', 'v'), rec('other', 'o')]); // 0-1
      await append(t, [rec('k', null)]); // 2: tombstone
      await finish(t); // 3
      await s.compact!(t, 0, EAGER, NOW);
      expect(await contents(t)).toEqual(['1:other=o', '2:k=null']);
      await append(t, [rec('other', 'o2')]); // 4: new dirty data
      await finish(t); // 5
      await s.compact!(t, 0, EAGER, NOW + 999n);
      expect(await contents(t)).toEqual(['2:k=null', '4:other=o2']);
      await append(t, [rec('more', 'm')]); // 6
      await finish(t); // 7
      await s.compact!(t, 0, EAGER, NOW + 1_000n);
      expect(await contents(t)).toEqual(['4:other=o2', '6:more=m']);
    });

    it('cleans only when dirty enough, and leaves records younger than min.compaction.lag.ms', async () => {
      const t = await topic();
      await append(t, [rec('a', '1'), rec('a', '2')], { baseTimestamp: NOW - 10_000n }); // 0-1, old
      await append(t, [rec('a', '3'), rec('a', '4')], { baseTimestamp: NOW - 10n }); // 2-3, young
      await finish(t);
      const lagged = await s.compact!(t, 0, { ...EAGER, minCompactionLagMs: 1_000n }, NOW);
      expect(lagged.cleaned).toBe(true);
      expect(await contents(t)).toEqual(['1:a=2', '2:a=3', '3:a=4']);
      const notDirty = await s.compact!(t, 0, { ...EAGER, minCleanableDirtyRatio: 0.99 }, NOW);
      expect(notDirty.cleaned).toBe(false);
      expect(await contents(t)).toEqual(['1:a=2', '2:a=3', '3:a=4']);
      await s.compact!(t, 0, EAGER, NOW);
      expect(await contents(t)).toEqual(['3:a=4']);
    });

    it("keeps an idempotent producer's last batch, emptied, so its sequence stays known", async () => {
      const t = await topic();
      const producer = { producerId: 77n, producerEpoch: 0 };
      await append(t, [rec('a', '1'), rec('b', '1')], { ...producer, baseSequence: 0 }); // 0-1
      await append(t, [rec('a', '2'), rec('b', '2')]); // 2-3, no producer
      await finish(t);
      await s.compact!(t, 0, EAGER, NOW);
      const read = await s.read(t, 0, 0n, 1 << 20);
      const first = new RecordBatch(read.batches[0]!);
      expect([first.baseOffset, first.lastOffset, first.recordCount]).toEqual([0n, 1n, 0]);
      expect([first.producerId, first.baseSequence]).toEqual([77n, 0]);
      expect(await contents(t)).toEqual(['2:a=2', '3:b=2']);
    });
  });
}

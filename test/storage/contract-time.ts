/** Contract: finding offsets by timestamp, the max timestamp, and deleting records from the start. */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import type { ContractContext } from './contract.js';
import { batchAt, batchOf, batchesIn, expectKafkaError, expectValidRead, valuesFrom } from './helpers.js';

const ALL = 1 << 24;

export function registerTimeTests(ctx: ContractContext): void {
  describe('timestamps', () => {
    it('finds nothing in an empty partition', async () => {
      const s = ctx.storage();
      const t = await ctx.newTopic();
      expect(await s.offsetForTimestamp(t, 0, 0n)).toBeUndefined();
      expect(await s.maxTimestamp(t, 0)).toBeUndefined();
    });

    it('finds the first offset at or after a timestamp', async () => {
      const s = ctx.storage();
      const t = await ctx.newTopic();
      await s.append(t, 0, batchAt(100n, 110n, 120n)); // offsets 0-2
      await s.append(t, 0, batchAt(200n, 210n)); // offsets 3-4
      const at = (ts: bigint) => s.offsetForTimestamp(t, 0, ts);
      expect(await at(-1n)).toEqual({ offset: 0n, timestamp: 100n });
      expect(await at(100n)).toEqual({ offset: 0n, timestamp: 100n });
      expect(await at(101n)).toEqual({ offset: 1n, timestamp: 110n });
      expect(await at(120n)).toEqual({ offset: 2n, timestamp: 120n });
      expect(await at(121n)).toEqual({ offset: 3n, timestamp: 200n });
      expect(await at(210n)).toEqual({ offset: 4n, timestamp: 210n });
      expect(await at(211n)).toBeUndefined();
    });

    it('takes the first record in offset order when timestamps are not monotonic', async () => {
      const s = ctx.storage();
      const t = await ctx.newTopic();
      await s.append(t, 0, batchAt(100n, 300n, 200n)); // offsets 0-2, max 300 in the middle
      await s.append(t, 0, batchAt(150n)); // 3
      await s.append(t, 0, batchAt(50n, 400n)); // 4-5
      await s.append(t, 0, batchAt(350n)); // 6
      const at = (ts: bigint) => s.offsetForTimestamp(t, 0, ts);
      expect(await at(150n)).toEqual({ offset: 1n, timestamp: 300n });
      expect(await at(250n)).toEqual({ offset: 1n, timestamp: 300n });
      expect(await at(301n)).toEqual({ offset: 5n, timestamp: 400n });
      expect(await at(400n)).toEqual({ offset: 5n, timestamp: 400n });
      expect(await at(401n)).toBeUndefined();
    });

    it('reports the largest timestamp at its first offset', async () => {
      const s = ctx.storage();
      const t = await ctx.newTopic();
      await s.append(t, 0, batchAt(100n, 300n, 200n)); // 0-2
      await s.append(t, 0, batchAt(50n, 300n)); // 3-4: ties with offset 1
      expect(await s.maxTimestamp(t, 0)).toEqual({ offset: 1n, timestamp: 300n });
      await s.append(t, 0, batchAt(10n, 20n, 301n, 301n)); // 5-8
      expect(await s.maxTimestamp(t, 0)).toEqual({ offset: 7n, timestamp: 301n });
    });

    it('uses the log-append time for stamped batches', async () => {
      const s = ctx.storage();
      const t = await ctx.newTopic();
      await s.append(t, 0, batchAt(9_000n, 9_500n)); // 0-1, CreateTime
      await s.append(t, 0, batchAt(1n, 2n, 3n), { logAppendTimeMs: 8_000n }); // 2-4
      expect(await s.offsetForTimestamp(t, 0, 9_600n)).toBeUndefined();
      expect(await s.offsetForTimestamp(t, 0, 9_100n)).toEqual({ offset: 1n, timestamp: 9_500n });
      await s.append(t, 0, batchAt(1n), { logAppendTimeMs: 10_000n }); // 5
      expect(await s.offsetForTimestamp(t, 0, 9_600n)).toEqual({ offset: 5n, timestamp: 10_000n });
      expect(await s.maxTimestamp(t, 0)).toEqual({ offset: 5n, timestamp: 10_000n });
      const t2 = await ctx.newTopic();
      await s.append(t2, 0, batchAt(1n, 2n, 3n), { logAppendTimeMs: 8_000n });
      expect(await s.offsetForTimestamp(t2, 0, 5n)).toEqual({ offset: 0n, timestamp: 8_000n });
      expect(await s.maxTimestamp(t2, 0)).toEqual({ offset: 0n, timestamp: 8_000n });
    });
  });

  describe('deleting records', () => {
    /** Three batches: offsets 0-1 (ts 10, 20), 2-3 (ts 900, 30), 4-5 (ts 40, 50). */
    async function threeBatches(): Promise<string> {
      const t = await ctx.newTopic();
      const s = ctx.storage();
      await s.append(t, 0, batchAt(10n, 20n));
      await s.append(t, 0, batchAt(900n, 30n));
      await s.append(t, 0, batchAt(40n, 50n));
      return t;
    }

    it('advances the log start, even into the middle of a batch', async () => {
      const s = ctx.storage();
      const t = await threeBatches();
      expect(await s.deleteRecordsBefore(t, 0, 3n)).toBe(3n);
      expect(await s.offsets(t, 0)).toEqual({ logStartOffset: 3n, highWatermark: 6n });
      const read = await s.read(t, 0, 3n, ALL);
      expect(read).toMatchObject({ logStartOffset: 3n, highWatermark: 6n });
      expectValidRead(read, 3n, ALL);
      expect(valuesFrom(read, 3n)).toEqual(['v-t900_30-1', 'v-t40_50-0', 'v-t40_50-1']);
      if (ctx.preservesBatchBoundaries) expect(batchesIn(read)[0]?.baseOffset).toBe(2n);
      await expectKafkaError(s.read(t, 0, 2n, ALL), ErrorCode.OFFSET_OUT_OF_RANGE);
      await expectKafkaError(s.read(t, 0, 0n, ALL), ErrorCode.OFFSET_OUT_OF_RANGE);
    });

    it('forgets deleted records in timestamp lookups', async () => {
      const s = ctx.storage();
      const t = await threeBatches();
      await s.deleteRecordsBefore(t, 0, 3n);
      expect(await s.offsetForTimestamp(t, 0, 0n)).toEqual({ offset: 3n, timestamp: 30n });
      expect(await s.offsetForTimestamp(t, 0, 35n)).toEqual({ offset: 4n, timestamp: 40n });
      expect(await s.offsetForTimestamp(t, 0, 100n)).toBeUndefined();
      expect(await s.maxTimestamp(t, 0)).toEqual({ offset: 5n, timestamp: 50n });
    });

    it('never moves the log start back', async () => {
      const s = ctx.storage();
      const t = await threeBatches();
      expect(await s.deleteRecordsBefore(t, 0, 2n)).toBe(2n);
      expect(await s.deleteRecordsBefore(t, 0, 1n)).toBe(2n);
      expect(await s.deleteRecordsBefore(t, 0, 2n)).toBe(2n);
      expect((await s.offsets(t, 0)).logStartOffset).toBe(2n);
    });

    it('may delete up to the high watermark but not beyond', async () => {
      const s = ctx.storage();
      const t = await threeBatches();
      await expectKafkaError(s.deleteRecordsBefore(t, 0, 7n), ErrorCode.OFFSET_OUT_OF_RANGE);
      await expectKafkaError(s.deleteRecordsBefore(t, 0, -1n), ErrorCode.OFFSET_OUT_OF_RANGE);
      expect((await s.offsets(t, 0)).logStartOffset).toBe(0n);
      expect(await s.deleteRecordsBefore(t, 0, 6n)).toBe(6n);
      expect(await s.read(t, 0, 6n, ALL)).toEqual({ batches: [], logStartOffset: 6n, highWatermark: 6n });
      await expectKafkaError(s.read(t, 0, 5n, ALL), ErrorCode.OFFSET_OUT_OF_RANGE);
      expect(await s.maxTimestamp(t, 0)).toBeUndefined();
      expect(await s.offsetForTimestamp(t, 0, 0n)).toBeUndefined();
      expect((await s.append(t, 0, batchOf(1, 'next'))).baseOffset).toBe(6n);
      expect(valuesFrom(await s.read(t, 0, 6n, ALL), 6n)).toEqual(['v-next-0']);
    });

    it('deletes nothing from an empty partition', async () => {
      const s = ctx.storage();
      const t = await ctx.newTopic();
      expect(await s.deleteRecordsBefore(t, 0, 0n)).toBe(0n);
      await expectKafkaError(s.deleteRecordsBefore(t, 0, 1n), ErrorCode.OFFSET_OUT_OF_RANGE);
    });
  });
}

/** Contract: appending batches, reading them back, KIP-74 limits, corrupt input, LogAppendTime. */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { buildRecordBatch } from '../../src/protocol/records/builder.js';
import type { ContractContext } from './contract.js';
import {
  batchAt,
  batchOf,
  batchesIn,
  expectKafkaError,
  expectValidRead,
  recordsIn,
  valuesFrom,
} from './helpers.js';

const ALL = 1 << 24;

export function registerRecordTests(ctx: ContractContext): void {
  describe('append and read', () => {
    it('assigns consecutive offsets batch after batch', async () => {
      const s = ctx.storage();
      const t = await ctx.newTopic();
      expect(await s.append(t, 0, batchOf(3, 'a'))).toEqual({
        baseOffset: 0n,
        logAppendTimeMs: -1n,
        logStartOffset: 0n,
      });
      expect((await s.append(t, 0, batchOf(2, 'b'))).baseOffset).toBe(3n);
      expect(await s.offsets(t, 0)).toEqual({ logStartOffset: 0n, highWatermark: 5n });
      const read = await s.read(t, 0, 0n, ALL);
      expect(read).toMatchObject({ logStartOffset: 0n, highWatermark: 5n });
      expectValidRead(read, 0n, ALL);
      expect(recordsIn(read).map((r) => r.offset)).toEqual([0n, 1n, 2n, 3n, 4n]);
      expect(valuesFrom(read, 0n)).toEqual(['v-a-0', 'v-a-1', 'v-a-2', 'v-b-0', 'v-b-1']);
      if (ctx.preservesBatchBoundaries) expect(batchesIn(read).map((b) => b.baseOffset)).toEqual([0n, 3n]);
    });

    it('appends several batches given in one buffer', async () => {
      const s = ctx.storage();
      const t = await ctx.newTopic();
      await s.append(t, 0, batchOf(1, 'first'));
      const result = await s.append(t, 0, Buffer.concat([batchOf(2, 'a'), batchOf(3, 'b')]));
      expect(result.baseOffset).toBe(1n);
      expect((await s.offsets(t, 0)).highWatermark).toBe(6n);
      const read = await s.read(t, 0, 1n, ALL);
      expectValidRead(read, 1n, ALL);
      expect(valuesFrom(read, 1n)).toEqual(['v-a-0', 'v-a-1', 'v-b-0', 'v-b-1', 'v-b-2']);
      if (ctx.preservesBatchBoundaries) expect(batchesIn(read).map((b) => b.baseOffset)).toEqual([1n, 3n]);
    });

    it('keeps keys, values, headers, nulls and timestamps', async () => {
      const s = ctx.storage();
      const t = await ctx.newTopic();
      const headers = [
        { key: 'h1', value: Buffer.from([0, 1, 2, 255]) },
        { key: 'h-null', value: null },
      ];
      const batch = buildRecordBatch({
        records: [
          { key: null, value: Buffer.from('no key'), timestamp: 1_700_000_000_000n, headers },
          { key: Buffer.from('tombstone'), value: null, timestamp: 1_700_000_000_005n },
          { key: Buffer.alloc(0), value: Buffer.alloc(0), timestamp: 1_699_999_999_999n },
        ],
      });
      await s.append(t, 0, batch);
      const records = recordsIn(await s.read(t, 0, 0n, ALL));
      expect(records).toEqual([
        { offset: 0n, timestamp: 1_700_000_000_000n, key: null, value: Buffer.from('no key'), headers },
        {
          offset: 1n,
          timestamp: 1_700_000_000_005n,
          key: Buffer.from('tombstone'),
          value: null,
          headers: [],
        },
        {
          offset: 2n,
          timestamp: 1_699_999_999_999n,
          key: Buffer.alloc(0),
          value: Buffer.alloc(0),
          headers: [],
        },
      ]);
    });

    it('keeps partitions apart', async () => {
      const s = ctx.storage();
      const t = await ctx.newTopic(2);
      await s.append(t, 0, batchOf(2, 'zero'));
      expect((await s.append(t, 1, batchOf(1, 'one'))).baseOffset).toBe(0n);
      expect(valuesFrom(await s.read(t, 1, 0n, ALL), 0n)).toEqual(['v-one-0']);
      expect(valuesFrom(await s.read(t, 0, 0n, ALL), 0n)).toEqual(['v-zero-0', 'v-zero-1']);
    });

    it('starts a read with the batch holding the offset', async () => {
      const s = ctx.storage();
      const t = await ctx.newTopic();
      await s.append(t, 0, batchOf(3, 'a'));
      await s.append(t, 0, batchOf(3, 'b'));
      for (const offset of [0n, 1n, 2n, 3n, 4n, 5n]) {
        const read = await s.read(t, 0, offset, ALL);
        expectValidRead(read, offset, ALL);
        expect(valuesFrom(read, offset)).toEqual(
          ['v-a-0', 'v-a-1', 'v-a-2', 'v-b-0', 'v-b-1', 'v-b-2'].slice(Number(offset)),
        );
      }
    });

    it('returns nothing at the high watermark and refuses offsets outside the log', async () => {
      const s = ctx.storage();
      const t = await ctx.newTopic(2);
      expect(await s.read(t, 1, 0n, ALL)).toEqual({ batches: [], logStartOffset: 0n, highWatermark: 0n });
      await expectKafkaError(s.read(t, 1, 1n, ALL), ErrorCode.OFFSET_OUT_OF_RANGE);
      await s.append(t, 0, batchOf(2));
      expect(await s.read(t, 0, 2n, ALL)).toEqual({ batches: [], logStartOffset: 0n, highWatermark: 2n });
      await expectKafkaError(s.read(t, 0, 3n, ALL), ErrorCode.OFFSET_OUT_OF_RANGE);
      await expectKafkaError(s.read(t, 0, -1n, ALL), ErrorCode.OFFSET_OUT_OF_RANGE);
    });

    it('stays within maxBytes but always returns one batch (KIP-74)', async () => {
      const s = ctx.storage();
      const t = await ctx.newTopic();
      const built = [batchOf(2, 'a'.repeat(100)), batchOf(2, 'b'.repeat(100)), batchOf(2, 'c'.repeat(100))];
      const [s0, s1, s2] = built.map((b) => b.length) as [number, number, number];
      for (const b of built) await s.append(t, 0, b);
      for (const [offset, maxBytes] of [
        [0n, 0],
        [0n, 1],
        [0n, s0 + s1 - 1],
        [0n, s0 + s1],
        [3n, s1],
        [3n, s1 + s2],
        [5n, 10],
      ] as const) {
        const read = await s.read(t, 0, offset, maxBytes);
        expectValidRead(read, offset, maxBytes);
      }
      if (ctx.preservesBatchBoundaries) {
        const bases = async (offset: bigint, maxBytes: number) =>
          batchesIn(await s.read(t, 0, offset, maxBytes)).map((b) => b.baseOffset);
        expect(await bases(0n, 0)).toEqual([0n]);
        expect(await bases(0n, 1)).toEqual([0n]);
        expect(await bases(0n, s0 + s1 - 1)).toEqual([0n]);
        expect(await bases(0n, s0 + s1)).toEqual([0n, 2n]);
        expect(await bases(1n, s0 + s1 + s2)).toEqual([0n, 2n, 4n]);
        expect(await bases(3n, s1)).toEqual([2n]);
        expect(await bases(3n, s1 + s2 - 1)).toEqual([2n]);
        expect(await bases(5n, 10)).toEqual([4n]);
      }
    });

    it('refuses a corrupt batch and stores nothing of the request', async () => {
      const s = ctx.storage();
      const t = await ctx.newTopic();
      await s.append(t, 0, batchOf(1, 'kept'));
      const damaged = batchOf(2, 'bad');
      damaged[damaged.length - 1]! ^= 0xff; // inside the CRC-covered records
      await expectKafkaError(
        s.append(t, 0, Buffer.concat([batchOf(2, 'good'), damaged])),
        ErrorCode.CORRUPT_MESSAGE,
      );
      const truncated = batchOf(2, 'short');
      await expectKafkaError(
        s.append(t, 0, truncated.subarray(0, truncated.length - 3)),
        ErrorCode.CORRUPT_MESSAGE,
      );
      await expectKafkaError(
        s.append(t, 0, Buffer.from('not a record batch at all, no')),
        ErrorCode.CORRUPT_MESSAGE,
      );
      expect(await s.offsets(t, 0)).toEqual({ logStartOffset: 0n, highWatermark: 1n });
      expect(valuesFrom(await s.read(t, 0, 0n, ALL), 0n)).toEqual(['v-kept-0']);
      expect((await s.append(t, 0, batchOf(1, 'after'))).baseOffset).toBe(1n);
    });

    it('keeps CreateTime unless told to stamp LogAppendTime', async () => {
      const s = ctx.storage();
      const t = await ctx.newTopic();
      const created = await s.append(t, 0, batchAt(100n, 300n, 200n));
      expect(created.logAppendTimeMs).toBe(-1n);
      const stamped = await s.append(t, 0, batchAt(100n, 200n), { logAppendTimeMs: 5_000n });
      expect(stamped).toMatchObject({ baseOffset: 3n, logAppendTimeMs: 5_000n });
      const read = await s.read(t, 0, 0n, ALL);
      expectValidRead(read, 0n, ALL);
      const byOffset = new Map(recordsIn(read).map((r) => [r.offset, r.timestamp]));
      expect([...byOffset]).toEqual([
        [0n, 100n],
        [1n, 300n],
        [2n, 200n],
        [3n, 5_000n],
        [4n, 5_000n],
      ]);
      if (ctx.preservesBatchBoundaries) {
        const [first, second] = batchesIn(read);
        expect([first?.timestampType, first?.maxTimestamp]).toEqual([0, 300n]);
        expect([second?.timestampType, second?.maxTimestamp]).toEqual([1, 5_000n]);
      }
    });
  });
}

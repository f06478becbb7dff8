import { describe, expect, it } from 'vitest';
import { BatchIndex } from '../../../src/storage/memory/batch-index.js';

function push(index: BatchIndex, base: bigint, maxTs: bigint, bytes: Buffer): void {
  index.push(base, maxTs, bytes, 0, bytes.length);
}

/** Batch i: base offset 10*i, max timestamp from `ts`, i+1 bytes. */
function filled(count: number, ts: (i: number) => bigint = (i) => BigInt(i)): BatchIndex {
  const index = new BatchIndex();
  for (let i = 0; i < count; i++) push(index, BigInt(10 * i), ts(i), Buffer.alloc(i + 1, i));
  return index;
}

describe('BatchIndex', () => {
  it('finds the batch holding an offset', () => {
    const index = filled(100);
    expect(index.floorIndex(0n)).toBe(0);
    expect(index.floorIndex(9n)).toBe(0);
    expect(index.floorIndex(10n)).toBe(1);
    expect(index.floorIndex(995n)).toBe(99);
    expect(index.floorIndex(-1n)).toBe(-1);
    expect(new BatchIndex().floorIndex(0n)).toBe(-1);
  });

  it('keeps finding batches and counting bytes while dropping from the front and growing', () => {
    const index = filled(1000);
    let bytes = (1000 * 1001) / 2;
    expect(index.bytes).toBe(bytes);
    let dropped = 0;
    for (let round = 0; round < 9; round++) {
      for (let i = 0; i < 100; i++) bytes -= dropped + i + 1;
      index.dropFront(100);
      dropped += 100;
      expect(index.length).toBe(1000 - dropped);
      expect(index.bytes).toBe(bytes);
      expect(index.baseOffset(0)).toBe(BigInt(10 * dropped));
      expect(index.buffer(0)[0]).toBe(dropped % 256);
      expect(index.floorIndex(BigInt(10 * dropped + 15))).toBe(1);
      expect(index.floorIndex(BigInt(10 * dropped - 1))).toBe(-1);
    }
    for (let i = 1000; i < 1100; i++) push(index, BigInt(10 * i), BigInt(i), Buffer.alloc(1));
    expect(index.length).toBe(200);
    expect(index.floorIndex(10_995n)).toBe(199);
    expect(index.maxTimestamp(199)).toBe(1099n);
    index.dropFront(1000);
    expect([index.length, index.bytes, index.floorIndex(11_000n)]).toEqual([0, 0, -1]);
  });

  it('hands out views of batches sharing a chunk', () => {
    const index = new BatchIndex();
    const chunk = Buffer.from('aaabbbbcc');
    index.push(0n, 0n, chunk, 0, 3);
    index.push(3n, 0n, chunk, 3, 4);
    index.push(7n, 0n, chunk, 7, 2);
    expect([0, 1, 2].map((i) => index.buffer(i).toString())).toEqual(['aaa', 'bbbb', 'cc']);
    expect([0, 1, 2].map((i) => index.size(i))).toEqual([3, 4, 2]);
    expect(index.buffer(1).buffer).toBe(chunk.buffer);
    index.dropFront(1);
    expect([index.buffer(0).toString(), index.bytes]).toEqual(['bbbb', 6]);
  });

  it('locates the first batch whose running max timestamp reaches a target', () => {
    // max timestamps 5, 1, 9, 2, 12: running max 5, 5, 9, 9, 12
    const ts = [5n, 1n, 9n, 2n, 12n];
    const index = filled(5, (i) => ts[i]!);
    expect(index.firstReachingTimestamp(0n)).toBe(0);
    expect(index.firstReachingTimestamp(5n)).toBe(0);
    expect(index.firstReachingTimestamp(6n)).toBe(2);
    expect(index.firstReachingTimestamp(10n)).toBe(4);
    expect(index.firstReachingTimestamp(13n)).toBe(5);
    index.dropFront(3); // a dropped batch's timestamp still counts: it can only make the search start earlier
    expect(index.firstReachingTimestamp(6n)).toBe(0);
    expect(index.firstReachingTimestamp(10n)).toBe(1);
  });
});

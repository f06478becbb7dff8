import { describe, expect, it } from 'vitest';
import { retainCompact, shouldCopyForRetention } from '../../../src/storage/memory/retain-buffer.js';

describe('retainCompact', () => {
  it('keeps a buffer that is its whole ArrayBuffer', () => {
    const buf = Buffer.allocUnsafeSlow(100_000);
    expect(retainCompact(buf)).toBe(buf);
  });

  it('keeps a view that is most of its ArrayBuffer', () => {
    const frame = Buffer.allocUnsafeSlow(100_000);
    const view = frame.subarray(10, 90_010);
    expect(retainCompact(view)).toBe(view);
  });

  it('keeps a view into a small ArrayBuffer', () => {
    const small = Buffer.allocUnsafeSlow(4096);
    const view = small.subarray(0, 100);
    expect(retainCompact(view)).toBe(view);
  });

  it('copies a small view pinning a large ArrayBuffer into an exactly sized one', () => {
    const frame = Buffer.allocUnsafeSlow(64 * 1024);
    frame.fill(7);
    frame.write('hello', 5000);
    const view = frame.subarray(5000, 5200);
    const kept = retainCompact(view);
    expect(kept).not.toBe(view);
    expect(kept.buffer).not.toBe(frame.buffer);
    expect(kept.buffer.byteLength).toBe(200);
    expect(kept).toEqual(view);
  });

  it('copies a view under 80% of a frame above the size floor', () => {
    const frame = Buffer.allocUnsafeSlow(100_000);
    expect(shouldCopyForRetention(frame.subarray(0, 79_999))).toBe(true);
    expect(shouldCopyForRetention(frame.subarray(0, 80_000))).toBe(false);
  });

  it('copies a small slice of a pooled allocation', () => {
    const pooled = Buffer.from('a short value from the pool');
    // Node's pool slab is 8 KB; a pooled buffer pins the whole slab.
    expect(pooled.buffer.byteLength).toBe(Buffer.poolSize);
    const kept = retainCompact(pooled);
    expect(kept.buffer.byteLength).toBe(pooled.length);
    expect(kept).toEqual(pooled);
  });
});

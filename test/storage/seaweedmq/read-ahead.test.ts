import { describe, expect, it } from 'vitest';
import type { KafkaRecord } from '../../../src/storage/seaweedmq/envelope.js';
import { ReadAheadCache, bytesOf } from '../../../src/storage/seaweedmq/read-ahead.js';

const rec = (v: string, size = 100): KafkaRecord => ({
  key: null,
  value: Buffer.alloc(size, v),
  headers: [],
  timestamp: 0n,
  timestampType: 0,
});
const values = (rs: readonly KafkaRecord[] | undefined) => rs?.map((r) => r.value!.toString()[0]);

describe('ReadAheadCache', () => {
  it('serves the records from any offset inside the window, for the same generation only', () => {
    const cache = new ReadAheadCache(1 << 20);
    cache.put('t\u00000', 'g1', 10n, [rec('a'), rec('b'), rec('c')]);
    expect(values(cache.take('t\u00000', 'g1', 11n))).toEqual(['b', 'c']);
    expect(values(cache.take('t\u00000', 'g1', 10n))).toEqual(['a', 'b', 'c']);
    expect(cache.take('t\u00000', 'g2', 11n)).toBeUndefined();
    // The other generation's read dropped the window.
    expect(cache.take('t\u00000', 'g1', 11n)).toBeUndefined();
    expect(cache.heldBytes).toBe(0);
  });

  it('extends a window with the records that continue it, and only with those', () => {
    const cache = new ReadAheadCache(1 << 20);
    cache.extend('k', 'g', 10n, [rec('a'), rec('b')]);
    cache.extend('k', 'g', 12n, [rec('c')]);
    cache.extend('k', 'g', 20n, [rec('z')]); // a gap: not a continuation
    cache.extend('k', 'other', 13n, [rec('z')]); // another generation
    expect(values(cache.take('k', 'g', 11n))).toEqual(['b', 'c']);
    expect(cache.heldBytes).toBe(bytesOf([rec('a'), rec('b'), rec('c')]));
  });

  it('drops a window read outside of it', () => {
    const cache = new ReadAheadCache(1 << 20);
    cache.put('k', 'g', 10n, [rec('a'), rec('b')]);
    expect(cache.take('k', 'g', 12n)).toBeUndefined();
    expect(cache.take('k', 'g', 10n)).toBeUndefined();
  });

  it('bounds what it holds, evicting the least recently used windows first', () => {
    const one = bytesOf([rec('x')]);
    const cache = new ReadAheadCache(3 * one);
    cache.put('a', 'g', 0n, [rec('a')]);
    cache.put('b', 'g', 0n, [rec('b')]);
    cache.put('c', 'g', 0n, [rec('c')]);
    expect(values(cache.take('a', 'g', 0n))).toEqual(['a']); // a is now the most recent
    cache.put('d', 'g', 0n, [rec('d')]);
    expect(cache.heldBytes).toBe(3 * one);
    expect(cache.take('b', 'g', 0n)).toBeUndefined();
    expect(values(cache.take('a', 'g', 0n))).toEqual(['a']);
    // A window larger than the whole budget is not kept at all.
    cache.put('big', 'g', 0n, [rec('z', 10_000)]);
    expect(cache.take('big', 'g', 0n)).toBeUndefined();
  });

  it('forgets a topic, and a replaced window stops counting', () => {
    const cache = new ReadAheadCache(1 << 20);
    cache.put('t\u00000', 'g', 0n, [rec('a')]);
    cache.put('t\u00001', 'g', 0n, [rec('b')]);
    cache.put('u\u00000', 'g', 0n, [rec('c')]);
    cache.put('u\u00000', 'g', 5n, [rec('d')]);
    cache.forgetTopic('t\u0000');
    expect(cache.take('t\u00001', 'g', 0n)).toBeUndefined();
    expect(cache.heldBytes).toBe(bytesOf([rec('d')]));
    cache.forget('u\u00000');
    expect(cache.heldBytes).toBe(0);
  });
});

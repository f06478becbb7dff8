import { describe, expect, it } from 'vitest';
import { compareRoundtrip } from './compare.js';
import { LARGE_VALUE_BYTES, makeDataset } from './dataset.js';
import { javaKeyPartition, murmur2 } from './support/murmur2.js';
import type { DataRecord, ReadRecord, WriteProfile } from './types.js';

const FULL: WriteProfile = {
  binary: true,
  binaryHeaders: true,
  avoidBytes: [],
  nullHeaderValues: true,
  duplicateHeaders: true,
  emptyBytes: true,
  partitioning: 'explicit',
  timestamps: true,
  headerRun: 1,
  requireHeaders: false,
};
const READ = { nullIsEmpty: false, headerOrder: true };

/** What a faithful broker and client would hand back for these records. */
function echo(sent: readonly DataRecord[]): ReadRecord[] {
  const next = new Map<number, number>();
  return sent.map((r) => {
    const offset = next.get(r.partition) ?? 0;
    next.set(r.partition, offset + 1);
    return { ...r, offset };
  });
}

const opts = { write: FULL, read: READ, partitions: 3, window: [0, 0] as [number, number], acks: null };

describe('the compatibility data set', () => {
  const sent = makeDataset(FULL, {
    count: 100,
    partitions: 3,
    seed: 1,
    baseTimestamp: 1_700_000_000_000,
    large: true,
  });

  it('holds every edge case the scenarios promise', () => {
    expect(sent[1]!.key).toBeNull();
    expect(sent[2]!.key).toEqual(Buffer.alloc(0));
    expect(sent[2]!.value).toEqual(Buffer.alloc(0));
    expect(sent[3]!.value).toBeNull();
    expect(sent[4]!.value!.length).toBe(LARGE_VALUE_BYTES);
    expect(sent[0]!.headers).toEqual([]);
    expect(sent.some((r) => r.headers.some(([, v]) => v === null))).toBe(true);
    expect(sent.some((r) => r.headers.filter(([k]) => k === 'dup').length === 2)).toBe(true);
    expect(sent.some((r) => r.timestamp < sent[0]!.timestamp)).toBe(true);
  });

  it('keeps bytes a client cannot carry out of the data', () => {
    const kcat = makeDataset(
      { ...FULL, avoidBytes: [0x1e, 0x1f] },
      { count: 50, partitions: 3, seed: 2, baseTimestamp: 0, large: true },
    );
    for (const r of kcat) {
      for (const b of [r.key, r.value])
        expect(b === null || (!b.includes(0x1e) && !b.includes(0x1f))).toBe(true);
    }
  });

  it('compares equal when everything came back', () => {
    expect(compareRoundtrip(sent, echo(sent), opts)).toEqual([]);
  });

  const changed = (change: (read: ReadRecord[]) => void): string => {
    const read = echo(sent).map((r) => ({ ...r }));
    change(read);
    return compareRoundtrip(sent, read, opts).join('\n');
  };

  it('finds a changed byte in the 1 MiB value', () => {
    const problems = changed((read) => {
      const v = Buffer.from(read[4]!.value!);
      v[LARGE_VALUE_BYTES - 1]! ^= 1;
      read[4]!.value = v;
    });
    expect(problems).toContain(`record 4 (1@1) value`);
    expect(problems).toContain(`first difference at byte ${LARGE_VALUE_BYTES - 1}`);
  });

  it('finds a null key read as empty, a lost header, a moved timestamp and an offset gap', () => {
    expect(changed((read) => (read[1]!.key = Buffer.alloc(0)))).toContain(
      'record 1 (1@0) key: sent null, read 0B<>',
    );
    expect(changed((read) => (read[7]!.headers = read[7]!.headers.slice(1)))).toContain(
      'record 7 (1@2) headers',
    );
    expect(changed((read) => (read[8]!.timestamp += 1))).toContain('record 8 (2@2) timestamp');
    expect(changed((read) => (read[99]!.offset += 5))).toContain('partition 0: offset 38 at position 33');
  });

  it('treats null and empty alike only for a client that cannot tell them apart', () => {
    const read = echo(sent).map((r) => ({ ...r }));
    read[1]!.key = Buffer.alloc(0);
    expect(compareRoundtrip(sent, read, { ...opts, read: { ...READ, nullIsEmpty: true } })).toEqual([]);
  });

  it('finds missing, duplicated and reordered records', () => {
    const read = echo(sent);
    expect(compareRoundtrip(sent, read.slice(1), opts).join('\n')).toContain('count: sent 100, read 99');
    const swapped = read.map((r) => ({ ...r }));
    [swapped[0]!.offset, swapped[3]!.offset] = [swapped[3]!.offset, swapped[0]!.offset];
    expect(compareRoundtrip(sent, swapped, opts).join('\n')).toContain('record 0 (0@0) key');
  });

  it('checks acknowledged positions against the order sent', () => {
    const acks = echo(sent).map((r) => ({ partition: r.partition, offset: r.offset }));
    expect(compareRoundtrip(sent, echo(sent), { ...opts, acks })).toEqual([]);
    acks[5] = { partition: 2, offset: 7 };
    expect(compareRoundtrip(sent, echo(sent), { ...opts, acks }).join('\n')).toContain(
      'record 5: acknowledged at 2@7',
    );
  });

  it('matches records whose partition the client chose by content', () => {
    const text = makeDataset(
      { ...FULL, binary: false, partitioning: 'murmur2', timestamps: false },
      { count: 30, partitions: 3, seed: 3, baseTimestamp: 0, large: false },
    );
    expect(text[1]!.partition).toBe(-1);
    const placed = text.map((r) => ({
      ...r,
      partition: r.partition < 0 ? 2 : r.partition,
      timestamp: 5_000,
    }));
    const read = echo(placed);
    expect(compareRoundtrip(text, read, { ...opts, window: [5_000, 5_000] })).toEqual([]);
  });
});

describe('murmur2', () => {
  it("agrees with Kafka's Utils.murmur2 and default partitioner", () => {
    // Reference values from the Java client (Utils.murmur2 of the UTF-8 bytes).
    expect(murmur2(Buffer.from('21'))).toBe(-973932308);
    expect(murmur2(Buffer.from('foobar'))).toBe(-790332482);
    expect(murmur2(Buffer.from('a-little-bit-long-string'))).toBe(-985981536);
    expect(murmur2(Buffer.from(''))).toBe(275646681);
    expect(javaKeyPartition(Buffer.from('key-0'), 3)).toBe((murmur2(Buffer.from('key-0')) & 0x7fffffff) % 3);
  });
});

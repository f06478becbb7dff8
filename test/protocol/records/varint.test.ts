import { describe, expect, it } from 'vitest';
import { ErrorCode, KafkaError } from '../../../src/protocol/error-codes.js';
import {
  readVarint,
  readVarlong,
  readVarlongBig,
  sizeOfVarint,
  sizeOfVarlong,
  writeVarint,
  writeVarlong,
} from '../../../src/protocol/records/varint.js';

/** Straightforward reference: zigzag then 7-bit groups, all in bigint. */
function reference(value: bigint): Buffer {
  let v = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Buffer.from(out);
}

function encVarint(v: number): Buffer {
  const buf = Buffer.alloc(10);
  return buf.subarray(0, writeVarint(buf, 0, v));
}
function encVarlong(v: number | bigint): Buffer {
  const buf = Buffer.alloc(12);
  return buf.subarray(0, writeVarlong(buf, 0, v));
}

const INT32 = [0, 1, -1, 63, -64, 64, -65, 300, 8191, -8192, 2 ** 31 - 1, -(2 ** 31), 123456789, -987654321];

describe('varint (int32)', () => {
  it('encodes known vectors', () => {
    expect(encVarint(0)).toEqual(Buffer.from([0x00]));
    expect(encVarint(-1)).toEqual(Buffer.from([0x01]));
    expect(encVarint(1)).toEqual(Buffer.from([0x02]));
    expect(encVarint(300)).toEqual(Buffer.from([0xd8, 0x04]));
    expect(encVarint(2 ** 31 - 1)).toEqual(Buffer.from([0xfe, 0xff, 0xff, 0xff, 0x0f]));
    expect(encVarint(-(2 ** 31))).toEqual(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]));
  });

  it.each(INT32)('round-trips %d and matches the reference encoding and size', (v) => {
    const enc = encVarint(v);
    expect(enc).toEqual(reference(BigInt(v)));
    expect(sizeOfVarint(v)).toBe(enc.length);
    const cur = { pos: 0 };
    expect(readVarint(enc, cur)).toBe(v);
    expect(cur.pos).toBe(enc.length);
  });

  it('reads at an offset and advances the cursor', () => {
    const buf = Buffer.concat([Buffer.from([0xaa]), encVarint(-300), encVarint(5)]);
    const cur = { pos: 1 };
    expect(readVarint(buf, cur)).toBe(-300);
    expect(readVarint(buf, cur)).toBe(5);
    expect(cur.pos).toBe(buf.length);
  });

  it('rejects a varint longer than 5 bytes and a truncated one as CORRUPT_MESSAGE', () => {
    const tooLong = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(() => readVarint(tooLong, { pos: 0 })).toThrow(KafkaError);
    const truncated = Buffer.from([0x80, 0x80]);
    try {
      readVarint(truncated, { pos: 0 });
      expect.unreachable();
    } catch (err) {
      expect((err as KafkaError).code).toBe(ErrorCode.CORRUPT_MESSAGE);
    }
  });
});

const INT64: bigint[] = [
  0n,
  -1n,
  1n,
  2n ** 31n,
  -(2n ** 31n) - 1n,
  2n ** 32n,
  1_700_000_000_000n,
  -1_700_000_000_000n,
  2n ** 52n,
  -(2n ** 52n),
  2n ** 53n - 1n,
  -(2n ** 53n) + 1n,
  2n ** 60n + 12345n,
  2n ** 63n - 1n,
  -(2n ** 63n),
];

describe('varlong (int64)', () => {
  it('encodes int64 extremes as 10 bytes', () => {
    expect(encVarlong(2n ** 63n - 1n)).toEqual(
      Buffer.from([0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
    );
    expect(encVarlong(-(2n ** 63n))).toEqual(
      Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
    );
  });

  it.each(INT64)('round-trips %s exactly through bigint and matches the reference', (v) => {
    const enc = encVarlong(v);
    expect(enc).toEqual(reference(v));
    expect(sizeOfVarlong(v)).toBe(enc.length);
    const cur = { pos: 0 };
    expect(readVarlongBig(enc, cur)).toBe(v);
    expect(cur.pos).toBe(enc.length);
  });

  it.each(INT64.filter((v) => v >= -(2n ** 53n) + 1n && v <= 2n ** 53n - 1n))(
    'reads and writes safe integer %s on the number path',
    (v) => {
      const n = Number(v);
      const enc = encVarlong(n);
      expect(enc).toEqual(reference(v));
      expect(sizeOfVarlong(n)).toBe(enc.length);
      const cur = { pos: 0 };
      expect(readVarlong(enc, cur)).toBe(n);
      expect(cur.pos).toBe(enc.length);
    },
  );

  it('reads an int64 beyond 2^53 through the exact path (as a number, nearest value)', () => {
    const v = 2n ** 60n + 12345n;
    const cur = { pos: 0 };
    expect(readVarlong(encVarlong(v), cur)).toBe(Number(v));
  });

  it('matches the reference on pseudo-random 64-bit values', () => {
    let x = 0x9e3779b97f4a7c15n;
    for (let i = 0; i < 2000; i++) {
      x = BigInt.asUintN(64, x * 6364136223846793005n + 1442695040888963407n);
      const v = BigInt.asIntN(64, x >> BigInt(i % 64));
      const enc = encVarlong(v);
      expect(enc).toEqual(reference(v));
      expect(readVarlongBig(enc, { pos: 0 })).toBe(v);
      expect(readVarlong(enc, { pos: 0 })).toBe(Number(v));
    }
  });

  it('rejects an 11-byte varlong and a truncated one', () => {
    const tooLong = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(() => readVarlong(tooLong, { pos: 0 })).toThrow(/longer than 10/);
    expect(() => readVarlongBig(tooLong, { pos: 0 })).toThrow(/longer than 10/);
    expect(() => readVarlong(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff]), { pos: 0 })).toThrow(
      /past the end/,
    );
  });
});

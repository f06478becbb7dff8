import { ErrorCode, KafkaError } from '../error-codes.js';

/**
 * Zigzag varint/varlong codecs as used inside v2 record batches (protobuf-style, LSB group first).
 * Readers advance a shared cursor object instead of returning tuples so the record decode loop
 * allocates nothing per field.
 */
export interface Cursor {
  pos: number;
}

function corrupt(message: string): KafkaError {
  return new KafkaError(ErrorCode.CORRUPT_MESSAGE, message);
}

/** Reads a zigzag varint (int32). At most 5 bytes; anything longer is corrupt, as in Kafka. */
export function readVarint(buf: Buffer, cur: Cursor): number {
  let pos = cur.pos;
  const end = buf.length;
  let raw = 0;
  let shift = 0;
  for (;;) {
    if (pos >= end) throw corrupt('varint runs past the end of the buffer');
    const b = buf[pos++]!;
    if (shift === 28) {
      // Fifth byte: only the low 4 bits fit into 32 bits; a continuation bit means > 5 bytes.
      if (b & 0x80) throw corrupt('varint is longer than 5 bytes');
      raw |= b << 28;
      break;
    }
    raw |= (b & 0x7f) << shift;
    if ((b & 0x80) === 0) break;
    shift += 7;
  }
  cur.pos = pos;
  return (raw >>> 1) ^ -(raw & 1);
}

/**
 * Reads a zigzag varlong (int64) as a number. Values within ±2^53 (all real timestamps and deltas)
 * stay on the number path; larger magnitudes are decoded exactly through bigint and converted,
 * so they may lose precision — use readVarlongBig where every bit matters.
 */
export function readVarlong(buf: Buffer, cur: Cursor): number {
  const start = cur.pos;
  let pos = start;
  const end = buf.length;
  // Low 28 bits from up to four bytes with plain int math, then the rest as a float multiple.
  let lo = 0;
  let shift = 0;
  let b = 0;
  do {
    if (pos >= end) throw corrupt('varlong runs past the end of the buffer');
    b = buf[pos++]!;
    lo |= (b & 0x7f) << shift;
    shift += 7;
  } while (b & 0x80 && shift < 28);
  if ((b & 0x80) === 0) {
    cur.pos = pos;
    return (lo >>> 1) ^ -(lo & 1);
  }
  let hi = 0; // bits 28.. as a float, exact while < 2^53
  let mul = 1;
  for (;;) {
    if (pos >= end) throw corrupt('varlong runs past the end of the buffer');
    if (pos - start >= 10) throw corrupt('varlong is longer than 10 bytes');
    b = buf[pos++]!;
    hi += (b & 0x7f) * mul;
    mul *= 128;
    if ((b & 0x80) === 0) break;
  }
  if (hi >= 2 ** 24) {
    // Raw value ≥ 2^52: redo exactly with bigint.
    cur.pos = start;
    return Number(readVarlongBig(buf, cur));
  }
  cur.pos = pos;
  const raw = hi * 268435456 + lo; // lo is < 2^28 and non-negative here
  return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
}

/** Reads a zigzag varlong exactly as a bigint. */
export function readVarlongBig(buf: Buffer, cur: Cursor): bigint {
  let pos = cur.pos;
  const end = buf.length;
  let raw = 0n;
  let shift = 0n;
  for (let i = 0; ; i++) {
    if (i >= 10) throw corrupt('varlong is longer than 10 bytes');
    if (pos >= end) throw corrupt('varlong runs past the end of the buffer');
    const b = buf[pos++]!;
    raw |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) break;
    shift += 7n;
  }
  cur.pos = pos;
  raw = BigInt.asUintN(64, raw);
  return BigInt.asIntN(64, (raw >> 1n) ^ -(raw & 1n));
}

/** Encoded size of a zigzag varint; `value` must be an int32. */
export function sizeOfVarint(value: number): number {
  let v = ((value << 1) ^ (value >> 31)) >>> 0;
  let n = 1;
  while (v >= 0x80) {
    v >>>= 7;
    n++;
  }
  return n;
}

/** Writes a zigzag varint at `pos`, returns the position after it. `value` must be an int32. */
export function writeVarint(buf: Buffer, pos: number, value: number): number {
  let v = ((value << 1) ^ (value >> 31)) >>> 0;
  while (v >= 0x80) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}

const SAFE = Number.MAX_SAFE_INTEGER;

/** Zigzag of a safe integer as a non-negative float (exact while |value| ≤ 2^52). */
function zigzagNumber(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

/** Encoded size of a zigzag varlong. */
export function sizeOfVarlong(value: number | bigint): number {
  if (typeof value === 'number' && value >= -(2 ** 52) && value <= 2 ** 52) {
    if (value >= -(2 ** 30) && value < 2 ** 30) return sizeOfVarint(value);
    let v = zigzagNumber(value);
    let n = 1;
    while (v >= 128) {
      v = Math.floor(v / 128);
      n++;
    }
    return n;
  }
  let v = zigzagBig(BigInt(value));
  let n = 1;
  while (v >= 128n) {
    v >>= 7n;
    n++;
  }
  return n;
}

function zigzagBig(value: bigint): bigint {
  const v = BigInt.asIntN(64, value);
  return BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
}

/** Writes a zigzag varlong at `pos`, returns the position after it. */
export function writeVarlong(buf: Buffer, pos: number, value: number | bigint): number {
  if (typeof value === 'number' && value >= -(2 ** 52) && value <= 2 ** 52) {
    if (value >= -(2 ** 30) && value < 2 ** 30) return writeVarint(buf, pos, value);
    let v = zigzagNumber(value);
    while (v >= 128) {
      buf[pos++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    buf[pos++] = v;
    return pos;
  }
  if (typeof value === 'number' && !Number.isInteger(value)) throw new RangeError(`not an integer: ${value}`);
  if (typeof value === 'number' && Math.abs(value) > SAFE) throw new RangeError(`unsafe integer: ${value}`);
  let v = zigzagBig(BigInt(value));
  while (v >= 128n) {
    buf[pos++] = Number(v & 0x7fn) | 0x80;
    v >>= 7n;
  }
  buf[pos++] = Number(v);
  return pos;
}

import { writeFileSync } from 'node:fs';
import { javaKeyPartition } from './support/murmur2.js';
import type { DataRecord, WriteProfile } from './types.js';

/** Exactly 1 MiB: one value per data set is this large. Topics get max.message.bytes to fit it. */
export const LARGE_VALUE_BYTES = 1024 * 1024;
export const TOPIC_CONFIGS = { 'max.message.bytes': String(16 * 1024 * 1024) };

/** Printable ASCII without the separators any client's text format uses (tab, ',', ':', '=', '\\'). */
const TEXT = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_.!?#()[]{}+*/@~';

/** Deterministic bytes (xorshift32), skipping the bytes a client cannot carry. */
function noise(length: number, seed: number, avoid: readonly number[]): Buffer {
  const b = Buffer.alloc(length);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    let v = x & 0xff;
    while (avoid.includes(v)) v = (v + 1) & 0xff;
    b[i] = v;
  }
  return b;
}

function text(length: number, seed: number): Buffer {
  const raw = noise(length, seed, []);
  for (let i = 0; i < length; i++) raw[i] = TEXT.charCodeAt(raw[i]! % TEXT.length);
  return raw;
}

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

/** Header set number `n`; 0 means no headers, so every data set has records without any. */
function headerSet(n: number, p: WriteProfile): DataRecord['headers'] {
  if (n === 0) return p.requireHeaders ? [['idx', utf8('0')]] : [];
  const h: DataRecord['headers'] = [['idx', utf8(String(n))]];
  if (n % 3 === 0 && p.nullHeaderValues) h.push(['h-null', null]);
  if (n % 4 === 0) h.push(['h-empty', Buffer.alloc(0)]);
  if (n % 5 === 0) h.push(['h-bin', p.binaryHeaders ? noise(5, n, p.avoidBytes) : utf8(`bin-${n}`)]);
  if (n % 6 === 0) h.push(['h-utf8', utf8('h\u00e9llo \u2713')]);
  if (n % 7 === 0 && p.duplicateHeaders) h.push(['dup', utf8('a')], ['dup', utf8('b')]);
  return h;
}

export interface DatasetOptions {
  count: number;
  partitions: number;
  seed: number;
  /** Timestamp of record 0; every tenth record steps back in time to catch monotonic assumptions. */
  baseTimestamp: number;
  large: boolean;
}

/**
 * The records one client sends: keys, binary or text values, a null key (record 1), an empty key and
 * value (2), a tombstone (3), a 1 MiB value (4), headers with null, empty, binary, UTF-8 and repeated
 * names, all within what the client's WriteProfile can express. `partition` is the expected
 * partition (-1: the client's partitioner chooses and nothing predicts it).
 */
export function makeDataset(p: WriteProfile, o: DatasetOptions): DataRecord[] {
  const out: DataRecord[] = [];
  const perPartition = new Map<number, number>();
  for (let i = 0; i < o.count; i++) {
    const seed = o.seed * 100_003 + i;
    let key: Buffer | null =
      p.binary && i % 4 === 1 && i > 4 ? noise(1 + (i % 16), seed, p.avoidBytes) : utf8(`key-${i}`);
    let value: Buffer | null;
    if (i % 2 === 0) value = utf8(`value-${i}-`.repeat(1 + (i % 50)));
    else value = p.binary ? noise((i * 37) % 400, seed, p.avoidBytes) : text((i * 37) % 400, seed);
    if (i === 1) key = null;
    if (i === 2 && p.emptyBytes) {
      key = Buffer.alloc(0);
      value = Buffer.alloc(0);
    }
    if (i === 3) value = null;
    if (i === 4 && o.large)
      value = p.binary ? noise(LARGE_VALUE_BYTES, seed, p.avoidBytes) : text(LARGE_VALUE_BYTES, seed);
    let partition = i % o.partitions;
    if (p.partitioning === 'murmur2') partition = key === null ? -1 : javaKeyPartition(key, o.partitions);
    const nth = perPartition.get(partition) ?? 0;
    perPartition.set(partition, nth + 1);
    const headers = headerSet(p.headerRun === 1 ? i : Math.floor(nth / p.headerRun) * 11, p);
    const timestamp = p.timestamps ? (i % 10 === 9 ? o.baseTimestamp - 5_000 - i : o.baseTimestamp + i) : -1;
    out.push({ partition, timestamp, key, value, headers });
  }
  return out;
}

const field = (b: Buffer | null): string => (b === null ? '-' : b.toString('base64'));

/** The dataset file every external driver reads; the format is described in test/compat/README.md. */
export function writeDataset(path: string, records: readonly DataRecord[]): void {
  const lines = records.map((r) => {
    const headers = r.headers.map(([k, v]) => `${utf8(k).toString('base64')}:${field(v)}`).join(',');
    return [String(r.partition), String(r.timestamp), field(r.key), field(r.value), headers].join('\t');
  });
  writeFileSync(path, lines.join('\n') + '\n');
}

import type { KcatInput } from './kcat.js';
import { expectedFromInput } from './kcat.js';
import type { KafkaRecord } from './records.js';

/** One kcat -P invocation: kcat sets partition, headers and -Z per run, not per message. */
export interface KcatBatch {
  partition: number;
  nullEmpty: boolean;
  headers: Array<[string, string | null]>;
  messages: KcatInput[];
}

/** Bytes 0x00-0xff except kcat's two delimiters (0x1e, 0x1f), so NUL and high bytes are covered. */
function allBytes(): Buffer {
  const out: number[] = [];
  for (let b = 0; b < 256; b++) {
    if (b !== 0x1e && b !== 0x1f) {
      out.push(b);
    }
  }
  return Buffer.from(out);
}

/** Deterministic incompressible bytes (xorshift32) without the delimiters. */
function noise(length: number, seed: number): Buffer {
  const b = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    const v = x & 0xff;
    b[i] = v === 0x1e || v === 0x1f ? 0x20 : v;
  }
  return b;
}

const text = (s: string): Buffer => Buffer.from(s, 'utf8');

/** Just under the broker's default max.message.bytes once batch overhead is added, as in the Java set. */
export const KCAT_LARGE_VALUE_BYTES = 1024 * 1024 - 1024;

/**
 * Three partitions' worth of kcat input: partition 0 covers empty versus absent keys and binary data
 * (plus a ~1 MiB value when `large`), partition 1 covers -Z (null keys, tombstones), partition 2 has
 * many small records and no headers.
 */
export function kcatBatches(options: { large: boolean } = { large: true }): KcatBatch[] {
  const p0: KcatInput[] = [
    { key: text('k0-a'), value: text('v0-a') },
    { key: Buffer.alloc(0), value: Buffer.alloc(0) },
    { value: text('no-key-delimiter') },
    { key: text('k-empty-value'), value: Buffer.alloc(0) },
    { key: Buffer.alloc(0), value: text('empty-key') },
    { key: Buffer.from([0x00, 0xff, 0x80, 0x0a]), value: allBytes() },
    { key: text('utf8-\u00e9\u2713'), value: text('line one\nline two\r\n\ttabbed "quoted" \\ back') },
  ];
  if (options.large) {
    p0.push({ key: text('large'), value: noise(KCAT_LARGE_VALUE_BYTES, 7) });
  }
  const p1: KcatInput[] = [
    { key: text('k1-tombstone'), value: Buffer.alloc(0) },
    { key: Buffer.alloc(0), value: text('null-key') },
    { key: Buffer.alloc(0), value: Buffer.alloc(0) },
    { key: text('k1-b'), value: text('v1-b') },
  ];
  const p2: KcatInput[] = [];
  for (let i = 0; i < 25; i++) {
    p2.push({
      key: text(`key-${i}`),
      value: i % 2 ? noise(200 + i, i + 1) : text(`value-${i}-`.repeat(i + 1)),
    });
  }
  return [
    {
      partition: 0,
      nullEmpty: false,
      headers: [
        ['source', 'kcat'],
        ['h-null', null],
        ['h-empty', ''],
        ['h-utf8', 'h\u00e9llo \u2713'],
        ['dup', 'a'],
        ['dup', 'b'],
      ],
      messages: p0,
    },
    { partition: 1, nullEmpty: true, headers: [['source', 'kcat-Z']], messages: p1 },
    { partition: 2, nullEmpty: false, headers: [], messages: p2 },
  ];
}

/** The records a broker must return for the batches, on a fresh topic (offsets from 0). */
export function expectedKcatRecords(batches: readonly KcatBatch[]): KafkaRecord[] {
  const next = new Map<number, number>();
  const out: KafkaRecord[] = [];
  for (const b of batches) {
    for (const m of b.messages) {
      const offset = next.get(b.partition) ?? 0;
      next.set(b.partition, offset + 1);
      const { key, value } = expectedFromInput(m, b.nullEmpty);
      out.push({
        partition: b.partition,
        offset,
        timestamp: 0,
        key,
        value,
        headers: b.headers.map(([k, v]) => [k, v === null ? null : text(v)]),
      });
    }
  }
  return out;
}

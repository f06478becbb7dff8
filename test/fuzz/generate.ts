/**
 * Requests generated from the protocol's own message descriptions (src/protocol/generated): for any
 * API and version, a structurally valid body with values drawn from boundary and random cases, then
 * ways to break its bytes. Deterministic for a seed, so a failure can be replayed.
 */
import type { FieldSchema, MessageSchema } from '../../src/protocol/schema.js';
import { inRange } from '../../src/protocol/schema.js';
import { Compression } from '../../src/protocol/records/layout.js';
import { bomb, goodBatch, hostileCases } from '../support/hostile-batches.js';

/** A small, fast, seedable PRNG (mulberry32). */
export class Random {
  constructor(private state: number) {}

  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(below: number): number {
    return Math.floor(this.next() * below);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
}

/** Names that exist on the gateway under test, so requests reach past "unknown topic". */
export interface Vocabulary {
  readonly topics: readonly string[];
  readonly groups: readonly string[];
}

const INT_EDGES = [0, 1, -1, 2, 127, -128, 32767, -32768, 2147483647, -2147483648];
const LONG_EDGES = [0n, 1n, -1n, -2n, 9223372036854775807n, -9223372036854775808n];
/** Fields that bound how long the broker waits: keep them short so a case cannot park a connection. */
const WAIT_FIELD = /Ms$|timeout/i;

/** Record batches a fuzzed Produce may carry: valid ones of every codec and the hostile catalogue. */
function recordsPool(): Buffer[] {
  const pool = [goodBatch(1), goodBatch(5, Compression.Gzip), goodBatch(5, Compression.Lz4)];
  pool.push(
    goodBatch(5, Compression.Snappy),
    goodBatch(5, Compression.Zstd),
    bomb(Compression.Zstd, 64 << 20),
  );
  for (const c of hostileCases()) pool.push(c.records);
  return pool;
}

export class RequestGenerator {
  private readonly records = recordsPool();

  constructor(
    private readonly rnd: Random,
    private readonly vocabulary: Vocabulary,
  ) {}

  /** A body for `schema` at `version`, every field present in that version filled in. */
  body(schema: MessageSchema, version: number): Record<string, unknown> {
    return this.struct(schema.fields, version, 0);
  }

  private struct(fields: readonly FieldSchema[], version: number, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const f of fields) {
      if (!inRange(f.versions, version)) continue;
      if (inRange(f.taggedVersions, version) && this.rnd.chance(0.5)) continue;
      if (inRange(f.nullableVersions, version) && this.rnd.chance(0.1)) {
        out[f.name] = null;
        continue;
      }
      if (f.array === true) {
        const n = depth > 3 ? 0 : this.rnd.pick([0, 1, 1, 2, 3]);
        out[f.name] = Array.from({ length: n }, () => this.value(f, version, depth + 1));
      } else {
        out[f.name] = this.value(f, version, depth + 1);
      }
    }
    return out;
  }

  private value(f: FieldSchema, version: number, depth: number): unknown {
    const r = this.rnd;
    const wait = WAIT_FIELD.test(f.name);
    switch (f.type) {
      case 'struct':
        return this.struct(f.fields ?? [], version, depth);
      case 'bool':
        return r.chance(0.5);
      case 'int8':
        return r.pick([0, 1, -1, 127, -128, r.int(256) - 128]);
      case 'int16':
        return r.pick([0, 1, -1, 32767, -32768, r.int(20)]);
      case 'uint16':
        return r.pick([0, 1, 65535, r.int(65536)]);
      case 'int32':
        if (wait) return r.pick([0, 1, 100, r.int(500), -1]);
        return r.chance(0.6) ? r.pick(INT_EDGES) : r.int(2000) - 1000;
      case 'uint32':
        return r.pick([0, 1, 4294967295, r.int(100000)]);
      case 'int64':
        if (wait) return BigInt(r.pick([0, 1, 100, -1]));
        return r.chance(0.6) ? r.pick(LONG_EDGES) : BigInt(r.int(1_000_000) - 500_000);
      case 'float64':
        return r.pick([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 1e308]);
      case 'string':
        return this.string(f.name);
      case 'uuid':
        return r.chance(0.5) ? '0'.repeat(32) : r.bytes(16).toString('hex');
      case 'bytes':
        return r.pick([Buffer.alloc(0), r.bytes(r.int(64)), r.bytes(4)]);
      case 'records':
        return r.pick(this.records);
    }
  }

  private string(field: string): string {
    const r = this.rnd;
    const v = this.vocabulary;
    if (/topic|name/i.test(field) && r.chance(0.6)) return r.pick(v.topics);
    if (/group/i.test(field) && r.chance(0.6)) return r.pick(v.groups);
    return r.pick([
      '',
      'x',
      'a'.repeat(300),
      'ü🙂\u0000',
      '..',
      '__consumer_offsets',
      r.bytes(8).toString('hex'),
    ]);
  }
}

/** Ways to break an encoded request frame (without its size prefix). */
export function mutate(rnd: Random, frame: Buffer): Buffer {
  const out = Buffer.from(frame);
  switch (rnd.int(5)) {
    case 0: // truncated anywhere after the api key and version
      return out.subarray(0, 4 + rnd.int(Math.max(1, out.length - 4)));
    case 1: {
      // a few bits flipped in the body (past the header's key, version and correlation id)
      const flips = 1 + rnd.int(4);
      for (let i = 0; i < flips && out.length > 8; i++) {
        const at = 8 + rnd.int(out.length - 8);
        out[at]! ^= 1 << rnd.int(8);
      }
      return out;
    }
    case 2: // garbage appended
      return Buffer.concat([out, rnd.bytes(1 + rnd.int(64))]);
    case 3: {
      // a byte replaced by an extreme value (lengths and counts become huge or negative)
      if (out.length > 8) out[8 + rnd.int(out.length - 8)] = rnd.pick([0x00, 0x7f, 0x80, 0xff]);
      return out;
    }
    default: // everything after the header replaced by random bytes
      return Buffer.concat([out.subarray(0, Math.min(out.length, 12)), rnd.bytes(rnd.int(200))]);
  }
}

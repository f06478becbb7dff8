import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from '../../src/protocol/codec.js';
import {
  ConsumerProtocolAssignmentSchema,
  ConsumerProtocolSubscriptionSchema,
} from '../../src/protocol/generated/consumer-protocol.js';
import { RequestHeaderSchema, ResponseHeaderSchema } from '../../src/protocol/generated/headers.js';
import { API_DEFINITIONS } from '../../src/protocol/generated/index.js';
import { Reader } from '../../src/protocol/reader.js';
import type { FieldSchema, MessageSchema, VersionRange } from '../../src/protocol/schema.js';
import { Writer } from '../../src/protocol/writer.js';

/*
 * Every message of every API, at every version, filled from its schema with values that differ
 * from the defaults, must survive encode → decode → encode unchanged. The expectations are built
 * here from the schema alone (not from the codec's plans), so a codec that drops, reorders or
 * mis-sizes a field in any version fails.
 */

type Mode = 'values' | 'nulls';

interface SampleContext {
  readonly version: number;
  readonly flexible: boolean;
  readonly mode: Mode;
  /** Varies values so that neighbouring fields of the same type differ. */
  counter: number;
}

interface Sample {
  readonly input: unknown;
  readonly expected: unknown;
}

const ZERO_UUID = '0'.repeat(32);

function has(range: VersionRange | null | undefined, v: number): boolean {
  return range != null && v >= range[0] && v <= range[1];
}

/** What a field holds when a version lacks it: Kafka's default for its type, or the declared one. */
function defaultFor(f: FieldSchema): unknown {
  const d = f.default;
  if (f.array) return d === null ? null : [];
  if (f.type === 'struct') return d === null ? null : defaultStruct(f.fields ?? []);
  if (d === null) return null;
  switch (f.type) {
    case 'bool':
      return d === true || d === 'true';
    case 'int64':
      return d === undefined ? 0n : BigInt(d);
    case 'string':
      return d === undefined ? '' : String(d);
    case 'uuid':
      return ZERO_UUID;
    case 'bytes':
    case 'records':
      return Buffer.alloc(0);
    default:
      return d === undefined ? 0 : Number(d);
  }
}

function defaultStruct(fields: readonly FieldSchema[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const f of fields) o[f.name] = defaultFor(f);
  return o;
}

function differentFrom<T>(value: T, d: unknown, other: T): T {
  // eslint-disable-next-line eqeqeq -- defaults come as numbers, bigints or strings
  return d !== undefined && d !== null && value == d ? other : value;
}

function scalar(f: FieldSchema, ctx: SampleContext): unknown {
  const n = ++ctx.counter;
  const negative = n % 2 === 1;
  const d = f.default;
  switch (f.type) {
    case 'bool':
      return !(d === true || d === 'true');
    case 'int8':
      return differentFrom(negative ? -(n % 100) - 2 : (n % 100) + 2, d, 99);
    case 'int16':
      return differentFrom(negative ? -1000 - n : 1000 + n, d, 4321);
    case 'uint16':
      return differentFrom(60000 + (n % 5000), d, 65535);
    case 'int32':
      return differentFrom(negative ? -100000 - n * 7 : 100000 + n * 7, d, 2147483600);
    case 'uint32':
      return 4000000000 + n;
    case 'int64': {
      const v = (1n << 40n) + BigInt(n);
      return differentFrom(negative ? -v : v, d, 9223372036854775807n);
    }
    case 'float64':
      return n + 0.25;
    case 'string':
      // Non-ASCII so that byte length and character count differ.
      return `${f.name}-${n}-é✓`;
    case 'uuid':
      return createHash('md5').update(`uuid-${n}`).digest('hex');
    case 'bytes':
      return Buffer.from([n & 0xff, 1, 2, 3, 0xff]);
    case 'records':
      return Buffer.from(`records-${n}-payload`);
    case 'struct':
      throw new Error('struct is not a scalar');
  }
}

function sampleValue(f: FieldSchema, ctx: SampleContext): Sample {
  if (f.type === 'struct') return sampleStruct(f.fields ?? [], ctx);
  const v = scalar(f, ctx);
  // Buffers are compared by content; give expected its own copy so aliasing cannot hide a bug.
  return { input: v, expected: Buffer.isBuffer(v) ? Buffer.from(v) : v };
}

function sampleField(f: FieldSchema, ctx: SampleContext): Sample {
  if (ctx.mode === 'nulls' && has(f.nullableVersions, ctx.version)) return { input: null, expected: null };
  if (!f.array) return sampleValue(f, ctx);
  const items = [sampleValue(f, ctx), sampleValue(f, ctx)];
  return { input: items.map((s) => s.input), expected: items.map((s) => s.expected) };
}

function sampleStruct(fields: readonly FieldSchema[], ctx: SampleContext): Sample {
  const input: Record<string, unknown> = {};
  const expected: Record<string, unknown> = {};
  for (const f of fields) {
    const s = sampleField(f, ctx);
    input[f.name] = s.input;
    // A field the version lacks is not written, whatever the caller passed; it decodes to its default.
    expected[f.name] = has(f.versions, ctx.version) ? s.expected : defaultFor(f);
  }
  return { input, expected };
}

function sampleMessage(schema: MessageSchema, version: number, mode: Mode): Sample {
  const ctx: SampleContext = { version, flexible: has(schema.flexibleVersions, version), mode, counter: 0 };
  return sampleStruct(schema.fields, ctx);
}

function encode(schema: MessageSchema, version: number, message: unknown): Buffer {
  const w = new Writer();
  encodeMessage(schema, version, w, message as object);
  return Buffer.concat(w.finish());
}

function roundTrip(schema: MessageSchema, version: number, mode: Mode): void {
  const { input, expected } = sampleMessage(schema, version, mode);
  const bytes = encode(schema, version, input);
  const r = new Reader(bytes);
  const decoded = decodeMessage<unknown>(schema, version, r);
  expect(r.remaining, 'bytes left after decoding').toBe(0);
  expect(decoded).toStrictEqual(expected);
  expect(encode(schema, version, decoded).equals(bytes), 're-encoding the decoded message').toBe(true);
}

function versionsOf(schema: MessageSchema): number[] {
  const out: number[] = [];
  for (let v = schema.validVersions[0]; v <= schema.validVersions[1]; v++) out.push(v);
  return out;
}

function cases(schemas: readonly MessageSchema[]): [string, number, MessageSchema][] {
  return schemas.flatMap((s) => versionsOf(s).map((v): [string, number, MessageSchema] => [s.name, v, s]));
}

describe('codec round trip of every API message', () => {
  it('covers every API the definitions list', () => {
    expect(API_DEFINITIONS.length).toBeGreaterThan(60);
    for (const d of API_DEFINITIONS) {
      expect(d.request.validVersions).toEqual(d.validVersions);
      expect(d.response.validVersions).toEqual(d.validVersions);
    }
  });

  const schemas = API_DEFINITIONS.flatMap((d) => [d.request, d.response]);
  it.each(cases(schemas))('%s v%i with values', (_name, version, schema) =>
    roundTrip(schema, version, 'values'),
  );
  it.each(cases(schemas))('%s v%i with nulls', (_name, version, schema) =>
    roundTrip(schema, version, 'nulls'),
  );
});

describe('codec round trip of headers and consumer protocol data', () => {
  const schemas = [
    RequestHeaderSchema,
    ResponseHeaderSchema,
    ConsumerProtocolSubscriptionSchema,
    ConsumerProtocolAssignmentSchema,
  ];
  it('has the header versions Kafka defines', () => {
    expect(RequestHeaderSchema.validVersions).toEqual([0, 2]);
    expect(ResponseHeaderSchema.validVersions).toEqual([0, 1]);
  });
  it.each(cases(schemas))('%s v%i with values', (_name, version, schema) =>
    roundTrip(schema, version, 'values'),
  );
  it.each(cases(schemas))('%s v%i with nulls', (_name, version, schema) =>
    roundTrip(schema, version, 'nulls'),
  );
});

describe('the sample builder itself', () => {
  it('gives tagged fields non-default values so that they are written', () => {
    const schema = API_DEFINITIONS.find((d) => d.apiKey === 18)!.response;
    const { input } = sampleMessage(schema, 3, 'values') as { input: Record<string, unknown> };
    expect(input.zkMigrationReady).toBe(true);
    expect(input.finalizedFeaturesEpoch).not.toBe(-1n);
    const bytes = encode(schema, 3, input);
    const withDefaults = encode(schema, 3, { ...input, zkMigrationReady: false });
    // tag 3, size 1, value 1: three bytes fewer when the flag is at its default.
    expect(bytes.length - withDefaults.length).toBe(3);
  });
});

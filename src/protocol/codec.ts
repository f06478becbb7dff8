import { ProtocolError, Reader } from './reader.js';
import type { DefaultValue, FieldSchema, MessageSchema, ScalarType } from './schema.js';
import { inRange } from './schema.js';
import { Writer } from './writer.js';

/**
 * Encodes and decodes generated message schemas. Each (message, version) pair is compiled once into
 * a plan that lists only the fields present in that version, so the per-message work is a flat loop.
 */

const enum Kind {
  Bool,
  Int8,
  Int16,
  Uint16,
  Int32,
  Uint32,
  Int64,
  Float64,
  String,
  Uuid,
  Bytes,
  Records,
  Struct,
}

const KIND: Record<ScalarType | 'struct', Kind> = {
  bool: Kind.Bool,
  int8: Kind.Int8,
  int16: Kind.Int16,
  uint16: Kind.Uint16,
  int32: Kind.Int32,
  uint32: Kind.Uint32,
  int64: Kind.Int64,
  float64: Kind.Float64,
  string: Kind.String,
  uuid: Kind.Uuid,
  bytes: Kind.Bytes,
  records: Kind.Records,
  struct: Kind.Struct,
};

interface FieldPlan {
  readonly name: string;
  readonly kind: Kind;
  readonly array: boolean;
  readonly nullable: boolean;
  /** Compact (varint) lengths for this field. */
  readonly compact: boolean;
  readonly tag: number;
  readonly struct: StructPlan | undefined;
  readonly defaultValue: DefaultValue | undefined;
  /** For arrays: how one element is read and written. */
  element: FieldPlan | undefined;
}

interface StructPlan {
  readonly fields: readonly FieldPlan[];
  readonly tagged: readonly FieldPlan[];
  readonly taggedByTag: ReadonlyMap<number, FieldPlan>;
  readonly absent: readonly FieldPlan[];
  readonly flexible: boolean;
}

const ZERO_UUID = '00000000000000000000000000000000';

function compileStruct(fields: readonly FieldSchema[], version: number, flexible: boolean): StructPlan {
  const present: FieldPlan[] = [];
  const tagged: FieldPlan[] = [];
  const absent: FieldPlan[] = [];
  for (const f of fields) {
    const fieldFlexible = f.flexibleVersions === undefined ? flexible : inRange(f.flexibleVersions, version);
    const plan: FieldPlan = {
      name: f.name,
      kind: KIND[f.type],
      array: f.array === true,
      nullable: inRange(f.nullableVersions, version),
      compact: fieldFlexible,
      tag: f.tag ?? -1,
      struct: f.fields ? compileStruct(f.fields, version, flexible) : undefined,
      defaultValue: f.default,
      element: undefined,
    };
    if (plan.array) plan.element = { ...plan, array: false, nullable: false };
    if (!inRange(f.versions, version)) absent.push(plan);
    else if (flexible && inRange(f.taggedVersions, version)) tagged.push(plan);
    else present.push(plan);
  }
  tagged.sort((a, b) => a.tag - b.tag);
  return {
    fields: present,
    tagged,
    taggedByTag: new Map(tagged.map((t) => [t.tag, t])),
    absent,
    flexible,
  };
}

const plans = new WeakMap<MessageSchema, StructPlan[]>();

function planFor(schema: MessageSchema, version: number): StructPlan {
  let byVersion = plans.get(schema);
  if (byVersion === undefined) {
    byVersion = [];
    plans.set(schema, byVersion);
  }
  let plan = byVersion[version];
  if (plan === undefined) {
    if (!inRange(schema.validVersions, version)) {
      throw new ProtocolError(`${schema.name} has no version ${version}`);
    }
    plan = compileStruct(schema.fields, version, inRange(schema.flexibleVersions, version));
    byVersion[version] = plan;
  }
  return plan;
}

export function isFlexible(schema: MessageSchema, version: number): boolean {
  return inRange(schema.flexibleVersions, version);
}

// ---------------------------------------------------------------- defaults

function defaultOf(f: FieldPlan): unknown {
  const d = f.defaultValue;
  if (f.array) return d === null ? null : [];
  if (f.kind === Kind.Struct) return d === null || f.nullable ? null : defaultStruct(f.struct!);
  if (d === null) return null;
  switch (f.kind) {
    case Kind.Bool:
      return d === undefined ? false : d === true || d === 'true';
    case Kind.Int64:
      return d === undefined ? 0n : BigInt(d as string | number | bigint);
    case Kind.String:
      return d === undefined ? '' : String(d);
    case Kind.Uuid:
      return ZERO_UUID;
    case Kind.Bytes:
    case Kind.Records:
      return f.nullable ? null : Buffer.alloc(0);
    default:
      return d === undefined ? 0 : Number(d);
  }
}

function defaultStruct(plan: StructPlan): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const f of plan.fields) o[f.name] = defaultOf(f);
  for (const f of plan.tagged) o[f.name] = defaultOf(f);
  for (const f of plan.absent) o[f.name] = defaultOf(f);
  return o;
}

// ---------------------------------------------------------------- decode

function readLength(r: Reader, compact: boolean, wide: boolean): number {
  if (compact) return r.uvarint() - 1;
  return wide ? r.int32() : r.int16();
}

function nullError(f: FieldPlan): ProtocolError {
  return new ProtocolError(`null ${f.name} where the field is not nullable`);
}

function readScalar(r: Reader, f: FieldPlan): unknown {
  switch (f.kind) {
    case Kind.Bool:
      return r.bool();
    case Kind.Int8:
      return r.int8();
    case Kind.Int16:
      return r.int16();
    case Kind.Uint16:
      return r.uint16();
    case Kind.Int32:
      return r.int32();
    case Kind.Uint32:
      return r.uint32();
    case Kind.Int64:
      return r.int64();
    case Kind.Float64:
      return r.float64();
    case Kind.Uuid:
      return r.uuid();
    case Kind.String: {
      const len = readLength(r, f.compact, false);
      if (len < 0) {
        if (!f.nullable) throw nullError(f);
        return null;
      }
      return r.stringOfLength(len);
    }
    case Kind.Bytes:
    case Kind.Records: {
      const len = readLength(r, f.compact, true);
      if (len < 0) {
        if (!f.nullable) throw nullError(f);
        return null;
      }
      return r.bytesOfLength(len);
    }
    default:
      throw new ProtocolError(`unexpected kind for ${f.name}`);
  }
}

function readValue(r: Reader, f: FieldPlan): unknown {
  if (f.kind !== Kind.Struct) return readScalar(r, f);
  if (f.nullable && r.int8() < 0) return null;
  return decodeStruct(r, f.struct!);
}

function readField(r: Reader, f: FieldPlan): unknown {
  if (!f.array) return readValue(r, f);
  const n = readLength(r, f.compact, true);
  if (n < 0) {
    if (!f.nullable) throw nullError(f);
    return null;
  }
  // Every element takes at least one byte, so a count beyond the frame is corrupt; checking first
  // keeps a hostile count from allocating a huge array.
  if (n > r.remaining) throw new ProtocolError(`array ${f.name} claims ${n} elements`);
  const out = new Array<unknown>(n);
  const element = f.element!;
  for (let i = 0; i < n; i++) out[i] = readValue(r, element);
  return out;
}

function readTaggedFields(r: Reader, plan: StructPlan, o: Record<string, unknown>): void {
  const count = r.uvarint();
  for (let i = 0; i < count; i++) {
    const tag = r.uvarint();
    const size = r.uvarint();
    const f = plan.taggedByTag.get(tag);
    if (f === undefined) {
      r.skip(size);
      continue;
    }
    const end = r.pos + size;
    if (end > r.end) throw new ProtocolError(`tagged field ${tag} runs past the frame`);
    o[f.name] = readField(new Reader(r.buf, r.pos, end), f);
    r.pos = end;
  }
}

function decodeStruct(r: Reader, plan: StructPlan): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const f of plan.fields) o[f.name] = readField(r, f);
  for (const f of plan.tagged) o[f.name] = defaultOf(f);
  for (const f of plan.absent) o[f.name] = defaultOf(f);
  if (plan.flexible) readTaggedFields(r, plan, o);
  return o;
}

export function decodeMessage<T>(schema: MessageSchema, version: number, r: Reader): T {
  return decodeStruct(r, planFor(schema, version)) as T;
}

// ---------------------------------------------------------------- encode

function writeLength(w: Writer, n: number, compact: boolean, wide: boolean): void {
  if (compact) w.uvarint(n + 1);
  else if (wide) w.int32(n);
  else w.int16(n);
}

function writeScalar(w: Writer, f: FieldPlan, v: unknown): void {
  switch (f.kind) {
    case Kind.Bool:
      w.bool(v === true);
      return;
    case Kind.Int8:
      w.int8((v as number) ?? 0);
      return;
    case Kind.Int16:
      w.int16((v as number) ?? 0);
      return;
    case Kind.Uint16:
      w.uint16((v as number) ?? 0);
      return;
    case Kind.Int32:
      w.int32((v as number) ?? 0);
      return;
    case Kind.Uint32:
      w.uint32((v as number) ?? 0);
      return;
    case Kind.Int64:
      w.int64((v as bigint) ?? 0n);
      return;
    case Kind.Float64:
      w.float64((v as number) ?? 0);
      return;
    case Kind.Uuid:
      w.uuid((v as string) ?? ZERO_UUID);
      return;
    case Kind.String: {
      if (v == null) {
        if (!f.nullable) throw nullError(f);
        writeLength(w, -1, f.compact, false);
        return;
      }
      const s = v as string;
      const n = Buffer.byteLength(s, 'utf8');
      writeLength(w, n, f.compact, false);
      w.utf8(s, n);
      return;
    }
    case Kind.Bytes:
    case Kind.Records: {
      if (v == null) {
        if (!f.nullable) throw nullError(f);
        writeLength(w, -1, f.compact, true);
        return;
      }
      if (Array.isArray(v)) {
        const parts = v as readonly Buffer[];
        let n = 0;
        for (const p of parts) n += p.length;
        writeLength(w, n, f.compact, true);
        for (const p of parts) w.attach(p);
        return;
      }
      const b = v as Buffer;
      writeLength(w, b.length, f.compact, true);
      if (f.kind === Kind.Records) w.attach(b);
      else w.raw(b);
      return;
    }
    default:
      throw new ProtocolError(`unexpected kind for ${f.name}`);
  }
}

function writeValue(w: Writer, f: FieldPlan, v: unknown): void {
  if (f.kind !== Kind.Struct) {
    writeScalar(w, f, v);
    return;
  }
  if (f.nullable) {
    if (v == null) {
      w.int8(-1);
      return;
    }
    w.int8(1);
  }
  encodeStruct(w, f.struct!, (v ?? {}) as Record<string, unknown>);
}

function writeField(w: Writer, f: FieldPlan, v: unknown): void {
  if (!f.array) {
    writeValue(w, f, v === undefined ? defaultOf(f) : v);
    return;
  }
  if (v == null) {
    if (v === null && f.nullable) {
      writeLength(w, -1, f.compact, true);
      return;
    }
    writeLength(w, 0, f.compact, true);
    return;
  }
  const items = v as readonly unknown[];
  writeLength(w, items.length, f.compact, true);
  const element = f.element!;
  for (const item of items) writeValue(w, element, item);
}

function isDefaultValue(f: FieldPlan, v: unknown): boolean {
  if (v === undefined) return true;
  if (v === null) return f.defaultValue === null || f.defaultValue === undefined;
  if (f.array) return (v as unknown[]).length === 0 && f.defaultValue !== null;
  if (f.kind === Kind.Struct) return false;
  const d = defaultOf(f);
  return v === d;
}

function encodeTagged(w: Writer, plan: StructPlan, o: Record<string, unknown>): void {
  const present: FieldPlan[] = [];
  for (const f of plan.tagged) if (!isDefaultValue(f, o[f.name])) present.push(f);
  w.uvarint(present.length);
  for (const f of present) {
    const sub = new Writer(64);
    writeField(sub, f, o[f.name]);
    const body = Buffer.concat(sub.finish());
    w.uvarint(f.tag);
    w.uvarint(body.length);
    w.raw(body);
  }
}

function encodeStruct(w: Writer, plan: StructPlan, o: Record<string, unknown>): void {
  for (const f of plan.fields) writeField(w, f, o[f.name]);
  if (plan.flexible) encodeTagged(w, plan, o);
}

export function encodeMessage<T extends object>(
  schema: MessageSchema,
  version: number,
  w: Writer,
  message: T,
): void {
  encodeStruct(w, planFor(schema, version), message as Record<string, unknown>);
}

/**
 * The Kafka envelope (see envelope.ts) written and read straight in protobuf wire format: a
 * schema_pb.RecordValue is `repeated entry fields = 1` with entry {1: name, 2: Value}, and Value is a
 * oneof (1 bool, 2 int32, 6 bytes, 7 string, 8 TimestampValue{1 micros, 2 is_utc}, 14 ListValue{1
 * repeated Value}, 15 RecordValue). A oneof member is written even when empty, which is what keeps
 * an empty value apart from an absent (null) one.
 */
import { PbReader, WireType } from './pb-wire.js';

export interface EnvelopeFields {
  value: Buffer | null;
  keyIsNull: boolean;
  timestampMs: bigint;
  logAppendTime: boolean;
  headers: { key: string; value: Buffer | null }[];
  /** Set on records of a transaction and on its markers (control records). */
  txn?: TxnFields;
}

export interface TxnFields {
  producerId: bigint;
  producerEpoch: number;
  /** A transaction marker: key and value are Kafka's control record key and value. */
  control: boolean;
}

export const ENVELOPE_VERSION = 1;

const V_BOOL = 1;
const V_INT32 = 2;
const V_INT64 = 3;
const V_BYTES = 6;
const V_STRING = 7;
const V_TIMESTAMP = 8;
const V_LIST = 14;
const V_RECORD = 15;

/** Bytes of a varint holding a non-negative number below 2^53. */
function uintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

export function bigintSize(n: bigint): number {
  let v = BigInt.asUintN(64, n);
  let size = 1;
  while (v >= 0x80n) {
    v >>= 7n;
    size++;
  }
  return size;
}

/** A length-delimited field (one-byte tag) with a payload of n bytes. */
export function lenField(n: number): number {
  return 1 + uintSize(n) + n;
}

/** A RecordValue map entry {1: name, 2: Value} whose Value payload is valueLen bytes. */
function entrySize(nameLen: number, valueLen: number): number {
  return lenField(lenField(nameLen) + lenField(valueLen));
}

/** Writes protobuf wire format into a buffer sized beforehand. */
export class Out {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  byte(b: number): void {
    this.buf[this.pos++] = b;
  }

  uint(n: number): void {
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 128) | 0x80;
      n = Math.floor(n / 128);
    }
    this.buf[this.pos++] = n;
  }

  bigint(n: bigint): void {
    let v = BigInt.asUintN(64, n);
    while (v >= 0x80n) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
  }

  raw(b: Buffer): void {
    this.pos += b.copy(this.buf, this.pos);
  }

  /** Opens the map entry `name`; its Value payload of valueLen bytes follows. */
  entry(name: Buffer, valueLen: number): void {
    this.byte(0x0a);
    this.uint(lenField(name.length) + lenField(valueLen));
    this.byte(0x0a);
    this.uint(name.length);
    this.raw(name);
    this.byte(0x12);
    this.uint(valueLen);
  }

  /** A Value member holding a varint below 128. */
  small(member: number, v: number): void {
    this.byte((member << 3) | WireType.Varint);
    this.byte(v);
  }

  /** A length-delimited Value member (bytes, string, message) of n bytes; the payload follows. */
  len(member: number, n: number): void {
    this.byte((member << 3) | WireType.Len);
    this.uint(n);
  }
}

const NAME = {
  kafka_v: Buffer.from('kafka_v'),
  value: Buffer.from('value'),
  key_is_null: Buffer.from('key_is_null'),
  timestamp: Buffer.from('timestamp'),
  timestamp_type: Buffer.from('timestamp_type'),
  headers: Buffer.from('headers'),
  key: Buffer.from('key'),
  producer_id: Buffer.from('producer_id'),
  producer_epoch: Buffer.from('producer_epoch'),
  control: Buffer.from('control'),
};

/** The sizes an envelope's writer needs, worked out before anything is written. */
export interface EnvelopePlan {
  /** Bytes of the whole envelope. */
  readonly size: number;
  readonly micros: bigint;
  readonly tsPayload: number;
  readonly headers: readonly { keyLen: number; rec: number; item: number }[];
  readonly listPayload: number;
}

export function planEnvelope(f: EnvelopeFields): EnvelopePlan {
  const micros = f.timestampMs * 1000n;
  const tsPayload = 1 + bigintSize(micros) + 2; // {1: micros, 2: is_utc = true}
  const headers = f.headers.map((h) => {
    const keyLen = Buffer.byteLength(h.key);
    const rec =
      entrySize(NAME.key.length, lenField(keyLen)) +
      (h.value === null ? 0 : entrySize(NAME.value.length, lenField(h.value.length)));
    return { keyLen, rec, item: lenField(rec) };
  });
  const listPayload = headers.reduce((n, h) => n + lenField(h.item), 0);
  const size =
    entrySize(NAME.kafka_v.length, 2) +
    (f.value === null ? 0 : entrySize(NAME.value.length, lenField(f.value.length))) +
    (f.keyIsNull ? entrySize(NAME.key_is_null.length, 2) : 0) +
    entrySize(NAME.timestamp.length, lenField(tsPayload)) +
    (f.logAppendTime ? entrySize(NAME.timestamp_type.length, 2) : 0) +
    (headers.length > 0 ? entrySize(NAME.headers.length, lenField(listPayload)) : 0) +
    txnSize(f.txn);
  return { size, micros, tsPayload, headers, listPayload };
}

/**
 * Writes the envelope `plan` was made for at `o`'s position (its buffer has room for it). Producing
 * writes each record's envelope straight into the request it travels in.
 */
export function writeEnvelopeInto(o: Out, f: EnvelopeFields, plan: EnvelopePlan): void {
  const pos = o.pos;
  o.entry(NAME.kafka_v, 2);
  o.small(V_INT32, ENVELOPE_VERSION);
  if (f.value !== null) {
    o.entry(NAME.value, lenField(f.value.length));
    o.len(V_BYTES, f.value.length);
    o.raw(f.value);
  }
  if (f.keyIsNull) {
    o.entry(NAME.key_is_null, 2);
    o.small(V_BOOL, 1);
  }
  o.entry(NAME.timestamp, lenField(plan.tsPayload));
  o.len(V_TIMESTAMP, plan.tsPayload);
  o.byte((1 << 3) | WireType.Varint);
  o.bigint(plan.micros);
  o.small(2, 1);
  if (f.logAppendTime) {
    o.entry(NAME.timestamp_type, 2);
    o.small(V_INT32, 1);
  }
  if (plan.headers.length > 0) {
    o.entry(NAME.headers, lenField(plan.listPayload));
    o.len(V_LIST, plan.listPayload);
    f.headers.forEach((h, i) => {
      const sz = plan.headers[i]!;
      o.len(1, sz.item); // ListValue.values
      o.len(V_RECORD, sz.rec);
      o.entry(NAME.key, lenField(sz.keyLen));
      o.len(V_STRING, sz.keyLen);
      o.pos += o.buf.write(h.key, o.pos, sz.keyLen, 'utf8');
      if (h.value !== null) {
        o.entry(NAME.value, lenField(h.value.length));
        o.len(V_BYTES, h.value.length);
        o.raw(h.value);
      }
    });
  }
  if (f.txn !== undefined) writeTxn(o, f.txn);
  if (o.pos !== pos + plan.size) throw new Error(`envelope sized ${plan.size} bytes but took ${o.pos - pos}`);
}

/** The envelope in a buffer of its own. */
export function writeEnvelope(f: EnvelopeFields): Buffer {
  const plan = planEnvelope(f);
  const o = new Out(Buffer.allocUnsafe(plan.size));
  writeEnvelopeInto(o, f, plan);
  return o.buf;
}

function txnSize(t: TxnFields | undefined): number {
  if (t === undefined) return 0;
  return (
    entrySize(NAME.producer_id.length, 1 + bigintSize(t.producerId)) +
    entrySize(NAME.producer_epoch.length, 1 + bigintSize(BigInt(t.producerEpoch))) +
    (t.control ? entrySize(NAME.control.length, 2) : 0)
  );
}

function writeTxn(o: Out, t: TxnFields): void {
  o.entry(NAME.producer_id, 1 + bigintSize(t.producerId));
  o.byte((V_INT64 << 3) | WireType.Varint);
  o.bigint(t.producerId);
  const epoch = BigInt(t.producerEpoch);
  o.entry(NAME.producer_epoch, 1 + bigintSize(epoch));
  o.byte((V_INT32 << 3) | WireType.Varint);
  o.bigint(epoch);
  if (t.control) {
    o.entry(NAME.control, 2);
    o.small(V_BOOL, 1);
  }
}

/** name → Value reader of one RecordValue. */
function fieldsOf(r: PbReader): Map<string, PbReader> {
  const out = new Map<string, PbReader>();
  while (!r.done) {
    const { field, type } = r.tag();
    if (field !== 1 || type !== WireType.Len) {
      r.skip(type);
      continue;
    }
    const e = r.nested();
    let name: string | undefined;
    let value: PbReader | undefined;
    while (!e.done) {
      const t = e.tag();
      if (t.field === 1 && t.type === WireType.Len) name = e.bytes().toString('utf8');
      else if (t.field === 2 && t.type === WireType.Len) value = e.nested();
      else e.skip(t.type);
    }
    if (name !== undefined) out.set(name, value ?? new PbReader(Buffer.alloc(0)));
  }
  return out;
}

interface Member {
  field: number;
  type: number;
  value?: bigint;
  bytes?: Buffer;
}

/** The set member of a Value (the last one, as protobuf merging would keep). */
function member(v: PbReader | undefined): Member | undefined {
  if (v === undefined) return undefined;
  let found: Member | undefined;
  while (!v.done) {
    const { field, type } = v.tag();
    if (type === WireType.Len) found = { field, type, bytes: v.bytes() };
    else if (type === WireType.Varint) found = { field, type, value: v.varint() };
    else v.skip(type);
  }
  return found;
}

function varintOf(v: PbReader | undefined, field: number): bigint | undefined {
  const m = member(v);
  return m !== undefined && m.field === field ? m.value : undefined;
}

function bytesOf(v: PbReader | undefined, field: number): Buffer | undefined {
  const m = member(v);
  return m !== undefined && m.field === field ? m.bytes : undefined;
}

/** A reader over the payload of a Value whose member is the nested message `field`. */
function nestedOf(v: PbReader | undefined, field: number): PbReader | undefined {
  const b = bytesOf(v, field);
  return b === undefined ? undefined : new PbReader(b);
}

/** The envelope in `bytes`, or undefined when they are not a version-1 Kafka envelope. */
export function readEnvelope(bytes: Buffer): EnvelopeFields | undefined {
  try {
    const f = fieldsOf(new PbReader(bytes));
    if (varintOf(f.get('kafka_v'), V_INT32) !== BigInt(ENVELOPE_VERSION)) return undefined;
    const ts = nestedOf(f.get('timestamp'), V_TIMESTAMP);
    let micros: bigint | undefined;
    while (ts !== undefined && !ts.done) {
      const t = ts.tag();
      if (t.field === 1 && t.type === WireType.Varint) micros = BigInt.asIntN(64, ts.varint());
      else ts.skip(t.type);
    }
    if (micros === undefined) return undefined;
    const headers: EnvelopeFields['headers'] = [];
    const list = nestedOf(f.get('headers'), V_LIST);
    while (list !== undefined && !list.done) {
      const t = list.tag();
      if (t.field !== 1 || t.type !== WireType.Len) {
        list.skip(t.type);
        continue;
      }
      const rec = nestedOf(list.nested(), V_RECORD);
      if (rec === undefined) return undefined;
      const hf = fieldsOf(rec);
      const key = bytesOf(hf.get('key'), V_STRING);
      if (key === undefined) return undefined;
      headers.push({ key: key.toString('utf8'), value: bytesOf(hf.get('value'), V_BYTES) ?? null });
    }
    const fields: EnvelopeFields = {
      value: bytesOf(f.get('value'), V_BYTES) ?? null,
      keyIsNull: varintOf(f.get('key_is_null'), V_BOOL) === 1n,
      timestampMs: micros / 1000n,
      logAppendTime: varintOf(f.get('timestamp_type'), V_INT32) === 1n,
      headers,
    };
    const producerId = varintOf(f.get('producer_id'), V_INT64);
    if (producerId !== undefined) {
      fields.txn = {
        producerId: BigInt.asIntN(64, producerId),
        producerEpoch: Number(BigInt.asIntN(32, varintOf(f.get('producer_epoch'), V_INT32) ?? 0n)),
        control: varintOf(f.get('control'), V_BOOL) === 1n,
      };
    }
    return fields;
  } catch {
    return undefined;
  }
}

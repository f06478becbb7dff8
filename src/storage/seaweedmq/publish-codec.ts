/**
 * PublishMessage requests and responses written and read by hand (pb-wire.ts): the stream carries
 * one request and one ack per record, so protobufjs was the largest cost of publishing. The stream
 * itself is h2-stream.ts.
 */
import { envelopeFields, type KafkaRecord } from './envelope.js';
import {
  bigintSize,
  lenField,
  Out,
  planEnvelope,
  writeEnvelopeInto,
  type EnvelopeFields,
  type EnvelopePlan,
} from './envelope-wire.js';
import { FRAME_HEADER } from './h2-stream.js';
import { PbReader, PbWriter, WireType } from './pb-wire.js';
import type { PbDataMessage, PbPartition, PbTopic } from './proto.js';

export interface PublishInit {
  topic: PbTopic;
  partition: PbPartition;
  ack_interval: number;
  publisher_name: string;
}

export type PublishRequest = { init: PublishInit } | { data: PbDataMessage };

export function encodePublishRequest(req: PublishRequest): Buffer {
  const w = new PbWriter('data' in req ? 32 + req.data.key.length + req.data.value.length : 128);
  if ('data' in req) {
    const d = req.data;
    w.message(2, (m) => {
      if (d.key.length > 0) m.bytes(1, d.key);
      if (d.value.length > 0) m.bytes(2, d.value);
      if (d.ts_ns !== '0') m.int(3, BigInt(d.ts_ns));
    });
  } else {
    const i = req.init;
    w.message(1, (m) => {
      m.message(1, (t) => {
        if (i.topic.namespace) t.string(1, i.topic.namespace);
        if (i.topic.name) t.string(2, i.topic.name);
      });
      m.message(2, (p) => {
        if (i.partition.ring_size) p.int(1, i.partition.ring_size);
        if (i.partition.range_start) p.int(2, i.partition.range_start);
        if (i.partition.range_stop) p.int(3, i.partition.range_stop);
        if (i.partition.unix_time_ns !== '0') p.int(4, BigInt(i.partition.unix_time_ns));
      });
      if (i.ack_interval) m.int(3, i.ack_interval);
      if (i.publisher_name) m.string(5, i.publisher_name);
    });
  }
  return w.finish();
}

/**
 * The PublishMessage requests for `records`, stamped in order by `stamp`, as gRPC frames in one
 * buffer. Each record's envelope is written in place, so its value is copied once; building each
 * request on its own (encodePublishRequest, then framing) copied it four times through intermediate
 * buffers and was the largest cost of producing on SeaweedMQ.
 */
export function encodeDataFrames(records: readonly KafkaRecord[], stamp: () => bigint): Buffer {
  const n = records.length;
  const plans = new Array<{ fields: EnvelopeFields; plan: EnvelopePlan; ts: bigint; message: number }>(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    const fields = envelopeFields(r);
    const plan = planEnvelope(fields);
    const ts = stamp();
    const keyLen = r.key?.length ?? 0;
    // DataMessage {1: key, 2: value, 3: ts_ns}; proto3 leaves out an empty key and a zero stamp.
    const message =
      (keyLen > 0 ? lenField(keyLen) : 0) + lenField(plan.size) + (ts !== 0n ? 1 + bigintSize(ts) : 0);
    plans[i] = { fields, plan, ts, message };
    total += FRAME_HEADER + lenField(message);
  }
  const o = new Out(Buffer.allocUnsafe(total));
  for (let i = 0; i < n; i++) {
    const key = records[i]!.key;
    const { fields, plan, ts, message } = plans[i]!;
    o.byte(0); // not compressed
    o.buf.writeUInt32BE(lenField(message), o.pos);
    o.pos += FRAME_HEADER - 1;
    o.byte(0x12); // PublishMessageRequest.data
    o.uint(message);
    if (key !== null && key.length > 0) {
      o.byte(0x0a);
      o.uint(key.length);
      o.raw(key);
    }
    o.byte(0x12);
    o.uint(plan.size);
    writeEnvelopeInto(o, fields, plan);
    if (ts !== 0n) {
      o.byte(0x18);
      o.bigint(ts);
    }
  }
  if (o.pos !== total) throw new Error(`publish frames sized ${total} bytes but took ${o.pos}`);
  return o.buf;
}

/** The fields of a PublishMessageResponse the publisher reads, decoded without protobufjs. */
export interface PublishAck {
  error: string;
  errorCode: number;
  assignedOffset: bigint;
}

export function decodePublishResponse(bytes: Buffer): PublishAck {
  const r = new PbReader(bytes);
  const ack: PublishAck = { error: '', errorCode: 0, assignedOffset: 0n };
  while (!r.done) {
    const { field, type } = r.tag();
    if (field === 2 && type === WireType.Len) ack.error = r.bytes().toString('utf8');
    else if (field === 4 && type === WireType.Varint) ack.errorCode = Number(BigInt.asIntN(32, r.varint()));
    else if (field === 5 && type === WireType.Varint) ack.assignedOffset = BigInt.asIntN(64, r.varint());
    else r.skip(type);
  }
  return ack;
}

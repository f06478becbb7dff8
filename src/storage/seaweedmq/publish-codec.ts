/**
 * PublishMessage with a hand-written request encoder (pb-wire.ts): the stream carries one request
 * per record, so the generic protobufjs serializer was the largest cost of publishing. Responses
 * keep the generic decoder; there is one per record too, but they are tiny.
 */
import * as grpc from '@grpc/grpc-js';
import { PbReader, PbWriter, WireType } from './pb-wire.js';
import { MessagingClient, type PbDataMessage, type PbPartition, type PbTopic } from './proto.js';

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

const generic = MessagingClient.service.PublishMessage as grpc.MethodDefinition<unknown, unknown>;

/** A client class with only PublishMessage, whose requests go through encodePublishRequest. */
export const PublishClient = grpc.makeGenericClientConstructor(
  {
    PublishMessage: {
      ...generic,
      requestSerialize: encodePublishRequest as (value: unknown) => Buffer,
    },
  },
  'SeaweedMessaging.Publish',
);

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

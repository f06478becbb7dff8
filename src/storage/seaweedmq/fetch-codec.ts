/**
 * FetchMessage with a hand-written response decoder. protobufjs's decoding copied every message's
 * key and value into fresh Buffers and built objects field by field, most of the gateway's garbage
 * while consuming; here keys and values are views into the response, copied once, into the Kafka
 * batches served from them.
 */
import * as grpc from '@grpc/grpc-js';
import { PbReader, WireType } from './pb-wire.js';
import { MessagingClient, type PbDataMessage, type PbFetchResponse } from './proto.js';

const EMPTY = Buffer.alloc(0);

function int64(r: PbReader): string {
  return BigInt.asIntN(64, r.varint()).toString();
}

function decodeDataMessage(r: PbReader): PbDataMessage {
  const m: PbDataMessage = { key: EMPTY, value: EMPTY, ts_ns: '0' };
  while (!r.done) {
    const { field, type } = r.tag();
    if (field === 1 && type === WireType.Len) m.key = r.bytes();
    else if (field === 2 && type === WireType.Len) m.value = r.bytes();
    else if (field === 3 && type === WireType.Varint) m.ts_ns = int64(r);
    else r.skip(type);
  }
  return m;
}

/** A FetchMessageResponse, shaped as proto-loader would give it (int64 as strings, defaults filled). */
export function decodeFetchResponse(bytes: Buffer): PbFetchResponse {
  const res: PbFetchResponse = {
    messages: [],
    high_water_mark: '0',
    log_start_offset: '0',
    end_of_partition: false,
    error: '',
    error_code: 0,
    next_offset: '0',
  };
  const r = new PbReader(bytes);
  while (!r.done) {
    const { field, type } = r.tag();
    if (field === 1 && type === WireType.Len) res.messages.push(decodeDataMessage(r.nested()));
    else if (field === 2 && type === WireType.Varint) res.high_water_mark = int64(r);
    else if (field === 3 && type === WireType.Varint) res.log_start_offset = int64(r);
    else if (field === 4 && type === WireType.Varint) res.end_of_partition = r.varint() !== 0n;
    else if (field === 5 && type === WireType.Len) res.error = r.bytes().toString('utf8');
    else if (field === 6 && type === WireType.Varint) res.error_code = Number(BigInt.asIntN(32, r.varint()));
    else if (field === 7 && type === WireType.Varint) res.next_offset = int64(r);
    else r.skip(type);
  }
  return res;
}

const generic = MessagingClient.service.FetchMessage as grpc.MethodDefinition<unknown, unknown>;

/** A client class with only FetchMessage, whose responses go through decodeFetchResponse. */
export const FetchClient = grpc.makeGenericClientConstructor(
  {
    FetchMessage: {
      ...generic,
      responseDeserialize: decodeFetchResponse as (bytes: Buffer) => unknown,
    },
  },
  'SeaweedMessaging.Fetch',
);

/**
 * Loads our minimal SeaweedFS .proto files (proto/seaweedfs/) and exposes typed service constructors.
 * Field names stay snake_case (keepCase) so they read like the .proto; int64 values arrive as decimal
 * strings (longs: String) and are sent as strings, so no precision is lost on offsets or nanoseconds.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

function findProtoDir(): string {
  // Works from src/ (tsx, vitest) and from dist/src/ (compiled), whichever depth we run at.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'proto', 'seaweedfs');
    if (existsSync(join(candidate, 'mq_broker.proto'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error('cannot find proto/seaweedfs/*.proto next to kafka-gateway');
}

export const PROTO_DIR = findProtoDir();

const definition = protoLoader.loadSync(
  ['mq_schema.proto', 'mq_broker.proto', 'master.proto', 'filer.proto'].map((f) => join(PROTO_DIR, f)),
  { keepCase: true, longs: String, enums: Number, defaults: true, oneofs: true, includeDirs: [PROTO_DIR] },
);

const root = grpc.loadPackageDefinition(definition) as unknown as {
  messaging_pb: { SeaweedMessaging: grpc.ServiceClientConstructor };
  master_pb: { Seaweed: grpc.ServiceClientConstructor };
  filer_pb: { SeaweedFiler: grpc.ServiceClientConstructor };
};

export const MessagingClient = root.messaging_pb.SeaweedMessaging;
export const MasterClient = root.master_pb.Seaweed;
export const FilerClient = root.filer_pb.SeaweedFiler;

/** int64 as sent: a decimal string (or a number small enough to be exact). */
export type Int64 = string;

export interface PbTopic {
  namespace: string;
  name: string;
}

export interface PbPartition {
  ring_size: number;
  range_start: number;
  range_stop: number;
  unix_time_ns: Int64;
}

export interface PbAssignment {
  partition: PbPartition | null;
  leader_broker: string;
  follower_broker: string;
}

export interface PbRecordType {
  fields: PbField[];
}

export interface PbField {
  name: string;
  field_index: number;
  type: PbType;
  is_repeated?: boolean;
  is_required?: boolean;
}

export type PbType =
  | { scalar_type: number; kind?: 'scalar_type' }
  | { record_type: PbRecordType; kind?: 'record_type' }
  | { list_type: { element_type: PbType }; kind?: 'list_type' };

export interface PbValue {
  kind?: string;
  bool_value?: boolean;
  int32_value?: number;
  int64_value?: Int64;
  bytes_value?: Buffer;
  string_value?: string;
  timestamp_value?: { timestamp_micros: Int64; is_utc: boolean };
  list_value?: { values: PbValue[] };
  record_value?: PbRecordValue;
}

export interface PbRecordValue {
  fields: Record<string, PbValue>;
}

export interface PbDataMessage {
  key: Buffer;
  value: Buffer;
  ts_ns: Int64;
}

export interface PbPublishResponse {
  ack_ts_ns: Int64;
  error: string;
  should_close: boolean;
  error_code: number;
  assigned_offset: Int64;
}

export interface PbFetchResponse {
  messages: PbDataMessage[];
  high_water_mark: Int64;
  log_start_offset: Int64;
  end_of_partition: boolean;
  error: string;
  error_code: number;
  next_offset: Int64;
}

export interface PbRangeInfo {
  offset_range: { earliest_offset: Int64; latest_offset: Int64; high_water_mark: Int64 } | null;
  record_count: Int64;
  error: string;
}

export interface PbTopicConfiguration {
  topic: PbTopic | null;
  partition_count: number;
  broker_partition_assignments: PbAssignment[];
  created_at_ns: Int64;
  last_updated_ns: Int64;
  message_record_type: PbRecordType | null;
}

export interface PbFileChunk {
  file_id: string;
  offset: Int64;
  size: Int64;
  cipher_key: Buffer;
  is_compressed: boolean;
  is_chunk_manifest: boolean;
}

export interface PbEntry {
  name: string;
  is_directory: boolean;
  chunks: PbFileChunk[];
  attributes: { file_size: Int64; mtime: Int64; file_mode: number; crtime: Int64; mime: string } | null;
  extended: Record<string, Buffer>;
  content: Buffer;
}

/** SeaweedMQ's scalar type numbers (schema_pb.ScalarType). */
export const ScalarType = { BOOL: 0, INT32: 1, INT64: 3, BYTES: 6, STRING: 7, TIMESTAMP: 8 } as const;

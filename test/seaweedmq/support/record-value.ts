/**
 * schema_pb.RecordValue through protobufjs (the library @grpc/proto-loader is built on), independent
 * of the hand-written wire code in src/, so tests can check what another SeaweedMQ reader would see.
 */
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { PROTO_DIR, type PbRecordValue } from '../../../src/storage/seaweedmq/proto.js';

const root = new protobuf.Root().loadSync(join(PROTO_DIR, 'mq_schema.proto'), { keepCase: true });
const RecordValue = root.lookupType('schema_pb.RecordValue');
const TO_OBJECT: protobuf.IConversionOptions = { longs: String, oneofs: true, defaults: false };

export const RecordValueCodec = {
  encode(value: PbRecordValue): Buffer {
    const bytes = RecordValue.encode(RecordValue.fromObject(value)).finish();
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  },

  /** The decoded RecordValue, or undefined when the bytes are not one. */
  tryDecode(bytes: Buffer): PbRecordValue | undefined {
    try {
      const obj = RecordValue.toObject(RecordValue.decode(bytes), TO_OBJECT) as Partial<PbRecordValue>;
      return { fields: obj.fields ?? {} };
    } catch {
      return undefined;
    }
  },
};

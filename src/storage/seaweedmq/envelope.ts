/**
 * How one Kafka record is stored as one SeaweedMQ message, and back (docs/seaweedmq.md explains why).
 *
 *   DataMessage.key   = the Kafka key (null and empty both travel as empty bytes: proto3 cannot tell)
 *   DataMessage.value = a schema_pb.RecordValue, the "Kafka envelope":
 *       kafka_v         int32      envelope version (1); marks the message as ours
 *       value           bytes      absent when the Kafka value is null (tombstone)
 *       key_is_null     bool       present (true) only when the Kafka key is null
 *       timestamp       TIMESTAMP  the Kafka record timestamp (ms * 1000 µs, exact)
 *       timestamp_type  int32      present (1) only for LogAppendTime
 *       headers         list<record{key string, value bytes}>, absent when there are none
 *       producer_id     int64      records of a transaction and its markers only: the producer id
 *       producer_epoch  int32      with producer_id: the producer epoch
 *       control         bool       present (true) only on a transaction marker (a control record)
 *   DataMessage.ts_ns = append time, strictly increasing per partition as the broker requires
 *
 * A message without the envelope (another SeaweedMQ publisher, SeaweedFS's own Kafka gateway) reads
 * back as key/value/ts_ns with empty meaning null, which is what SeaweedFS's gateway returns for it.
 */
import { readEnvelope, writeEnvelope, type EnvelopeFields, type TxnFields } from './envelope-wire.js';
import { ScalarType, type PbDataMessage, type PbRecordType } from './proto.js';

export interface KafkaRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers: { key: string; value: Buffer | null }[];
  timestamp: bigint;
  /** 1 when the timestamp is the log-append time. */
  timestampType: 0 | 1;
  /** Records of a transaction and its markers: they are read back as transactional (control) batches. */
  txn?: TxnFields;
}

const EMPTY = Buffer.alloc(0);

/** The topic RecordType SeaweedMQ's SQL engine and readers use to show the envelope's columns. */
export const ENVELOPE_RECORD_TYPE: PbRecordType = {
  fields: [
    { name: 'kafka_v', field_index: 0, type: { scalar_type: ScalarType.INT32 } },
    { name: 'value', field_index: 1, type: { scalar_type: ScalarType.BYTES } },
    { name: 'key_is_null', field_index: 2, type: { scalar_type: ScalarType.BOOL } },
    { name: 'timestamp', field_index: 3, type: { scalar_type: ScalarType.TIMESTAMP } },
    { name: 'timestamp_type', field_index: 4, type: { scalar_type: ScalarType.INT32 } },
    { name: 'producer_id', field_index: 6, type: { scalar_type: ScalarType.INT64 } },
    { name: 'producer_epoch', field_index: 7, type: { scalar_type: ScalarType.INT32 } },
    { name: 'control', field_index: 8, type: { scalar_type: ScalarType.BOOL } },
    {
      name: 'headers',
      field_index: 5,
      is_repeated: true,
      type: {
        list_type: {
          element_type: {
            record_type: {
              fields: [
                { name: 'key', field_index: 0, type: { scalar_type: ScalarType.STRING } },
                { name: 'value', field_index: 1, type: { scalar_type: ScalarType.BYTES } },
              ],
            },
          },
        },
      },
    },
  ],
};

/** What the envelope of a Kafka record holds. */
export function envelopeFields(r: KafkaRecord): EnvelopeFields {
  return {
    value: r.value,
    keyIsNull: r.key === null,
    timestampMs: r.timestamp,
    logAppendTime: r.timestampType === 1,
    headers: r.headers,
    ...(r.txn === undefined ? {} : { txn: r.txn }),
  };
}

export function encodeMessage(r: KafkaRecord, tsNs: bigint): PbDataMessage {
  return { key: r.key ?? EMPTY, value: writeEnvelope(envelopeFields(r)), ts_ns: tsNs.toString() };
}

/** The Kafka record a stored SeaweedMQ message stands for. */
export function decodeMessage(m: PbDataMessage): KafkaRecord {
  const env = m.value.length > 0 ? readEnvelope(m.value) : undefined;
  if (env === undefined) return plainRecord(m);
  return {
    key: env.keyIsNull ? null : m.key,
    value: env.value,
    headers: env.headers,
    timestamp: env.timestampMs,
    timestampType: env.logAppendTime ? 1 : 0,
    ...(env.txn === undefined ? {} : { txn: env.txn }),
  };
}

function plainRecord(m: PbDataMessage): KafkaRecord {
  return {
    key: m.key.length > 0 ? m.key : null,
    value: m.value.length > 0 ? m.value : null,
    headers: [],
    timestamp: BigInt(m.ts_ns) / 1_000_000n,
    timestampType: 0,
  };
}

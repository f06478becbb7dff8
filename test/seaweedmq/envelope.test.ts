import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, type KafkaRecord } from '../../src/storage/seaweedmq/envelope.js';
import { RecordValueCodec } from './support/record-value.js';

const base: KafkaRecord = { key: null, value: null, headers: [], timestamp: 0n, timestampType: 0 };

describe('Kafka envelope', () => {
  it.each<[string, KafkaRecord]>([
    ['null key and value (tombstone)', { ...base, timestamp: 1_700_000_000_123n }],
    ['empty key and value', { ...base, key: Buffer.alloc(0), value: Buffer.alloc(0), timestamp: 5n }],
    [
      'bytes, headers with null and empty values',
      {
        key: Buffer.from('k'),
        value: Buffer.from([0, 1, 2, 255]),
        headers: [
          { key: 'a', value: Buffer.from('x') },
          { key: 'a', value: null },
          { key: '', value: Buffer.alloc(0) },
        ],
        timestamp: -1n,
        timestampType: 0,
      },
    ],
    ['log-append time', { ...base, value: Buffer.from('v'), timestamp: 42n, timestampType: 1 }],
  ])('round-trips %s exactly', (_name, record) => {
    const msg = encodeMessage(record, 123_456_789n);
    // What the broker stores and serves back: proto3 bytes, so null and empty keys look alike here.
    const served = { key: Buffer.from(msg.key), value: Buffer.from(msg.value), ts_ns: msg.ts_ns };
    const back = decodeMessage(served);
    expect(back.key === null ? null : [...back.key]).toEqual(record.key === null ? null : [...record.key]);
    expect(back.value === null ? null : [...back.value]).toEqual(
      record.value === null ? null : [...record.value],
    );
    expect(back.headers.map((h) => [h.key, h.value === null ? null : h.value.toString('hex')])).toEqual(
      record.headers.map((h) => [h.key, h.value === null ? null : h.value.toString('hex')]),
    );
    expect(back.timestamp).toBe(record.timestamp);
    expect(back.timestampType).toBe(record.timestampType);
  });

  it('reads a plain message from another publisher as key, value and ts_ns (empty = null)', () => {
    const plain = decodeMessage({
      key: Buffer.from('k'),
      value: Buffer.from('hello'),
      ts_ns: '1700000000123456789',
    });
    expect(plain.key?.toString()).toBe('k');
    expect(plain.value?.toString()).toBe('hello');
    expect(plain.timestamp).toBe(1_700_000_000_123n);
    expect(plain.headers).toEqual([]);
    const empty = decodeMessage({ key: Buffer.alloc(0), value: Buffer.alloc(0), ts_ns: '0' });
    expect(empty.key).toBeNull();
    expect(empty.value).toBeNull();
  });

  it('leaves a RecordValue that is not our envelope as its bytes', () => {
    const foreign = RecordValueCodec.encode({ fields: { name: { string_value: 'x' } } });
    const r = decodeMessage({ key: Buffer.alloc(0), value: foreign, ts_ns: '1000000' });
    expect(r.value?.equals(foreign)).toBe(true);
  });

  it('writes what protobufjs reads as a schema_pb.RecordValue, and reads what it writes', () => {
    const record: KafkaRecord = {
      key: Buffer.from('k'),
      value: Buffer.alloc(0),
      headers: [
        { key: 'é', value: Buffer.from([1, 2]) },
        { key: 'n', value: null },
      ],
      timestamp: -5n,
      timestampType: 1,
    };
    const ours = RecordValueCodec.tryDecode(encodeMessage(record, 1n).value)!;
    expect(ours.fields.kafka_v?.int32_value).toBe(1);
    expect(ours.fields.value?.bytes_value).toEqual(Buffer.alloc(0));
    expect(ours.fields.key_is_null).toBeUndefined();
    expect(ours.fields.timestamp?.timestamp_value).toEqual({ timestamp_micros: '-5000', is_utc: true });
    expect(ours.fields.timestamp_type?.int32_value).toBe(1);
    const headers = ours.fields.headers?.list_value?.values ?? [];
    expect(headers.map((h) => h.record_value?.fields.key?.string_value)).toEqual(['é', 'n']);
    expect(headers[1]?.record_value?.fields.value).toBeUndefined();

    const theirs = RecordValueCodec.encode({
      fields: {
        kafka_v: { int32_value: 1 },
        key_is_null: { bool_value: true },
        timestamp: { timestamp_value: { timestamp_micros: '1700000000001000', is_utc: true } },
        headers: {
          list_value: {
            values: [
              {
                record_value: {
                  fields: { key: { string_value: 'h' }, value: { bytes_value: Buffer.from('x') } },
                },
              },
            ],
          },
        },
      },
    });
    const back = decodeMessage({ key: Buffer.alloc(0), value: theirs, ts_ns: '1' });
    expect(back.key).toBeNull();
    expect(back.value).toBeNull();
    expect(back.timestamp).toBe(1_700_000_000_001n);
    expect(back.headers.map((h) => [h.key, h.value?.toString()])).toEqual([['h', 'x']]);
  });

  it('treats bytes that only look like protobuf as a plain value', () => {
    for (const value of [
      Buffer.from([0x0a, 0xff]),
      Buffer.from('{"json": true}'),
      Buffer.from([0x0a, 0x02, 0x0a, 0x00]),
    ]) {
      const r = decodeMessage({ key: Buffer.alloc(0), value, ts_ns: '2000000' });
      expect(r.value?.equals(value)).toBe(true);
      expect(r.timestamp).toBe(2n);
    }
  });
});

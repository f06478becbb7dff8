import { describe, expect, it } from 'vitest';
import { ErrorCode, KafkaError } from '../../../src/protocol/error-codes.js';
import {
  BATCH_HEADER_SIZE,
  Compression,
  OFF_LAST_OFFSET_DELTA,
  OFF_MAGIC,
  OFF_RECORD_COUNT,
  RecordBatch,
  validateBatches,
} from '../../../src/protocol/records/batch.js';
import { buildRecordBatch, type BuildRecord } from '../../../src/protocol/records/builder.js';

const T = 1_700_000_000_000n;
const RECORDS: BuildRecord[] = [
  { key: Buffer.from('k0'), value: Buffer.from('v0'), timestamp: T },
  { key: null, value: Buffer.alloc(0), timestamp: T + 10n, headers: [{ key: 'h', value: null }] },
  { key: Buffer.alloc(0), value: null, timestamp: T - 3n, headers: [{ key: 'e', value: Buffer.alloc(0) }] },
];

function build(compression: number = Compression.None): Buffer {
  return buildRecordBatch({ records: RECORDS, compression });
}

function codeOf(fn: () => unknown): { code: number; message: string } {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(KafkaError);
    return { code: (err as KafkaError).code, message: (err as KafkaError).message };
  }
  throw new Error('expected a KafkaError');
}

describe('RecordBatch view', () => {
  it('reads the header fields the builder wrote', () => {
    const buf = buildRecordBatch({
      records: RECORDS,
      baseOffset: 77n,
      producerId: 4242n,
      producerEpoch: 3,
      baseSequence: 17,
      transactional: true,
      partitionLeaderEpoch: 5,
      compression: Compression.Lz4,
    });
    const b = new RecordBatch(buf);
    expect(b.size).toBe(buf.length);
    expect(b.baseOffset).toBe(77n);
    expect(b.magic).toBe(2);
    expect(b.compression).toBe(Compression.Lz4);
    expect(b.timestampType).toBe(0);
    expect(b.isTransactional).toBe(true);
    expect(b.isControl).toBe(false);
    expect(b.lastOffsetDelta).toBe(2);
    expect(b.lastOffset).toBe(79n);
    expect(b.baseTimestamp).toBe(T);
    expect(b.maxTimestamp).toBe(T + 10n);
    expect(b.producerId).toBe(4242n);
    expect(b.producerEpoch).toBe(3);
    expect(b.baseSequence).toBe(17);
    expect(b.partitionLeaderEpoch).toBe(5);
    expect(b.recordCount).toBe(3);
    expect(b.verifyCrc()).toBe(true);
  });

  it('defaults to no producer id, epoch or sequence and leader epoch -1', () => {
    const b = new RecordBatch(build());
    expect([b.producerId, b.producerEpoch, b.baseSequence, b.partitionLeaderEpoch]).toEqual([
      -1n,
      -1,
      -1,
      -1,
    ]);
  });

  it('keeps null and empty keys, values and header values apart', () => {
    const recs = new RecordBatch(build()).records();
    expect(recs.map((r) => r.key)).toEqual([Buffer.from('k0'), null, Buffer.alloc(0)]);
    expect(recs.map((r) => r.value)).toEqual([Buffer.from('v0'), Buffer.alloc(0), null]);
    expect(recs[1]!.headers).toEqual([{ key: 'h', value: null }]);
    expect(recs[2]!.headers).toEqual([{ key: 'e', value: Buffer.alloc(0) }]);
    expect(recs.map((r) => r.timestamp)).toEqual([T, T + 10n, T - 3n]);
    expect(recs.map((r) => r.offset)).toEqual([0n, 1n, 2n]);
  });

  it('slices exactly one batch out of a larger buffer', () => {
    const a = build();
    const b = build(Compression.Gzip);
    const both = Buffer.concat([a, b]);
    const view = new RecordBatch(both, a.length);
    expect(view.slice()).toEqual(b);
    expect(view.slice().buffer).toBe(both.buffer); // a view, not a copy
  });

  it('stamps baseOffset and partitionLeaderEpoch in place without touching the CRC', () => {
    const buf = build(Compression.Snappy);
    const b = new RecordBatch(buf);
    const crc = b.crc;
    b.baseOffset = 1_000_000_000_000n;
    b.partitionLeaderEpoch = 12;
    expect(b.crc).toBe(crc);
    expect(b.verifyCrc()).toBe(true);
    expect(validateBatches(buf, { fromClient: false })).toHaveLength(1);
    expect(b.lastOffset).toBe(1_000_000_000_002n);
    expect(b.records().map((r) => r.offset)).toEqual([
      1_000_000_000_000n,
      1_000_000_000_001n,
      1_000_000_000_002n,
    ]);
  });

  it('setLogAppendTime sets the type bit and maxTimestamp and leaves a valid CRC', () => {
    for (const codec of [Compression.None, Compression.Zstd]) {
      const buf = build(codec);
      const b = new RecordBatch(buf);
      const before = b.crc;
      b.setLogAppendTime(T + 99_999n);
      expect(b.timestampType).toBe(1);
      expect(b.compression).toBe(codec);
      expect(b.maxTimestamp).toBe(T + 99_999n);
      expect(b.crc).not.toBe(before);
      expect(b.verifyCrc()).toBe(true);
      expect(validateBatches(buf)).toHaveLength(1);
      // Readers give every record the log append time.
      expect(b.records().map((r) => r.timestamp)).toEqual([T + 99_999n, T + 99_999n, T + 99_999n]);
    }
  });

  it('builds LogAppendTime, transactional and control batches with the attribute bits', () => {
    const b = new RecordBatch(
      buildRecordBatch({
        records: RECORDS,
        timestampType: 1,
        baseTimestamp: T + 5n,
        transactional: true,
        control: true,
      }),
    );
    expect(b.attributes).toBe(0x08 | 0x10 | 0x20);
    expect(b.maxTimestamp).toBe(T + 5n);
    expect(b.records().every((r) => r.timestamp === T + 5n)).toBe(true);
  });

  it('honours explicit offset deltas and lastOffsetDelta (compacted batches)', () => {
    const buf = buildRecordBatch({
      records: [
        { key: null, value: Buffer.from('a'), offsetDelta: 2 },
        { key: null, value: Buffer.from('b'), offsetDelta: 7 },
      ],
      baseOffset: 100n,
      lastOffsetDelta: 9,
    });
    const b = new RecordBatch(buf);
    expect(b.lastOffsetDelta).toBe(9);
    expect(b.records().map((r) => r.offset)).toEqual([102n, 107n]);
    expect(validateBatches(buf, { fromClient: false })).toHaveLength(1);
    expect(codeOf(() => validateBatches(buf)).code).toBe(ErrorCode.INVALID_RECORD);
  });

  it('keeps timestamps whose delta exceeds 2^53 exact', () => {
    const far = 2n ** 60n + 7n;
    const recs = new RecordBatch(
      buildRecordBatch({
        baseTimestamp: 0n,
        records: [
          { key: null, value: null, timestamp: 0n },
          { key: null, value: null, timestamp: far },
          { key: null, value: null, timestamp: -far },
        ],
      }),
    ).records();
    expect(recs.map((r) => r.timestamp)).toEqual([0n, far, -far]);
  });

  it('builds an empty batch that validates as stored data but not as client data', () => {
    const buf = buildRecordBatch({ records: [], baseTimestamp: T });
    expect(buf.length).toBe(BATCH_HEADER_SIZE);
    expect(new RecordBatch(buf).records()).toEqual([]);
    expect(validateBatches(buf, { fromClient: false })).toHaveLength(1);
    expect(codeOf(() => validateBatches(buf)).code).toBe(ErrorCode.INVALID_RECORD);
  });
});

describe('validateBatches', () => {
  it('walks back-to-back batches of every codec', () => {
    const parts = [0, 1, 2, 3, 4].map((c) => build(c));
    const all = Buffer.concat(parts);
    const views = validateBatches(all);
    expect(views.map((v) => v.compression)).toEqual([0, 1, 2, 3, 4]);
    expect(views.map((v) => v.start)).toEqual([0, ...parts.slice(0, -1).map((_, i) => sumLen(parts, i + 1))]);
    for (const v of views) expect(v.records()).toHaveLength(3);
    expect(validateBatches(Buffer.alloc(0))).toEqual([]);
  });

  it('detects a CRC mismatch', () => {
    const buf = build();
    buf[buf.length - 1]! ^= 0xff;
    const e = codeOf(() => validateBatches(buf));
    expect(e.code).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(e.message).toMatch(/CRC-32C/);
  });

  it('detects a truncated batch, including a partial trailing one', () => {
    const buf = build();
    for (const cut of [1, 10, buf.length - BATCH_HEADER_SIZE + 1, buf.length - 5]) {
      const e = codeOf(() => validateBatches(buf.subarray(0, buf.length - cut)));
      expect(e.code).toBe(ErrorCode.CORRUPT_MESSAGE);
      expect(e.message).toMatch(/partial/);
    }
    const trailing = Buffer.concat([buf, buf.subarray(0, 30)]);
    expect(codeOf(() => validateBatches(trailing)).message).toMatch(/partial record batch at byte \d+/);
  });

  it('rejects a batchLength below the header size', () => {
    const buf = build();
    buf.writeInt32BE(10, 8);
    expect(codeOf(() => validateBatches(buf)).code).toBe(ErrorCode.CORRUPT_MESSAGE);
  });

  it('rejects a magic other than 2', () => {
    for (const magic of [0, 1, 3]) {
      const buf = build();
      buf.writeInt8(magic, OFF_MAGIC); // magic is outside the CRC, so only the magic check can catch it
      const e = codeOf(() => validateBatches(buf));
      expect(e.code).toBe(ErrorCode.CORRUPT_MESSAGE);
      expect(e.message).toMatch(/magic/);
    }
  });

  it('rejects a negative recordCount and more records than offsets even with a valid CRC', () => {
    const neg = build();
    neg.writeInt32BE(-1, OFF_RECORD_COUNT);
    new RecordBatch(neg).updateCrc();
    expect(codeOf(() => validateBatches(neg, { fromClient: false })).code).toBe(ErrorCode.CORRUPT_MESSAGE);
    const over = build();
    over.writeInt32BE(1, OFF_LAST_OFFSET_DELTA);
    new RecordBatch(over).updateCrc();
    expect(codeOf(() => validateBatches(over, { fromClient: false })).code).toBe(ErrorCode.CORRUPT_MESSAGE);
  });

  it('requires recordCount === lastOffsetDelta + 1 for client batches, as Kafka does', () => {
    const buf = build();
    buf.writeInt32BE(5, OFF_LAST_OFFSET_DELTA);
    new RecordBatch(buf).updateCrc();
    const e = codeOf(() => validateBatches(buf));
    expect(e.code).toBe(ErrorCode.INVALID_RECORD);
    expect(e.message).toMatch(/recordCount 3 does not match lastOffsetDelta 5/);
    expect(validateBatches(buf, { fromClient: false })).toHaveLength(1);
  });

  it('rejects unknown compression codecs', () => {
    const buf = build();
    buf.writeInt16BE(5, 21);
    new RecordBatch(buf).updateCrc();
    expect(codeOf(() => validateBatches(buf)).message).toMatch(/codec 5/);
  });
});

describe('records() on damaged record sections (CRC recomputed so only decoding can notice)', () => {
  function damaged(edit: (buf: Buffer) => Buffer): RecordBatch {
    const buf = edit(build());
    buf.writeInt32BE(buf.length - 12, 8);
    const b = new RecordBatch(buf);
    b.updateCrc();
    return b;
  }

  it('a record length running past the end', () => {
    const b = damaged((buf) => {
      buf[BATCH_HEADER_SIZE] = 0x7e; // first record claims 63 bytes
      return buf;
    });
    expect(codeOf(() => b.records()).code).toBe(ErrorCode.CORRUPT_MESSAGE);
  });

  it('bytes left after the declared records', () => {
    const b = damaged((buf) => Buffer.concat([buf, Buffer.from([0, 0])]));
    expect(codeOf(() => b.records()).message).toMatch(/bytes remain/);
  });

  it('fewer records than recordCount', () => {
    const b = damaged((buf) => {
      buf.writeInt32BE(4, OFF_RECORD_COUNT);
      return buf;
    });
    expect(codeOf(() => b.records()).code).toBe(ErrorCode.CORRUPT_MESSAGE);
  });

  it('a huge recordCount fails before allocating', () => {
    const b = damaged((buf) => {
      buf.writeInt32BE(2 ** 31 - 1, OFF_RECORD_COUNT);
      return buf;
    });
    expect(codeOf(() => b.records()).message).toMatch(/cannot fit/);
  });

  it('a compressed section that does not decompress', () => {
    const buf = build(Compression.Gzip);
    buf[BATCH_HEADER_SIZE + 12]! ^= 0x55;
    const b = new RecordBatch(buf);
    b.updateCrc();
    expect(codeOf(() => b.records()).code).toBe(ErrorCode.CORRUPT_MESSAGE);
  });
});

function sumLen(parts: Buffer[], n: number): number {
  return parts.slice(0, n).reduce((s, p) => s + p.length, 0);
}

describe('client-only checks and record parsing on validation', () => {
  it('refuses control batches and producer ids without a sequence from clients only', () => {
    const control = buildRecordBatch({
      records: RECORDS,
      control: true,
      transactional: true,
      producerId: 1n,
      baseSequence: 0,
    });
    expect(codeOf(() => validateBatches(control)).message).toMatch(/control/);
    expect(validateBatches(control, { fromClient: false })).toHaveLength(1);
    const noSeq = buildRecordBatch({ records: RECORDS, producerId: 9n, producerEpoch: 0 });
    expect(codeOf(() => validateBatches(noSeq)).code).toBe(ErrorCode.INVALID_RECORD);
    expect(
      validateBatches(buildRecordBatch({ records: RECORDS, producerId: 9n, baseSequence: 0 })),
    ).toHaveLength(1);
  });

  it('with records: true, catches a broken record that header and CRC checks miss', () => {
    const buf = build(Compression.Snappy);
    expect(validateBatches(buf, { records: true })).toHaveLength(1);
    buf.writeInt32BE(2, OFF_RECORD_COUNT);
    buf.writeInt32BE(1, OFF_LAST_OFFSET_DELTA);
    new RecordBatch(buf).updateCrc();
    expect(validateBatches(buf)).toHaveLength(1);
    expect(codeOf(() => validateBatches(buf, { records: true })).message).toMatch(/bytes remain/);
  });

  it('checkRecords accepts exactly what records() accepts', () => {
    for (const codec of [0, 1, 2, 3, 4]) {
      const b = new RecordBatch(build(codec));
      expect(() => b.checkRecords()).not.toThrow();
    }
  });
});

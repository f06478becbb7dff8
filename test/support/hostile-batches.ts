/**
 * Record batches a hostile or broken client could send: each CRC-valid unless its name says
 * otherwise, each with the gateway's answer and Apache Kafka 3.9.2's where they differ (checked with
 * scripts/probe/hostile-produce.ts against scripts/kafka-reference). Used by the validator's tests,
 * the produce-path tests and the fuzzer.
 */
import { gzipSync } from 'node:zlib';
import { compressFrameSync } from 'lz4-napi';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { buildRecordBatch, type BuildRecord } from '../../src/protocol/records/builder.js';
import { compress } from '../../src/protocol/records/compression.js';
import {
  ATTR_COMPRESSION_MASK,
  ATTR_TIMESTAMP_TYPE,
  BATCH_HEADER_SIZE,
  Compression,
  LOG_OVERHEAD,
  OFF_ATTRIBUTES,
  OFF_BATCH_LENGTH,
  OFF_LAST_OFFSET_DELTA,
  OFF_RECORD_COUNT,
} from '../../src/protocol/records/layout.js';
import { RecordBatch } from '../../src/protocol/records/batch.js';
import { snappyCompress } from '../../src/protocol/records/snappy-xerial.js';
import { zstdCompress } from '../../src/protocol/records/zstd.js';

export interface HostileCase {
  readonly name: string;
  readonly records: Buffer;
  /** Produce version to send it with (default 9). */
  readonly produceVersion?: number;
  /** Configs of the topic it is sent to (default none). */
  readonly topicConfigs?: Record<string, string>;
  /** The gateway's answer. */
  readonly code: number;
  /** What Apache Kafka 3.9.2 answered, where it differs (documented in docs/validation.md). */
  readonly kafkaCode?: number;
  /** Whether Kafka fills record_errors for it. */
  readonly recordErrors?: boolean;
}

const CODECS = [
  ['gzip', Compression.Gzip],
  ['snappy', Compression.Snappy],
  ['lz4', Compression.Lz4],
  ['zstd', Compression.Zstd],
] as const;

function records(n: number, value = 'v'): BuildRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    key: Buffer.from(`k${i}`),
    value: Buffer.from(`${value}${i}`),
  }));
}

/** A valid batch of n records (optionally compressed). */
export function goodBatch(n = 3, compression: number = Compression.None): Buffer {
  return buildRecordBatch({ records: records(n), compression, baseTimestamp: BigInt(Date.now()) });
}

/** Applies `edit` to the header of a copy of `batch` and fixes the CRC, as a careful attacker would. */
function edited(batch: Buffer, edit: (b: Buffer) => void): Buffer {
  const copy = Buffer.from(batch);
  edit(copy);
  new RecordBatch(copy).updateCrc();
  return copy;
}

/** A batch whose records section is `section` as given (already compressed for `codec`). */
function withSection(section: Buffer, codec: number, count: number): Buffer {
  const header = Buffer.from(goodBatch(1).subarray(0, BATCH_HEADER_SIZE));
  const out = Buffer.concat([header, section]);
  out.writeInt32BE(out.length - LOG_OVERHEAD, OFF_BATCH_LENGTH);
  out.writeInt16BE((out.readInt16BE(OFF_ATTRIBUTES) & ~ATTR_COMPRESSION_MASK) | codec, OFF_ATTRIBUTES);
  out.writeInt32BE(count - 1, OFF_LAST_OFFSET_DELTA);
  out.writeInt32BE(count, OFF_RECORD_COUNT);
  new RecordBatch(out).updateCrc();
  return out;
}

function garbage(n: number, seed = 7): Buffer {
  const out = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out[i] = x >> 16;
  }
  return out;
}

/** A records section of one record whose value is `bytes` zero bytes, without building it whole. */
function oneHugeRecordSection(valueBytes: number): Buffer[] {
  // length, attributes, timestampDelta 0, offsetDelta 0, key -1, value len, value, headers 0
  const valueLen = zigzag(valueBytes);
  const body = Buffer.concat([Buffer.from([0, 0, 0, 1]), valueLen]);
  const total = body.length + valueBytes + 1;
  return [zigzag(total), body, Buffer.alloc(valueBytes), Buffer.from([0])];
}

function zigzag(n: number): Buffer {
  let v = n * 2;
  const bytes: number[] = [];
  while (v >= 0x80) {
    bytes.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  bytes.push(v);
  return Buffer.from(bytes);
}

/** Compressed bombs: `decoded` bytes of one valid huge record, in a few KB of each codec. */
export function bomb(codec: number, decoded: number): Buffer {
  const section = Buffer.concat(oneHugeRecordSection(decoded));
  const compressed =
    codec === Compression.Gzip
      ? gzipSync(section, { level: 9 })
      : codec === Compression.Lz4
        ? compressFrameSync(section)
        : codec === Compression.Snappy
          ? snappyCompress(section)
          : zstdCompress(section);
  return withSection(compressed, codec, 1);
}

export function hostileCases(): HostileCase[] {
  const good = goodBatch(1);
  const cases: HostileCase[] = [
    {
      name: 'recordCount 2147483647 with one record',
      records: edited(good, (b) => {
        b.writeInt32BE(2147483646, OFF_LAST_OFFSET_DELTA);
        b.writeInt32BE(2147483647, OFF_RECORD_COUNT);
      }),
      code: ErrorCode.INVALID_RECORD,
    },
    {
      name: 'recordCount 1000 with one record',
      records: edited(good, (b) => {
        b.writeInt32BE(999, OFF_LAST_OFFSET_DELTA);
        b.writeInt32BE(1000, OFF_RECORD_COUNT);
      }),
      code: ErrorCode.INVALID_RECORD,
    },
    {
      name: 'recordCount 1 with three records',
      records: edited(goodBatch(3), (b) => {
        b.writeInt32BE(0, OFF_LAST_OFFSET_DELTA);
        b.writeInt32BE(1, OFF_RECORD_COUNT);
      }),
      code: ErrorCode.INVALID_RECORD,
    },
    {
      name: 'garbage records section, uncompressed',
      records: withSection(garbage(200), Compression.None, 3),
      code: ErrorCode.INVALID_RECORD,
    },
    {
      name: 'offset deltas out of order',
      records: buildRecordBatch({
        records: records(3).map((r, i) => ({ ...r, offsetDelta: [0, 2, 1][i]! })),
        lastOffsetDelta: 2,
      }),
      code: ErrorCode.INVALID_RECORD,
      kafkaCode: ErrorCode.NONE,
    },
    {
      name: 'two batches for one partition',
      records: Buffer.concat([goodBatch(1), goodBatch(1)]),
      code: ErrorCode.INVALID_RECORD,
    },
    {
      name: 'zstd on Produce v6',
      records: goodBatch(2, Compression.Zstd),
      produceVersion: 6,
      code: ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
    },
    {
      name: 'CRC mismatch',
      records: (() => {
        const b = Buffer.from(goodBatch(2));
        b[b.length - 1]! ^= 0xff;
        return b;
      })(),
      code: ErrorCode.CORRUPT_MESSAGE,
    },
    {
      name: 'timestamp an hour before message.timestamp.before.max.ms allows',
      records: buildRecordBatch({ records: records(2), baseTimestamp: BigInt(Date.now() - 3_600_000) }),
      topicConfigs: { 'message.timestamp.before.max.ms': '60000' },
      code: ErrorCode.INVALID_TIMESTAMP,
      recordErrors: true,
    },
    {
      name: 'timestamp a day ahead of message.timestamp.after.max.ms',
      records: buildRecordBatch({ records: records(2), baseTimestamp: BigInt(Date.now() + 86_400_000) }),
      topicConfigs: { 'message.timestamp.after.max.ms': '60000' },
      code: ErrorCode.INVALID_TIMESTAMP,
      recordErrors: true,
    },
    {
      name: 'record without key on a compacted topic',
      records: buildRecordBatch({ records: [{ key: null, value: Buffer.from('v') }] }),
      topicConfigs: { 'cleanup.policy': 'compact' },
      code: ErrorCode.INVALID_RECORD,
      recordErrors: true,
    },
    {
      name: 'producer-set LogAppendTime on a LogAppendTime topic',
      records: edited(good, (b) =>
        b.writeInt16BE(b.readInt16BE(OFF_ATTRIBUTES) | ATTR_TIMESTAMP_TYPE, OFF_ATTRIBUTES),
      ),
      topicConfigs: { 'message.timestamp.type': 'LogAppendTime' },
      code: ErrorCode.INVALID_TIMESTAMP,
      recordErrors: true,
    },
  ];
  for (const [name, codec] of CODECS) {
    cases.push({
      name: `garbage records inside valid ${name}`,
      records: withSection(compress(codec, garbage(300)), codec, 3),
      code: ErrorCode.INVALID_RECORD,
    });
    cases.push({
      name: `garbage ${name} stream`,
      records: withSection(garbage(300, 11), codec, 3),
      code: ErrorCode.INVALID_RECORD,
      kafkaCode: ErrorCode.UNKNOWN_SERVER_ERROR,
    });
  }
  return cases;
}

export { CODECS };

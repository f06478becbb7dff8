import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RecordBatch } from '../../../src/protocol/records/batch.js';

/** Shape of the .json files the Java fixture program writes (scripts/fixtures/java). */
export type JavaBytes = { base64: string } | { length: number; sha256: string } | null;
export interface JavaRecord {
  offset: string;
  timestamp: string;
  key: JavaBytes;
  value: JavaBytes;
  headers: { key: string; value: JavaBytes }[];
}
export interface JavaBatch {
  baseOffset: string;
  lastOffsetDelta: number;
  recordCount: number;
  compression: string;
  timestampType: 'CreateTime' | 'LogAppendTime';
  maxTimestamp: string;
  producerId: string;
  producerEpoch: number;
  baseSequence: number;
  transactional: boolean;
  control: boolean;
  partitionLeaderEpoch: number;
  crc: number;
  records: JavaRecord[];
}

export const FIXTURES = join(import.meta.dirname, '../../fixtures/batches');

export function loadFixture(name: string): { bin: Buffer; batches: JavaBatch[] } {
  return {
    bin: readFileSync(join(FIXTURES, `${name}.bin`)),
    batches: JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as JavaBatch[],
  };
}

/** Describes bytes the way the Java program does, so decoded data compares with deep equality. */
export function describeBytes(b: Buffer | null): JavaBytes {
  if (b === null) return null;
  if (b.length <= 256) return { base64: b.toString('base64') };
  return { length: b.length, sha256: createHash('sha256').update(b).digest('hex') };
}

const CODEC_NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

/** Our view of a batch in the Java program's terms (CRC aside, which changes with the codec). */
export function describeBatch(batch: RecordBatch): Omit<JavaBatch, 'crc'> {
  return {
    baseOffset: batch.baseOffset.toString(),
    lastOffsetDelta: batch.lastOffsetDelta,
    recordCount: batch.recordCount,
    compression: CODEC_NAMES[batch.compression] ?? '?',
    timestampType: batch.timestampType === 1 ? 'LogAppendTime' : 'CreateTime',
    maxTimestamp: batch.maxTimestamp.toString(),
    producerId: batch.producerId.toString(),
    producerEpoch: batch.producerEpoch,
    baseSequence: batch.baseSequence,
    transactional: batch.isTransactional,
    control: batch.isControl,
    partitionLeaderEpoch: batch.partitionLeaderEpoch,
    records: batch.records().map((r) => ({
      offset: r.offset.toString(),
      timestamp: r.timestamp.toString(),
      key: describeBytes(r.key),
      value: describeBytes(r.value),
      headers: r.headers.map((h) => ({ key: h.key, value: describeBytes(h.value) })),
    })),
  };
}

export function withoutCrc(b: JavaBatch): Omit<JavaBatch, 'crc'> {
  const { crc: _crc, ...rest } = b;
  return rest;
}

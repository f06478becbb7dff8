import { describe, expect, it } from 'vitest';
import { Compression, RecordBatch, validateBatches } from '../../../src/protocol/records/batch.js';
import { buildRecordBatch } from '../../../src/protocol/records/builder.js';
import { describeBatch, loadFixture, withoutCrc, type JavaBatch } from './java-description.js';

/** Batches written by real clients: kafka-clients 3.9.2's MemoryRecordsBuilder and kafkajs 2.2.4. */
const PRODUCED = [
  'java-none',
  'java-gzip',
  'java-snappy',
  'java-lz4',
  'java-zstd',
  'kafkajs-none',
  'kafkajs-gzip',
];
const OTHERS = ['java-zstd-transactional', 'java-gzip-logappendtime', 'java-control-commit'];
const CODECS = [Compression.None, Compression.Gzip, Compression.Snappy, Compression.Lz4, Compression.Zstd];
const CODEC_NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

describe('batches from real clients', () => {
  it.each([...PRODUCED, ...OTHERS])('%s decodes to what the Java reader sees', (name) => {
    const { bin, batches } = loadFixture(name);
    const views = validateBatches(bin, { fromClient: false });
    expect(views).toHaveLength(batches.length);
    views.forEach((view, i) => {
      expect(view.crc).toBe(batches[i]!.crc);
      expect(describeBatch(view)).toEqual(withoutCrc(batches[i]!));
    });
  });

  it.each(PRODUCED)('%s passes the produce-path validation', (name) => {
    expect(validateBatches(loadFixture(name).bin)).toHaveLength(1);
  });

  it('java-none: null vs empty, null header values, unicode, negative timestamp delta', () => {
    const recs = new RecordBatch(loadFixture('java-none').bin).records();
    expect(recs[1]!.key).toBeNull();
    expect(recs[2]!.key).toEqual(Buffer.alloc(0));
    expect(recs[2]!.value).toEqual(Buffer.alloc(0));
    expect(recs[3]!.value).toBeNull();
    expect(recs[3]!.headers).toEqual([
      { key: 'hnull', value: null },
      { key: 'empty', value: Buffer.alloc(0) },
    ]);
    expect(recs[4]!.key!.toString()).toBe('ключ-🔑');
    expect(recs[4]!.headers[0]!.key).toBe('ü-header');
    expect(recs[3]!.timestamp).toBe(1_700_000_000_000n - 5n);
    expect(recs[5]!.value!.length).toBe(70_000);
    expect(recs[6]!.headers.map((h) => h.key)).toEqual(['dup', 'dup', '']);
  });

  it('java-control-commit is a transactional control batch with a commit marker key', () => {
    const b = new RecordBatch(loadFixture('java-control-commit').bin);
    expect(b.isControl && b.isTransactional).toBe(true);
    const key = b.records()[0]!.key!;
    expect([key.readInt16BE(0), key.readInt16BE(2)]).toEqual([0, 1]); // version 0, type COMMIT
  });
});

describe('re-encoding real-client records with our builder', () => {
  function rebuild(source: RecordBatch, codec: number): Buffer {
    return buildRecordBatch({
      baseOffset: source.baseOffset,
      compression: codec,
      baseTimestamp: source.baseTimestamp,
      producerId: source.producerId,
      producerEpoch: source.producerEpoch,
      baseSequence: source.baseSequence,
      transactional: source.isTransactional,
      partitionLeaderEpoch: source.partitionLeaderEpoch,
      records: source.records().map((r, i) => ({
        key: r.key,
        value: r.value,
        headers: r.headers,
        timestamp: r.timestamp,
        offsetDelta: i,
      })),
    });
  }

  it('is byte-identical to the Java client for an uncompressed batch', () => {
    const { bin } = loadFixture('java-none');
    expect(rebuild(new RecordBatch(bin), Compression.None).equals(bin)).toBe(true);
  });

  for (const source of ['java-none', 'java-zstd-transactional']) {
    it.each(CODECS)(`${source} in codec %i decodes back to the same records`, (codec) => {
      const { bin, batches } = loadFixture(source);
      const out = rebuild(new RecordBatch(bin), codec);
      const [view] = validateBatches(out);
      const expected: Omit<JavaBatch, 'crc'> = {
        ...withoutCrc(batches[0]!),
        compression: CODEC_NAMES[codec]!,
      };
      expect(describeBatch(view!)).toEqual(expected);
    });
  }
});

import { describe, expect, it } from 'vitest';
import { ErrorCode, KafkaError } from '../../../src/protocol/error-codes.js';
import { RecordBatch } from '../../../src/protocol/records/batch.js';
import { buildRecordBatch } from '../../../src/protocol/records/builder.js';
import { decompress } from '../../../src/protocol/records/compression.js';
import { decodedSizeBound } from '../../../src/protocol/records/decoded-size.js';
import { Compression, OFF_MAGIC, OFF_MAX_TIMESTAMP } from '../../../src/protocol/records/layout.js';
import {
  RecordValidationError,
  validateProduce,
  type ProducePolicy,
} from '../../../src/protocol/records/validate.js';
import { bomb, CODECS, goodBatch, hostileCases } from '../../support/hostile-batches.js';

const POLICY: ProducePolicy = {
  maxBatchBytes: 1_048_588,
  maxDecodedBytes: 8 * 1024 * 1024,
  logAppendTime: false,
  timestampBeforeMaxMs: Number.POSITIVE_INFINITY,
  timestampAfterMaxMs: Number.POSITIVE_INFINITY,
  compacted: false,
};

/** The policy a topic with these configs gets (the few configs the hostile cases set). */
function policyFor(configs: Record<string, string> = {}): ProducePolicy {
  const ms = (name: string): number => Number(configs[name] ?? Number.POSITIVE_INFINITY);
  return {
    ...POLICY,
    logAppendTime: configs['message.timestamp.type'] === 'LogAppendTime',
    timestampBeforeMaxMs: ms('message.timestamp.before.max.ms'),
    timestampAfterMaxMs: ms('message.timestamp.after.max.ms'),
    compacted: configs['cleanup.policy'] === 'compact',
  };
}

function refusal(run: () => unknown): KafkaError {
  try {
    run();
  } catch (err) {
    if (err instanceof KafkaError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('validateProduce: the hostile batches', () => {
  it.each(hostileCases().map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const err = refusal(() =>
      validateProduce(Buffer.from(c.records), c.produceVersion ?? 9, policyFor(c.topicConfigs), Date.now()),
    );
    expect(err.code).toBe(c.code);
    expect(err.message.length).toBeGreaterThan(0);
    if (c.recordErrors === true) {
      expect(err).toBeInstanceOf(RecordValidationError);
      expect((err as RecordValidationError).recordErrors.length).toBeGreaterThan(0);
    }
  });
});

describe('validateProduce: what it accepts', () => {
  it.each<readonly [string, number]>([['none', Compression.None], ...CODECS])(
    'a valid %s batch, returned as a view',
    (_n, codec) => {
      const bytes = goodBatch(50, codec);
      const batch = validateProduce(bytes, 9, POLICY, Date.now());
      expect(batch.buf).toBe(bytes);
      expect(batch.recordCount).toBe(50);
      expect(batch.records().map((r) => r.value?.toString())).toEqual(
        Array.from({ length: 50 }, (_, i) => `v${i}`),
      );
    },
  );

  it('zstd from Produce v7 on', () => {
    expect(validateProduce(goodBatch(2, Compression.Zstd), 7, POLICY, Date.now()).recordCount).toBe(2);
  });

  it('sets maxTimestamp to the largest record timestamp, as Kafka does, keeping the CRC valid', () => {
    const now = Date.now();
    const bytes = buildRecordBatch({
      records: [1, 5, 3].map((d) => ({ key: null, value: Buffer.from('x'), timestamp: BigInt(now + d) })),
      baseTimestamp: BigInt(now),
    });
    bytes.writeBigInt64BE(BigInt(now - 1000), OFF_MAX_TIMESTAMP); // a producer's lie
    new RecordBatch(bytes).updateCrc();
    const batch = validateProduce(bytes, 9, POLICY, now);
    expect(batch.maxTimestamp).toBe(BigInt(now + 5));
    expect(batch.verifyCrc()).toBe(true);
  });

  it('timestamps within the window, and -1 (no timestamp) whatever the window', () => {
    const now = Date.now();
    const policy = { ...POLICY, timestampBeforeMaxMs: 60_000, timestampAfterMaxMs: 60_000 };
    const inside = buildRecordBatch({
      records: [{ key: null, value: null }],
      baseTimestamp: BigInt(now - 59_000),
    });
    expect(validateProduce(inside, 9, policy, now).recordCount).toBe(1);
    const none = buildRecordBatch({ records: [{ key: null, value: null }], baseTimestamp: -1n });
    expect(validateProduce(none, 9, policy, now).recordCount).toBe(1);
  });
});

describe('validateProduce: limits', () => {
  it('refuses null and empty records with INVALID_RECORD, and magic 0/1 as an unsupported format', () => {
    expect(refusal(() => validateProduce(null, 9, POLICY, 0)).code).toBe(ErrorCode.INVALID_RECORD);
    expect(refusal(() => validateProduce(Buffer.alloc(0), 9, POLICY, 0)).code).toBe(ErrorCode.INVALID_RECORD);
    const v1 = Buffer.from(goodBatch(1));
    v1.writeInt8(1, OFF_MAGIC);
    expect(refusal(() => validateProduce(v1, 9, POLICY, 0)).code).toBe(
      ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT,
    );
  });

  it('refuses a batch larger than max.message.bytes with MESSAGE_TOO_LARGE', () => {
    const bytes = goodBatch(100);
    const err = refusal(() => validateProduce(bytes, 9, { ...POLICY, maxBatchBytes: bytes.length - 1 }, 0));
    expect(err.code).toBe(ErrorCode.MESSAGE_TOO_LARGE);
  });

  it.each(CODECS)('refuses a %s bomb past the decompression limit with MESSAGE_TOO_LARGE', (_n, codec) => {
    const bytes = bomb(codec, 16 * 1024 * 1024);
    expect(bytes.length).toBeLessThan(POLICY.maxBatchBytes);
    const err = refusal(() => validateProduce(bytes, 9, POLICY, Date.now()));
    expect(err.code).toBe(ErrorCode.MESSAGE_TOO_LARGE);
    expect(err.message).toMatch(/over the 8388608-byte limit/);
  });

  it.each(CODECS)('accepts one huge %s record within the limit', (_n, codec) => {
    const bytes = bomb(codec, 4 * 1024 * 1024);
    expect(validateProduce(bytes, 9, POLICY, Date.now()).recordCount).toBe(1);
  });

  it.each(CODECS.filter(([, c]) => c !== Compression.Gzip))(
    '%s framing bounds the decoded size before decompressing',
    (_n, codec) => {
      const section = new RecordBatch(goodBatch(500, codec)).recordsSection();
      const decoded = decompress(codec, section).length;
      const bound = decodedSizeBound(codec, section)!;
      expect(bound).toBeGreaterThanOrEqual(decoded);
      if (codec === Compression.Snappy) expect(bound).toBe(decoded);
    },
  );
});

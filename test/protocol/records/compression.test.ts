import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { compressSync as snappyRaw } from 'snappy';
import { describe, expect, it } from 'vitest';
import { ErrorCode, KafkaError } from '../../../src/protocol/error-codes.js';
import { BATCH_HEADER_SIZE, Compression, RecordBatch } from '../../../src/protocol/records/batch.js';
import { buildRecordBatch } from '../../../src/protocol/records/builder.js';
import { compress, decompress } from '../../../src/protocol/records/compression.js';
import { scanFrames, ZSTD_MAX_DECODED } from '../../../src/protocol/records/zstd.js';
import { describeBatch, FIXTURES, loadFixture } from './java-description.js';

const CODECS = [Compression.None, Compression.Gzip, Compression.Snappy, Compression.Lz4, Compression.Zstd];
/** The uncompressed records section of the Java fixture: ~70 KB of real record bytes. */
const SECTION = loadFixture('java-none').bin.subarray(BATCH_HEADER_SIZE);
const frame = (name: string): Buffer => readFileSync(join(FIXTURES, 'frames', name));

function corruptCode(fn: () => unknown): number {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(KafkaError);
    return (err as KafkaError).code;
  }
  throw new Error('expected a KafkaError');
}

function pseudoRandom(n: number): Buffer {
  const out = Buffer.alloc(n);
  let x = 12345;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

describe('compress/decompress round trips', () => {
  const inputs: [string, Buffer][] = [
    ['empty', Buffer.alloc(0)],
    ['one byte', Buffer.from([7])],
    ['records section', SECTION],
    ['incompressible 200 KB', pseudoRandom(200_000)],
  ];
  for (const codec of CODECS) {
    it.each(inputs)(`codec ${codec}: %s`, (_name, data) => {
      expect(decompress(codec, compress(codec, data)).equals(data)).toBe(true);
    });
  }
});

describe('snappy', () => {
  it('encodes with xerial framing in 32 KiB chunks, as snappy-java does', () => {
    const out = compress(Compression.Snappy, SECTION);
    expect(out.subarray(0, 16)).toEqual(Buffer.from('82534e41505059000000000100000001', 'hex'));
    let pos = 16;
    let chunks = 0;
    while (pos < out.length) {
      pos += 4 + out.readInt32BE(pos);
      chunks++;
    }
    expect(pos).toBe(out.length);
    expect(chunks).toBe(Math.ceil(SECTION.length / 32768));
  });

  it('decodes raw (unframed) snappy, which librdkafka may send', () => {
    expect(decompress(Compression.Snappy, snappyRaw(SECTION)).equals(SECTION)).toBe(true);
  });

  it('decodes concatenated xerial streams', () => {
    const a = SECTION.subarray(0, 1000);
    const b = SECTION.subarray(1000, 5000);
    const both = Buffer.concat([compress(Compression.Snappy, a), compress(Compression.Snappy, b)]);
    expect(decompress(Compression.Snappy, both).equals(SECTION.subarray(0, 5000))).toBe(true);
  });

  it('decodes a raw-snappy batch end to end', () => {
    const { bin } = loadFixture('java-none');
    const packed = snappyRaw(SECTION);
    const buf = Buffer.concat([bin.subarray(0, BATCH_HEADER_SIZE), packed]);
    buf.writeInt32BE(buf.length - 12, 8);
    buf.writeInt16BE(buf.readInt16BE(21) | Compression.Snappy, 21);
    const batch = new RecordBatch(buf);
    batch.updateCrc();
    expect(describeBatch(batch).records).toEqual(describeBatch(new RecordBatch(bin)).records);
  });

  it('reports truncated or garbled input as CORRUPT_MESSAGE', () => {
    const good = compress(Compression.Snappy, SECTION);
    expect(corruptCode(() => decompress(Compression.Snappy, good.subarray(0, good.length - 3)))).toBe(
      ErrorCode.CORRUPT_MESSAGE,
    );
    expect(corruptCode(() => decompress(Compression.Snappy, good.subarray(0, 18)))).toBe(
      ErrorCode.CORRUPT_MESSAGE,
    );
    expect(
      corruptCode(() => decompress(Compression.Snappy, Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 1]))),
    ).toBe(ErrorCode.CORRUPT_MESSAGE);
  });

  it('refuses a block declaring more than the limit before decompressing it', () => {
    // A raw snappy block that says it decodes to 4 GiB - 1 bytes: refused from its header alone.
    expect(
      corruptCode(() => decompress(Compression.Snappy, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 1]))),
    ).toBe(ErrorCode.MESSAGE_TOO_LARGE);
    const framed = compress(Compression.Snappy, Buffer.alloc(100_000));
    expect(corruptCode(() => decompress(Compression.Snappy, framed, 99_999))).toBe(
      ErrorCode.MESSAGE_TOO_LARGE,
    );
    expect(decompress(Compression.Snappy, framed, 100_000).length).toBe(100_000);
  });
});

describe('lz4 frame', () => {
  it('encodes a v1 frame with independent blocks and no content size (what Kafka Java accepts)', () => {
    const out = compress(Compression.Lz4, SECTION);
    expect(out.readUInt32LE(0)).toBe(0x184d2204);
    const flg = out[4]!;
    expect(flg >> 6).toBe(0b01); // version
    expect(flg & 0x20).toBe(0x20); // block independence
    expect(flg & 0x08).toBe(0); // no content size
    expect(flg & 0x01).toBe(0); // no dictionary id
    const bd = (out[5]! >> 4) & 0x07;
    expect(bd).toBeGreaterThanOrEqual(4); // 64 KiB .. 4 MiB block size: Java's range
  });

  it.each(['records-checksums-size.lz4', 'records-dependent.lz4', 'records-no-crc.lz4'])(
    'decodes the lz4 tool frame %s',
    (name) => {
      expect(decompress(Compression.Lz4, frame(name)).equals(SECTION)).toBe(true);
    },
  );

  it('rejects a content checksum mismatch, truncation and a wrong magic', () => {
    const good = frame('records-checksums-size.lz4');
    const badSum = Buffer.from(good);
    badSum[badSum.length - 1]! ^= 0xff;
    expect(corruptCode(() => decompress(Compression.Lz4, badSum))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(corruptCode(() => decompress(Compression.Lz4, good.subarray(0, 5000)))).toBe(
      ErrorCode.CORRUPT_MESSAGE,
    );
    const badMagic = Buffer.from(good);
    badMagic[0] = 0;
    expect(corruptCode(() => decompress(Compression.Lz4, badMagic))).toBe(ErrorCode.CORRUPT_MESSAGE);
  });
});

describe('zstd', () => {
  it('the Java fixture frame has no content size field (the case a one-shot decoder cannot size)', () => {
    const section = loadFixture('java-zstd').bin.subarray(BATCH_HEADER_SIZE);
    expect(section.readUInt32LE(0)).toBe(0xfd2fb528);
    const fhd = section[4]!;
    expect(fhd >> 6).toBe(0); // Frame_Content_Size_flag
    expect(fhd & 0x20).toBe(0); // not single-segment, so no implied size either
  });

  it.each(['records-stream.zst', 'records-sized.zst'])('decodes the zstd tool frame %s', (name) => {
    expect(decompress(Compression.Zstd, frame(name)).equals(SECTION)).toBe(true);
  });

  it('bounds a frame without content size by its blocks, tightly enough for libzstd', () => {
    const java = loadFixture('java-zstd').bin.subarray(BATCH_HEADER_SIZE);
    const [f] = scanFrames(java);
    expect(f!.end).toBe(java.length);
    expect(f!.bound).toBeGreaterThanOrEqual(SECTION.length);
    expect(f!.bound).toBeLessThan(SECTION.length + 128 * 1024); // at most one block of slack
    const [sized] = scanFrames(frame('records-sized.zst'));
    expect(sized!.bound).toBe(SECTION.length); // declared content size is exact
  });

  it('decodes an unsized frame that decodes past the 1 MiB a one-shot decoder would guess', () => {
    const twenty = Buffer.concat(Array.from({ length: 20 }, () => SECTION));
    const input = frame('records-x20-stream.zst');
    expect(input[4]! >> 6).toBe(0); // no content size
    expect(decompress(Compression.Zstd, input).equals(twenty)).toBe(true);
  });

  it('round-trips large and highly compressible data', () => {
    const big = Buffer.concat(Array.from({ length: 20 }, () => SECTION));
    expect(decompress(Compression.Zstd, compress(Compression.Zstd, big)).equals(big)).toBe(true);
    expect(decompress(Compression.Zstd, compress(Compression.Zstd, Buffer.alloc(3_000_000))).length).toBe(
      3_000_000,
    );
  });

  it('skips skippable frames and mixes sized and unsized frames', () => {
    const skippable = Buffer.from('502a4d1804000000deadbeef', 'hex');
    const input = Buffer.concat([
      compress(Compression.Zstd, SECTION),
      skippable,
      frame('records-stream.zst'),
    ]);
    expect(scanFrames(input)).toHaveLength(2);
    expect(decompress(Compression.Zstd, input).equals(Buffer.concat([SECTION, SECTION]))).toBe(true);
  });

  it('rejects reserved bits, reserved block types, wrong magic and forged huge sizes', () => {
    const good = frame('records-stream.zst');
    const reserved = Buffer.from(good);
    reserved[4]! |= 0x08;
    expect(corruptCode(() => decompress(Compression.Zstd, reserved))).toBe(ErrorCode.CORRUPT_MESSAGE);
    const badMagic = Buffer.from(good);
    badMagic[0] = 0;
    expect(corruptCode(() => decompress(Compression.Zstd, badMagic))).toBe(ErrorCode.CORRUPT_MESSAGE);
    // Single-segment frame declaring a 4 GiB content size (8-byte field) with one empty raw block.
    const forged = Buffer.from('28b52ffde0' + 'ffffffff00000000' + '010000', 'hex');
    expect(() => scanFrames(forged)).toThrow(/over the limit/);
    expect(ZSTD_MAX_DECODED).toBeGreaterThanOrEqual(64 * 1024 * 1024);
    expect(corruptCode(() => decompress(Compression.Zstd, forged))).toBe(ErrorCode.CORRUPT_MESSAGE);
  });

  it('decodes concatenated frames', () => {
    const two = Buffer.concat([compress(Compression.Zstd, SECTION), frame('records-stream.zst')]);
    expect(decompress(Compression.Zstd, two).equals(Buffer.concat([SECTION, SECTION]))).toBe(true);
  });

  it('reports corrupt and truncated input as CORRUPT_MESSAGE', () => {
    const good = frame('records-stream.zst');
    expect(corruptCode(() => decompress(Compression.Zstd, good.subarray(0, 200)))).toBe(
      ErrorCode.CORRUPT_MESSAGE,
    );
    const bad = Buffer.from(good);
    bad[bad.length - 2]! ^= 0xff; // inside the content checksum
    expect(corruptCode(() => decompress(Compression.Zstd, bad))).toBe(ErrorCode.CORRUPT_MESSAGE);
  });
});

describe('gzip and unknown codecs', () => {
  it('reports bad gzip as CORRUPT_MESSAGE', () => {
    expect(corruptCode(() => decompress(Compression.Gzip, Buffer.from('not gzip')))).toBe(
      ErrorCode.CORRUPT_MESSAGE,
    );
  });

  it('stops a gzip bomb at the decoded-size limit instead of inflating it', () => {
    const bomb = gzipSync(Buffer.alloc(ZSTD_MAX_DECODED + 1), { level: 9 });
    expect(bomb.length).toBeLessThan(1 << 20);
    expect(corruptCode(() => decompress(Compression.Gzip, bomb))).toBe(ErrorCode.MESSAGE_TOO_LARGE);
    expect(corruptCode(() => decompress(Compression.Gzip, gzipSync(Buffer.alloc(4097)), 4096))).toBe(
      ErrorCode.MESSAGE_TOO_LARGE,
    );
    expect(decompress(Compression.Gzip, gzipSync(Buffer.alloc(4096)), 4096).length).toBe(4096);
  });

  it('refuses codecs 5-7', () => {
    expect(corruptCode(() => decompress(5, Buffer.alloc(4)))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(corruptCode(() => compress(7, Buffer.alloc(4)))).toBe(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
  });

  it('builds a batch in every codec whose records section is the compressed plain section', () => {
    for (const codec of CODECS) {
      const buf = buildRecordBatch({ records: [{ key: null, value: SECTION }], compression: codec });
      const plain = buildRecordBatch({
        records: [{ key: null, value: SECTION }],
        compression: Compression.None,
      });
      const section = new RecordBatch(buf).recordsSection();
      expect(decompress(codec, section).equals(plain.subarray(BATCH_HEADER_SIZE))).toBe(true);
    }
  });
});

import { gunzipSync, gzipSync } from 'node:zlib';
import { compressFrameSync, decompressFrameSync } from 'lz4-napi';
import { ErrorCode, KafkaError } from '../error-codes.js';
import { Compression } from './layout.js';
import { snappyCompress, snappyDecompress } from './snappy-xerial.js';
import { ZSTD_MAX_DECODED, zstdCompress, zstdDecompress } from './zstd.js';

/** Compresses a records section with the codec numbered as in batch attributes bits 0-2. */
export function compress(codec: number, data: Buffer): Buffer {
  switch (codec) {
    case Compression.None:
      return data;
    case Compression.Gzip:
      return gzipSync(data);
    case Compression.Snappy:
      return snappyCompress(data);
    case Compression.Lz4:
      // lz4-napi (lz4_flex) writes independent blocks, no content size: what Java's reader accepts.
      return compressFrameSync(data);
    case Compression.Zstd:
      return zstdCompress(data);
    default:
      throw new KafkaError(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, `unknown compression codec ${codec}`);
  }
}

/** Decompresses a records section; malformed input is CORRUPT_MESSAGE. */
export function decompress(codec: number, data: Buffer): Buffer {
  try {
    switch (codec) {
      case Compression.None:
        return data;
      case Compression.Gzip:
        // A few hundred KB of gzip can claim gigabytes; stop where zstd frames are stopped too.
        return gunzipSync(data, { maxOutputLength: ZSTD_MAX_DECODED });
      case Compression.Snappy:
        return snappyDecompress(data);
      case Compression.Lz4:
        return decompressFrameSync(data);
      case Compression.Zstd:
        return zstdDecompress(data);
    }
  } catch (err) {
    if (err instanceof KafkaError) throw err;
    const why = err instanceof Error ? err.message : String(err);
    throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `cannot decompress ${codecName(codec)} records: ${why}`);
  }
  throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `unknown compression codec ${codec}`);
}

export function codecName(codec: number): string {
  return ['none', 'gzip', 'snappy', 'lz4', 'zstd'][codec] ?? `codec-${codec}`;
}

import { gunzipSync, gzipSync } from 'node:zlib';
import { compressFrameSync, decompressFrameSync } from 'lz4-napi';
import { ErrorCode, KafkaError } from '../error-codes.js';
import { decodedSizeBound } from './decoded-size.js';
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

/**
 * Decompresses a records section without ever producing more than `limit` bytes: lz4, snappy and
 * zstd are measured from their framing before any output is allocated, gzip is stopped by zlib as it
 * streams. Over the limit is MESSAGE_TOO_LARGE (a producer splits the batch and retries); malformed
 * input is CORRUPT_MESSAGE.
 */
export function decompress(codec: number, data: Buffer, limit: number = ZSTD_MAX_DECODED): Buffer {
  try {
    if (codec !== Compression.Gzip) {
      const bound = decodedSizeBound(codec, data);
      if (bound !== undefined && bound > limit) throw tooLarge(codec, limit, `up to ${bound}`);
    }
    switch (codec) {
      case Compression.None:
        return data;
      case Compression.Gzip:
        return gunzipSync(data, { maxOutputLength: limit });
      case Compression.Snappy:
        return snappyDecompress(data);
      case Compression.Lz4:
        return decompressFrameSync(data);
      case Compression.Zstd:
        return zstdDecompress(data);
    }
  } catch (err) {
    if (err instanceof KafkaError) throw err;
    if (err instanceof RangeError && (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw tooLarge(codec, limit, 'more than that');
    }
    const why = err instanceof Error ? err.message : String(err);
    throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `cannot decompress ${codecName(codec)} records: ${why}`);
  }
  throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `unknown compression codec ${codec}`);
}

function tooLarge(codec: number, limit: number, size: string): KafkaError {
  return new KafkaError(
    ErrorCode.MESSAGE_TOO_LARGE,
    `${codecName(codec)} records decompress to ${size} bytes, over the ${limit}-byte limit`,
  );
}

export function codecName(codec: number): string {
  return ['none', 'gzip', 'snappy', 'lz4', 'zstd'][codec] ?? `codec-${codec}`;
}

/**
 * Upper bounds of what a compressed records section decodes to, read from the codec's own framing
 * before anything is decompressed. A section that could decode past the caller's limit is refused
 * without allocating its output: a few kilobytes of lz4, snappy or zstd can claim gigabytes.
 * gzip declares nothing usable up front; zlib's maxOutputLength stops it while it streams instead.
 */
import { Compression } from './layout.js';
import { forEachSnappyBlock } from './snappy-xerial.js';
import { scanFrames } from './zstd.js';

const LZ4_MAGIC = 0x184d2204;
const LZ4_SKIPPABLE_MASK = 0xfffffff0;
const LZ4_SKIPPABLE_MAGIC = 0x184d2a50;
/** Block maximum sizes selected by bits 4-6 of the LZ4 frame's BD byte (values 4 to 7). */
const LZ4_BLOCK_MAX = [0, 0, 0, 0, 64 * 1024, 256 * 1024, 1024 * 1024, 4 * 1024 * 1024];

/** Bytes `data` may decode to, or undefined when the codec's framing does not say (gzip). */
export function decodedSizeBound(codec: number, data: Buffer): number | undefined {
  switch (codec) {
    case Compression.None:
      return data.length;
    case Compression.Snappy:
      return snappyDecodedSize(data);
    case Compression.Lz4:
      return lz4DecodedBound(data);
    case Compression.Zstd:
      return scanFrames(data).reduce((n, f) => n + f.bound, 0);
    default:
      return undefined;
  }
}

/** Reads the unsigned varint (at most 5 bytes) that opens a raw snappy block: its decoded length. */
function snappyBlockLength(data: Buffer, at: number, end: number): number {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    if (at + i >= end) throw new Error('truncated snappy block header');
    const b = data[at + i]!;
    value += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) return value;
  }
  throw new Error('snappy block header is longer than 5 bytes');
}

/** Exact decoded size of a raw snappy block or of xerial-framed blocks (each declares its length). */
function snappyDecodedSize(data: Buffer): number {
  let total = 0;
  forEachSnappyBlock(data, (start, end) => {
    total += snappyBlockLength(data, start, end);
  });
  return total;
}

/**
 * Walks LZ4 frames block by block: a stored block decodes to its own size, a compressed one to at
 * most the frame's block maximum.
 */
function lz4DecodedBound(data: Buffer): number {
  let total = 0;
  let pos = 0;
  const need = (n: number): void => {
    if (pos + n > data.length) throw new Error(`lz4 frame truncated at byte ${pos}`);
  };
  while (pos < data.length) {
    need(4);
    const magic = data.readUInt32LE(pos);
    if ((magic & LZ4_SKIPPABLE_MASK) >>> 0 === LZ4_SKIPPABLE_MAGIC) {
      need(8);
      pos += 8 + data.readUInt32LE(pos + 4);
      continue;
    }
    if (magic !== LZ4_MAGIC) throw new Error(`not an lz4 frame at byte ${pos}`);
    pos += 4;
    need(2);
    const flg = data[pos]!;
    const blockMax = LZ4_BLOCK_MAX[(data[pos + 1]! >> 4) & 0x07]!;
    if (blockMax === 0) throw new Error('lz4 frame declares an invalid block maximum size');
    const blockChecksum = (flg & 0x10) !== 0;
    const hasContentSize = (flg & 0x08) !== 0;
    const contentChecksum = (flg & 0x04) !== 0;
    pos += 2;
    // A declared content size is not trusted: the blocks decide what the decoder writes.
    if (hasContentSize) pos += 8;
    if (flg & 0x01) pos += 4; // dictionary id
    pos += 1; // header checksum
    let frameBound = 0;
    for (;;) {
      need(4);
      const header = data.readUInt32LE(pos);
      pos += 4;
      if (header === 0) break;
      const size = header & 0x7fffffff;
      const stored = (header & 0x80000000) !== 0;
      need(size);
      pos += size + (blockChecksum ? 4 : 0);
      frameBound += stored ? size : blockMax;
    }
    if (contentChecksum) pos += 4;
    total += frameBound;
  }
  return total;
}

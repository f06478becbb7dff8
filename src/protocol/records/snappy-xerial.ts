import { compressSync, uncompressSync } from 'snappy';

/**
 * Snappy as Kafka clients send it. Java (snappy-java's SnappyOutputStream) wraps raw snappy blocks
 * in "xerial" framing: a 16-byte header (0x82 "SNAPPY" 0x00, version i32, compatible-version i32)
 * then [compressed length i32 BE][raw snappy block] chunks. librdkafka may send either that or one
 * raw snappy block, so decoding sniffs the magic.
 */
const MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const HEADER_SIZE = 16;
/** snappy-java's default block size; Java readers size their buffers by it. */
const CHUNK = 32 * 1024;

function hasMagic(data: Buffer, at: number): boolean {
  return data.length - at >= HEADER_SIZE && data.compare(MAGIC, 0, MAGIC.length, at, at + MAGIC.length) === 0;
}

export function snappyCompress(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  const header = Buffer.alloc(HEADER_SIZE);
  MAGIC.copy(header, 0);
  header.writeInt32BE(1, 8); // version
  header.writeInt32BE(1, 12); // minimum compatible version
  parts.push(header);
  for (let off = 0; off < data.length; off += CHUNK) {
    const block = compressSync(data.subarray(off, Math.min(off + CHUNK, data.length)));
    const len = Buffer.allocUnsafe(4);
    len.writeInt32BE(block.length, 0);
    parts.push(len, block);
  }
  return Buffer.concat(parts);
}

/**
 * Calls `block` with the bounds of each raw snappy block: the whole input when it has no xerial
 * header, else every chunk. Throws a plain Error on malformed framing.
 */
export function forEachSnappyBlock(data: Buffer, block: (start: number, end: number) => void): void {
  if (!hasMagic(data, 0)) {
    block(0, data.length);
    return;
  }
  let pos = 0;
  while (pos < data.length) {
    // snappy-java's reader accepts a second stream header where a chunk could start (concatenated streams).
    if (hasMagic(data, pos)) {
      pos += HEADER_SIZE;
      continue;
    }
    if (data.length - pos < 4) throw new Error('truncated xerial snappy chunk length');
    const len = data.readInt32BE(pos);
    pos += 4;
    if (len < 0 || len > data.length - pos)
      throw new Error(`xerial snappy chunk of ${len} bytes overruns input`);
    block(pos, pos + len);
    pos += len;
  }
}

/** Throws a plain Error on malformed input; compression.ts maps it to CORRUPT_MESSAGE. */
export function snappyDecompress(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  forEachSnappyBlock(data, (start, end) => parts.push(toBuffer(uncompressSync(data.subarray(start, end)))));
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

function toBuffer(out: string | Buffer): Buffer {
  return typeof out === 'string' ? Buffer.from(out) : out;
}

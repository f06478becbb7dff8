import { compress as wasmCompress, decompress as wasmDecompress, init } from '@bokuweb/zstd-wasm';

/**
 * Zstandard for record batches, on @bokuweb/zstd-wasm (libzstd compiled to WebAssembly: synchronous
 * once loaded, no native binary per platform).
 *
 * Its one-shot decoder sizes the output from the frame's content-size field, but Java (zstd-jni
 * streaming) and librdkafka write frames without one. So we walk the frame structure (RFC 8878) to
 * find each frame's end and an upper bound of its decoded size, exactly as ZSTD_decompressBound does,
 * and hand libzstd one frame at a time with that capacity.
 */
await init();

/** zstd's default level; what Kafka's Java client uses unless compression.zstd.level is set. */
const LEVEL = 3;
const MAGIC = 0xfd2fb528;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const MAX_BLOCK = 128 * 1024;
/**
 * Refuse frames that could decode past this: the output buffer is allocated up front from the bound,
 * so a forged content size must not make us reserve gigabytes. Far above any real batch.
 */
export const ZSTD_MAX_DECODED = 256 * 1024 * 1024;

export function zstdCompress(data: Buffer): Buffer {
  const out = wasmCompress(data, LEVEL);
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

/** Throws a plain Error on malformed input; compression.ts maps it to CORRUPT_MESSAGE. */
export function zstdDecompress(data: Buffer): Buffer {
  const frames = scanFrames(data);
  const parts: Buffer[] = [];
  for (const f of frames) {
    const out = wasmDecompress(data.subarray(f.start, f.end), { defaultHeapSize: Math.max(f.bound, 1) });
    parts.push(Buffer.from(out.buffer, out.byteOffset, out.byteLength));
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

export interface ZstdFrame {
  start: number;
  end: number;
  /** Upper bound of the decoded size: the content size when declared, else the sum of block bounds. */
  bound: number;
}

/** Splits data into zstd frames (skippable frames dropped) and bounds each frame's decoded size. */
export function scanFrames(data: Buffer): ZstdFrame[] {
  const frames: ZstdFrame[] = [];
  let pos = 0;
  const need = (n: number): void => {
    if (pos + n > data.length) throw new Error(`zstd frame truncated at byte ${pos}`);
  };
  while (pos < data.length) {
    need(4);
    const magic = data.readUInt32LE(pos);
    if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      need(8);
      pos += 8 + data.readUInt32LE(pos + 4);
      if (pos > data.length) throw new Error('zstd skippable frame truncated');
      continue;
    }
    if (magic !== MAGIC) throw new Error(`not a zstd frame at byte ${pos}: magic 0x${magic.toString(16)}`);
    const start = pos;
    pos += 4;
    need(1);
    const fhd = data[pos++]!;
    if (fhd & 0x08) throw new Error('zstd frame header has its reserved bit set');
    const fcsFlag = fhd >> 6;
    const singleSegment = (fhd & 0x20) !== 0;
    const checksum = (fhd & 0x04) !== 0;
    const didSize = [0, 1, 2, 4][fhd & 0x03]!;
    const fcsSize = [singleSegment ? 1 : 0, 2, 4, 8][fcsFlag]!;
    let windowSize = 0;
    if (!singleSegment) {
      need(1);
      const wd = data[pos++]!;
      const base = 2 ** (10 + (wd >> 3));
      windowSize = base + (base / 8) * (wd & 0x07);
    }
    need(didSize + fcsSize);
    pos += didSize;
    let contentSize = -1;
    if (fcsSize === 1) contentSize = data[pos]!;
    else if (fcsSize === 2) contentSize = data.readUInt16LE(pos) + 256;
    else if (fcsSize === 4) contentSize = data.readUInt32LE(pos);
    else if (fcsSize === 8) contentSize = data.readUInt32LE(pos) + data.readUInt32LE(pos + 4) * 2 ** 32;
    pos += fcsSize;
    if (singleSegment) windowSize = contentSize;
    const blockMax = Math.min(windowSize, MAX_BLOCK);
    let blockBound = 0;
    for (;;) {
      need(3);
      const header = data[pos]! | (data[pos + 1]! << 8) | (data[pos + 2]! << 16);
      pos += 3;
      const type = (header >> 1) & 0x03;
      const size = header >>> 3;
      if (type === 3) throw new Error('zstd block of reserved type');
      if (type === 1) {
        need(1); // RLE: one byte repeated `size` times
        pos += 1;
        blockBound += size;
      } else {
        need(size);
        pos += size;
        blockBound += type === 0 ? size : blockMax;
      }
      if (header & 1) break;
    }
    if (checksum) {
      need(4);
      pos += 4;
    }
    const bound = contentSize >= 0 ? contentSize : blockBound;
    if (bound > ZSTD_MAX_DECODED) throw new Error(`zstd frame may decode to ${bound} bytes, over the limit`);
    frames.push({ start, end: pos, bound });
  }
  return frames;
}

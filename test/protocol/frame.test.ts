import { describe, expect, it } from 'vitest';
import { FrameDecoder } from '../../src/protocol/frame.js';
import { ProtocolError } from '../../src/protocol/reader.js';

function frame(body: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

/** Deterministic bodies of assorted sizes, the empty frame included. */
const BODIES = [
  Buffer.from('first frame'),
  Buffer.alloc(0),
  Buffer.from([1]),
  Buffer.from(Array.from({ length: 300 }, (_, i) => i & 0xff)),
  Buffer.from('x'.repeat(17)),
];
const STREAM = Buffer.concat(BODIES.map(frame));

function feed(decoder: FrameDecoder, chunks: Buffer[]): Buffer[] {
  const out: Buffer[] = [];
  // Frames may be views of chunks the decoder was given: copy so later assertions see stable bytes.
  for (const c of chunks) decoder.push(c, (f) => out.push(Buffer.from(f)));
  return out;
}

function splitAt(buf: Buffer, cuts: number[]): Buffer[] {
  const out: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts, buf.length]) {
    out.push(Buffer.from(buf.subarray(from, cut)));
    from = cut;
  }
  return out;
}

/** Small PRNG so a failing chunking can be reproduced from its seed. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('FrameDecoder', () => {
  it('yields every frame of a stream delivered in one chunk', () => {
    const d = new FrameDecoder(1 << 20);
    expect(feed(d, [STREAM])).toEqual(BODIES);
    expect(d.bufferedBytes).toBe(0);
  });

  it('yields the same frames when the stream is split in two at every byte boundary', () => {
    for (let cut = 0; cut <= STREAM.length; cut++) {
      const d = new FrameDecoder(1 << 20);
      expect(feed(d, splitAt(STREAM, [cut])), `cut at ${cut}`).toEqual(BODIES);
      expect(d.bufferedBytes).toBe(0);
    }
  });

  it('yields the same frames when the stream arrives one byte at a time', () => {
    const d = new FrameDecoder(1 << 20);
    const bytes = Array.from({ length: STREAM.length }, (_, i) => i + 1);
    expect(feed(d, splitAt(STREAM, bytes.slice(0, -1)))).toEqual(BODIES);
  });

  it('yields the same frames for random chunkings', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const rand = mulberry32(seed);
      const cuts: number[] = [];
      for (let at = 0; ;) {
        at += 1 + Math.floor(rand() * 40);
        if (at >= STREAM.length) break;
        cuts.push(at);
      }
      const d = new FrameDecoder(1 << 20);
      expect(feed(d, splitAt(STREAM, cuts)), `seed ${seed}`).toEqual(BODIES);
    }
  });

  it('holds a partial frame until the rest arrives', () => {
    const d = new FrameDecoder(1 << 20);
    const one = frame(Buffer.from('abcdef'));
    expect(feed(d, [one.subarray(0, 7)])).toEqual([]);
    expect(d.bufferedBytes).toBe(3);
    expect(feed(d, [one.subarray(7)])).toEqual([Buffer.from('abcdef')]);
    expect(d.bufferedBytes).toBe(0);
  });

  it('returns a frame inside one chunk as a view of that chunk', () => {
    const chunk = Buffer.alloc(4 + 10 + 4 + 3); // not from the shared pool: its ArrayBuffer is its own
    frame(Buffer.from('0123456789')).copy(chunk, 0);
    frame(Buffer.from('abc')).copy(chunk, 14);
    const frames: Buffer[] = [];
    new FrameDecoder(1 << 20).push(chunk, (f) => frames.push(f));
    expect(frames).toHaveLength(2);
    expect(frames[0]!.buffer).toBe(chunk.buffer);
    expect(frames[0]!.byteOffset).toBe(chunk.byteOffset + 4);
    expect(frames[1]!.buffer).toBe(chunk.buffer);
    expect(frames[1]!.byteOffset).toBe(chunk.byteOffset + 18);
    chunk[4] = 0x7a;
    expect(frames[0]![0]).toBe(0x7a);
  });

  it('returns a view of the later chunk when only the size prefix was split', () => {
    const d = new FrameDecoder(1 << 20);
    const body = Buffer.alloc(2 + 5);
    frame(Buffer.from('hello')).copy(body, 0, 2);
    const frames: Buffer[] = [];
    d.push(frame(Buffer.from('hello')).subarray(0, 2), (f) => frames.push(f));
    d.push(body, (f) => frames.push(f));
    expect(frames).toHaveLength(1);
    expect(frames[0]!.toString()).toBe('hello');
    expect(frames[0]!.buffer).toBe(body.buffer);
  });

  it('accepts a frame exactly at the size limit', () => {
    const d = new FrameDecoder(8);
    expect(feed(d, [frame(Buffer.from('12345678'))])).toEqual([Buffer.from('12345678')]);
  });

  it('throws as soon as the 4-byte prefix declares more than the limit, before buffering the body', () => {
    const d = new FrameDecoder(1024);
    const prefix = Buffer.alloc(4);
    prefix.writeInt32BE(0x7fffffff);
    expect(() => d.push(prefix, () => undefined)).toThrow(ProtocolError);

    const d2 = new FrameDecoder(1024);
    const justOver = Buffer.alloc(4);
    justOver.writeInt32BE(1025);
    expect(() => d2.push(justOver, () => undefined)).toThrow(/exceeds/);
  });

  it('checks the limit when the prefix itself arrives split', () => {
    const d = new FrameDecoder(1024);
    const prefix = Buffer.alloc(4);
    prefix.writeInt32BE(100_000_000);
    d.push(prefix.subarray(0, 2), () => undefined);
    expect(() => d.push(prefix.subarray(2), () => undefined)).toThrow(ProtocolError);
  });

  it('throws on a negative size', () => {
    const d = new FrameDecoder(1 << 20);
    expect(() => d.push(Buffer.from([0xff, 0xff, 0xff, 0xfe, 0, 0]), () => undefined)).toThrow(/negative/);
  });

  it('delivers the frames before an oversized one', () => {
    const d = new FrameDecoder(16);
    const big = Buffer.alloc(4);
    big.writeInt32BE(17);
    const frames: Buffer[] = [];
    expect(() => d.push(Buffer.concat([frame(Buffer.from('ok')), big]), (f) => frames.push(f))).toThrow(
      ProtocolError,
    );
    expect(frames.map(String)).toEqual(['ok']);
  });
});

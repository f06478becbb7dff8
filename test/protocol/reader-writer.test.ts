import { describe, expect, it } from 'vitest';
import { ProtocolError, Reader } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function written(w: Writer): Buffer {
  return Buffer.concat(w.finish());
}

describe('uvarint', () => {
  it.each([
    [0, '00'],
    [1, '01'],
    [127, '7f'],
    [128, '8001'],
    [300, 'ac02'],
    [16383, 'ff7f'],
    [16384, '808001'],
    [2 ** 28 - 1, 'ffffff7f'],
    [2 ** 28, '8080808001'],
    [2 ** 31, '8080808008'],
    [2 ** 32 - 1, 'ffffffff0f'],
  ])('%i is %s on the wire and reads back', (value, bytes) => {
    expect(written(new Writer().uvarint(value)).toString('hex')).toBe(bytes);
    const r = new Reader(hex(bytes));
    expect(r.uvarint()).toBe(value);
    expect(r.remaining).toBe(0);
  });

  it('rejects a fifth byte that carries more than 32 bits', () => {
    expect(() => new Reader(hex('ffffffff10')).uvarint()).toThrow(ProtocolError);
    expect(() => new Reader(hex('ffffffff1f')).uvarint()).toThrow(ProtocolError);
  });

  it('rejects a varint longer than five bytes', () => {
    expect(() => new Reader(hex('808080808001')).uvarint()).toThrow(ProtocolError);
  });

  it('throws ProtocolError when the varint is cut short', () => {
    expect(() => new Reader(hex('8080')).uvarint()).toThrow(ProtocolError);
  });

  it('reads compact lengths as uvarint - 1', () => {
    const r = new Reader(hex('00 01 0b'));
    expect([r.compactLength(), r.compactLength(), r.compactLength()]).toEqual([-1, 0, 10]);
  });
});

describe('Reader', () => {
  it('reads every primitive big-endian', () => {
    const r = new Reader(
      hex(
        'ff 01 fffe fffe 80000000 ffffffff 8000000000000000 3ff8000000000000 00112233445566778899aabbccddeeff',
      ),
    );
    expect(r.int8()).toBe(-1);
    expect(r.bool()).toBe(true);
    expect(r.int16()).toBe(-2);
    expect(r.uint16()).toBe(0xfffe);
    expect(r.int32()).toBe(-(2 ** 31));
    expect(r.uint32()).toBe(2 ** 32 - 1);
    expect(r.int64()).toBe(-(1n << 63n));
    expect(r.float64()).toBe(1.5);
    expect(r.uuid()).toBe('00112233445566778899aabbccddeeff');
    expect(r.remaining).toBe(0);
  });

  it.each([
    ['int8', (r: Reader) => r.int8(), 0],
    ['int16', (r: Reader) => r.int16(), 1],
    ['int32', (r: Reader) => r.int32(), 3],
    ['int64', (r: Reader) => r.int64(), 7],
    ['uuid', (r: Reader) => r.uuid(), 15],
    ['string', (r: Reader) => r.stringOfLength(4), 3],
    ['bytes', (r: Reader) => r.bytesOfLength(4), 3],
    ['skip', (r: Reader) => r.skip(4), 3],
  ])('%s past the end throws ProtocolError and does not move', (_name, read, available) => {
    const r = new Reader(Buffer.alloc(available));
    expect(() => read(r)).toThrow(ProtocolError);
    expect(r.pos).toBe(0);
  });

  it('stops at its end, not at the end of the buffer', () => {
    const buf = hex('00000001 00000002');
    const r = new Reader(buf, 0, 4);
    expect(r.int32()).toBe(1);
    expect(() => r.int32()).toThrow(ProtocolError);
  });

  it('refuses a negative length', () => {
    expect(() => new Reader(hex('0000')).bytesOfLength(-2)).toThrow(ProtocolError);
  });

  it('returns byte strings as views of the frame', () => {
    const buf = hex('01020304');
    const view = new Reader(buf, 1).bytesOfLength(2);
    expect(view.buffer).toBe(buf.buffer);
    buf[1] = 9;
    expect(view[0]).toBe(9);
  });
});

describe('Writer', () => {
  it('writes every primitive big-endian', () => {
    const w = new Writer(1);
    w.int8(-1)
      .bool(true)
      .int16(-2)
      .uint16(0xfffe)
      .int32(-(2 ** 31))
      .uint32(2 ** 32 - 1);
    w.int64(-(1n << 63n))
      .float64(1.5)
      .uuid('00112233445566778899aabbccddeeff');
    expect(written(w)).toEqual(
      hex(
        'ff 01 fffe fffe 80000000 ffffffff 8000000000000000 3ff8000000000000 00112233445566778899aabbccddeeff',
      ),
    );
  });

  it('grows across many writes of every primitive without losing a byte', () => {
    // Every primitive is written at every alignment relative to the buffer end, so each one at some
    // point triggers a growth.
    const w = new Writer(1);
    const expected: Buffer[] = [];
    for (let i = 0; i < 2000; i++) {
      switch (i % 9) {
        case 0:
          w.int8(i % 128);
          expected.push(Buffer.from([i % 128]));
          break;
        case 1:
          w.bool(true);
          expected.push(Buffer.from([1]));
          break;
        case 2:
          w.int16(i);
          expected.push(hex(i.toString(16).padStart(4, '0')));
          break;
        case 3:
          w.uint16(i);
          expected.push(hex(i.toString(16).padStart(4, '0')));
          break;
        case 4:
          w.int32(i * 1000);
          expected.push(hex((i * 1000).toString(16).padStart(8, '0')));
          break;
        case 5:
          w.uint32(i);
          expected.push(hex(i.toString(16).padStart(8, '0')));
          break;
        case 6:
          w.int64(BigInt(i));
          expected.push(hex(i.toString(16).padStart(16, '0')));
          break;
        case 7: {
          w.float64(i + 0.5);
          const b = Buffer.alloc(8);
          b.writeDoubleBE(i + 0.5);
          expected.push(b);
          break;
        }
        case 8:
          w.uvarint(i * 100_000);
          expected.push(written(new Writer(64).uvarint(i * 100_000)));
          break;
      }
    }
    const out = written(w);
    const want = Buffer.concat(expected);
    expect(w.length).toBe(want.length);
    expect(out.toString('hex')).toBe(want.toString('hex'));
  });

  it.each([
    ['int8', (w: Writer) => w.int8(7), '07'],
    ['bool', (w: Writer) => w.bool(true), '01'],
    ['int16', (w: Writer) => w.int16(0x0102), '0102'],
    ['uint16', (w: Writer) => w.uint16(0xfffe), 'fffe'],
    ['int32', (w: Writer) => w.int32(0x01020304), '01020304'],
    ['uint32', (w: Writer) => w.uint32(0xfffffffe), 'fffffffe'],
    ['int64', (w: Writer) => w.int64(0x0102030405060708n), '0102030405060708'],
    ['float64', (w: Writer) => w.float64(1.5), '3ff8000000000000'],
    ['uvarint', (w: Writer) => w.uvarint(300), 'ac02'],
  ])('%s that lands exactly on a full buffer grows it', (_name, write, bytes) => {
    const w = new Writer(4);
    w.int32(0x0a0b0c0d);
    write(w);
    w.int8(0x55);
    expect(written(w).toString('hex')).toBe(`0a0b0c0d${bytes}55`);
  });

  it('grows correctly after a chunk was attached', () => {
    const big = Buffer.alloc(10_000, 7);
    const w = new Writer(8);
    w.int32(1).attach(big);
    for (let i = 0; i < 100; i++) w.int32(i);
    const chunks = w.finish();
    expect(chunks[1]).toBe(big);
    const out = Buffer.concat(chunks);
    expect(out.readInt32BE(0)).toBe(1);
    for (let i = 0; i < 100; i++) expect(out.readInt32BE(4 + big.length + i * 4)).toBe(i);
  });

  it('attaches large buffers as chunks of their own, in order, without copying', () => {
    const a = Buffer.alloc(1 << 20, 1);
    const b = Buffer.alloc(3 << 20, 2);
    const w = new Writer();
    w.int16(1).attach(a).int16(2).attach(b).attach(Buffer.alloc(0)).int16(3);
    const chunks = w.finish();
    expect(chunks).toHaveLength(5);
    expect(chunks[1]).toBe(a);
    expect(chunks[3]).toBe(b);
    expect(w.length).toBe(6 + a.length + b.length);
    const out = Buffer.concat(chunks);
    expect(out.readInt16BE(0)).toBe(1);
    expect(out.readInt16BE(2 + a.length)).toBe(2);
    expect(out.readInt16BE(out.length - 2)).toBe(3);
  });

  it('copies small raw slices and attaches large ones', () => {
    const small = Buffer.from('abc');
    const large = Buffer.alloc(4096, 9);
    const w = new Writer();
    w.raw(small).raw(large);
    const chunks = w.finish();
    expect(chunks.includes(small)).toBe(false);
    expect(chunks.includes(large)).toBe(true);
    expect(Buffer.concat(chunks)).toEqual(Buffer.concat([small, large]));
  });

  it('writes utf8 by byte length', () => {
    const s = 'é✓x';
    const n = Buffer.byteLength(s);
    expect(written(new Writer(1).int16(n).utf8(s, n))).toEqual(Buffer.concat([hex('0006'), Buffer.from(s)]));
  });

  it('finishes an empty writer with one empty chunk', () => {
    const chunks = new Writer().finish();
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.length).toBe(0);
  });

  describe('finishFrame', () => {
    function frameOf(chunks: Buffer[]): Buffer {
      const out = Buffer.concat(chunks);
      expect(out.readInt32BE(0)).toBe(out.length - 4);
      return out;
    }

    it('fills the size of a frame that fits the first buffer', () => {
      const w = new Writer();
      w.int32(0).int16(5);
      expect(frameOf(w.finishFrame())).toEqual(hex('00000002 0005'));
    });

    it('fills the size after the buffer grew several times', () => {
      const w = new Writer(4);
      w.int32(0);
      for (let i = 0; i < 5000; i++) w.int32(i);
      const out = frameOf(w.finishFrame());
      expect(out.length).toBe(4 + 5000 * 4);
      expect(out.readInt32BE(4 + 4999 * 4)).toBe(4999);
    });

    it('fills the size when chunks were attached, before and after growth', () => {
      const w = new Writer(8);
      w.int32(0);
      const a = Buffer.alloc(70_000, 1);
      const b = Buffer.alloc(5, 2);
      w.attach(a);
      for (let i = 0; i < 1000; i++) w.int16(i);
      w.attach(b).int8(1);
      const chunks = w.finishFrame();
      expect(chunks).toContain(a);
      expect(chunks).toContain(b);
      const out = frameOf(chunks);
      expect(out.length).toBe(4 + a.length + 2000 + b.length + 1);
    });

    it('fills the size when the first write after the placeholder is an attachment', () => {
      const w = new Writer(4);
      const a = Buffer.alloc(10, 3);
      w.int32(0).attach(a);
      expect(frameOf(w.finishFrame())).toEqual(Buffer.concat([hex('0000000a'), a]));
    });
  });
});

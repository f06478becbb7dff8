import { describe, expect, it } from 'vitest';
import { PbWriter } from '../../../src/storage/seaweedmq/pb-wire.js';
import {
  checkpointContent,
  flushedFromEntries,
  generationDir,
  partitionDir,
  readCheckpoint,
  segmentName,
  segmentOffsets,
} from '../../../src/storage/seaweedmq/partition-files.js';
import type { PbEntry } from '../../../src/storage/seaweedmq/proto.js';

function entry(name: string, extended: Record<string, bigint> = {}, content = Buffer.alloc(0)): PbEntry {
  const ext: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(extended)) {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(v);
    ext[k] = b;
  }
  ext.buffer_start = Buffer.from([0, 0, 0, 0, 0, 0, 0, 10]);
  return { name, is_directory: false, chunks: [], attributes: null, extended: ext, content };
}

/** A segment as the broker writes it: [uint32 size][LogEntry{ts_ns=1, data=3, key=4, offset=5}]… */
function segment(offsets: readonly number[]): Buffer {
  const parts: Buffer[] = [];
  for (const o of offsets) {
    const w = new PbWriter(32).int(1, 1_800_000_000_000_000_000n + BigInt(o)).bytes(3, Buffer.from('v'));
    if (o !== 0) w.int(5, o); // proto3 leaves a zero offset out
    const body = w.finish();
    const size = Buffer.alloc(4);
    size.writeUInt32BE(body.length);
    parts.push(size, body);
  }
  return Buffer.concat(parts);
}

describe('SeaweedMQ partition files', () => {
  it('names a partition folder as the broker does', () => {
    const p = { ring_size: 2520, range_start: 0, range_stop: 840, unix_time_ns: '1796481464910000000' };
    expect(generationDir(p.unix_time_ns)).toBe('v2026-12-05-14-37-44');
    expect(partitionDir('kafka', 'orders', p)).toBe('/topics/kafka/orders/v2026-12-05-14-37-44/0000-0840');
    expect(segmentName(Date.UTC(2026, 11, 5, 14, 37, 49, 500))).toBe('2026-12-05-14-37-49');
  });

  it('takes the flushed end from offset_max and returns segments without offsets to be read', () => {
    const first = entry('2026-12-05-14-37-44');
    const { flushedThrough, unlabelled } = flushedFromEntries([
      first,
      entry('2026-12-05-14-37-46', { offset_min: 50n, offset_max: 99n }),
      entry('2026-12-05-14-37-47', { offset_min: 100n, offset_max: 149n }),
      entry('checkpoint.offset'),
    ]);
    expect(flushedThrough).toBe(149n);
    expect(unlabelled).toEqual([first]);
  });

  it('reads the first and last offsets of a segment, offset 0 included', () => {
    expect(segmentOffsets(segment([0, 1, 2, 3]))).toEqual({ first: 0n, last: 3n });
    expect(segmentOffsets(Buffer.alloc(0))).toBeUndefined();
    expect(() => segmentOffsets(segment([0, 1]).subarray(0, 9))).toThrow();
  });

  it('reads and writes checkpoint.offset as 8 big-endian bytes', () => {
    const cp = { ...entry('checkpoint.offset'), content: checkpointContent(2569n) };
    cp.attributes = { file_size: '8', mtime: '1796481470', file_mode: 0o644, crtime: '0', mime: '' };
    expect(readCheckpoint(cp)).toEqual({ offset: 2569n, mtimeSec: 1796481470 });
    expect(readCheckpoint(entry('2026-12-05-14-37-44'))).toBeUndefined();
  });
});

/**
 * What the filer shows about a SeaweedMQ partition's persistence (read from SeaweedFS's broker
 * sources and checked against a running broker, docs/seaweedmq.md "Durability"):
 *
 *   /topics/<ns>/<topic>/v<generation>/<start>-<stop>/<yyyy-mm-dd-hh-mm-ss>   log segments, one per
 *       flushed window of the broker's log buffer, named by the window's first timestamp (UTC second);
 *       windows flush in order. A segment's extended attributes `offset_min`/`offset_max` (8 bytes,
 *       big-endian) give its offsets, except for a window starting at offset 0, which gets none.
 *   .../checkpoint.offset   the last offset the broker's offset counter handed out, 8 bytes big-endian,
 *       written every 2 s; a restarted broker continues from it (and from nothing else).
 *
 * Pure functions over filer entries and segment bytes, so they are tested without a cluster.
 */
import { PbReader, WireType } from './pb-wire.js';
import type { PbEntry, PbPartition } from './proto.js';

export const CHECKPOINT_FILE = 'checkpoint.offset';
const OFFSET_MIN = 'offset_min';
const OFFSET_MAX = 'offset_max';

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** SeaweedMQ's `v2006-01-02-15-04-05` folder of a partition generation (its unix_time_ns, UTC). */
export function generationDir(unixTimeNs: string): string {
  const d = new Date(Number(BigInt(unixTimeNs) / 1_000_000n));
  return (
    `v${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}-` +
    `${pad2(d.getUTCHours())}-${pad2(d.getUTCMinutes())}-${pad2(d.getUTCSeconds())}`
  );
}

export function partitionDir(namespace: string, topic: string, p: PbPartition): string {
  const range = `${String(p.range_start).padStart(4, '0')}-${String(p.range_stop).padStart(4, '0')}`;
  return `/topics/${namespace}/${topic}/${generationDir(p.unix_time_ns)}/${range}`;
}

/** A segment file's name for a time (UTC second), for listing segments from a moment on. */
export function segmentName(ms: number): string {
  const d = new Date(ms);
  return (
    `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}-` +
    `${pad2(d.getUTCHours())}-${pad2(d.getUTCMinutes())}-${pad2(d.getUTCSeconds())}`
  );
}

const SEGMENT = /^\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}$/;

export function isSegment(e: PbEntry): boolean {
  return !e.is_directory && SEGMENT.test(e.name);
}

function int64Attr(e: PbEntry, name: string): bigint | undefined {
  const b = e.extended?.[name];
  return b !== undefined && b.length === 8 ? b.readBigInt64BE(0) : undefined;
}

export function segmentOffsetMax(e: PbEntry): bigint | undefined {
  return int64Attr(e, OFFSET_MAX);
}

export function segmentOffsetMin(e: PbEntry): bigint | undefined {
  return int64Attr(e, OFFSET_MIN);
}

export interface Checkpoint {
  /** The last offset the broker's counter handed out (-1: nothing yet). */
  readonly offset: bigint;
  /** When it was written (seconds since the epoch), to list only segments flushed around or after it. */
  readonly mtimeSec: number;
}

export function readCheckpoint(e: PbEntry): Checkpoint | undefined {
  if (e.is_directory || e.name !== CHECKPOINT_FILE || e.content.length !== 8) return undefined;
  return { offset: e.content.readBigInt64BE(0), mtimeSec: Number(e.attributes?.mtime ?? 0) };
}

export function checkpointContent(offset: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(offset);
  return b;
}

/**
 * The largest offset a list of segments proves flushed: the largest `offset_max`. Segments without
 * offsets (a window that started at offset 0) are returned so the caller can read them when nothing
 * else covers them.
 */
export function flushedFromEntries(entries: readonly PbEntry[]): {
  flushedThrough: bigint;
  unlabelled: PbEntry[];
} {
  let flushedThrough = -1n;
  const unlabelled: PbEntry[] = [];
  for (const e of entries) {
    if (!isSegment(e)) continue;
    const max = segmentOffsetMax(e);
    if (max === undefined) unlabelled.push(e);
    else if (max > flushedThrough) flushedThrough = max;
  }
  return { flushedThrough, unlabelled };
}

/**
 * The first and last offsets stored in a segment's bytes: a sequence of [uint32 big-endian size]
 * [LogEntry], LogEntry being filer_pb {ts_ns = 1, partition_key_hash = 2, data = 3, key = 4,
 * offset = 5}. undefined for an empty segment; throws on bytes that are not such a sequence.
 */
export function segmentOffsets(bytes: Buffer): { first: bigint; last: bigint } | undefined {
  let first: bigint | undefined;
  let last = -1n;
  let pos = 0;
  while (pos + 4 <= bytes.length) {
    const size = bytes.readUInt32BE(pos);
    const end = pos + 4 + size;
    if (end > bytes.length) throw new Error(`segment entry at ${pos} runs past the end`);
    const r = new PbReader(bytes, pos + 4, end);
    let offset = 0n;
    while (!r.done) {
      const { field, type } = r.tag();
      if (field === 5 && type === WireType.Varint) offset = BigInt.asIntN(64, r.varint());
      else r.skip(type);
    }
    first ??= offset;
    if (offset > last) last = offset;
    pos = end;
  }
  if (pos !== bytes.length) throw new Error('segment ends inside an entry header');
  return first === undefined ? undefined : { first, last };
}

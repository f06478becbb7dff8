/**
 * Compaction of a log-store partition with the shared cleaner (src/compaction/). Segments before the
 * active one (and before any younger than min.compaction.lag.ms) are cleaned in groups of at most
 * segment.bytes, each group into one new segment named by its first base offset, so offsets never
 * change. A group is swapped in as Kafka does it: written as <base>.cleaned and fsynced, renamed to
 * <base>.swap (from then on recovery completes the swap), the old files removed, renamed to .log.
 */
import path from 'node:path';
import { cleanBatch, type FilterContext, type FilterStats } from '../../compaction/filter.js';
import { MapBuilder } from '../../compaction/map-builder.js';
import { KeyOffsetMap } from '../../compaction/offset-map.js';
import { dirtyRatio, needsCleaning } from '../../compaction/plan.js';
import { RecordBatch } from '../../protocol/records/batch.js';
import type { CompactionResult, CompactionSettings } from '../storage.js';
import { BatchCursor } from './batch-cursor.js';
import { baseName, CLEANED_SUFFIX, segmentFile, SWAP_SUFFIX } from './names.js';
import { segmentIndexFor } from './partition-core.js';
import type { LogPartition } from './partition.js';
import { removeSegmentFiles } from './recovery.js';
import { Segment } from './segment.js';

const WRITE_CHUNK = 4 * 1024 * 1024;

export async function compactPartition(
  p: LogPartition,
  settings: CompactionSettings,
  nowMs: bigint,
  checkpoint: bigint | undefined,
  persistCheckpoint: (offset: bigint) => Promise<void>,
): Promise<CompactionResult> {
  return p.exclusive(async () => {
    const segs = p.segments;
    // The active segment, and every segment from the first too young or past the bound, stay.
    let end = 0;
    while (
      end < segs.length - 1 &&
      nowMs - segs[end]!.maxTimestamp >= settings.minCompactionLagMs &&
      (settings.maxOffset === undefined || segs[end]!.nextOffset <= settings.maxOffset)
    ) {
      end++;
    }
    const upTo = segs[end]!.baseOffset;
    const firstDirty = maxOf(checkpoint ?? 0n, p.logStartOffset);
    const dirty = firstDirty >= upTo ? end : segmentIndexFor(segs, firstDirty);
    const size = (from: number, to: number): number => segs.slice(from, to).reduce((n, s) => n + s.size, 0);
    const state = {
      cleanBytes: size(0, dirty),
      dirtyBytes: size(dirty, end),
      firstDirtyTimestamp: dirty < end ? segs[dirty]!.rollTimestamp : undefined,
    };
    const bytesBefore = state.cleanBytes + state.dirtyBytes;
    const result = { dirtyRatio: dirtyRatio(state), bytesBefore, recordsRead: 0, recordsKept: 0 };
    if (!needsCleaning(state, settings, nowMs)) {
      return { ...result, cleaned: false, firstDirtyOffset: firstDirty, bytesAfter: bytesBefore };
    }
    const map = new KeyOffsetMap();
    const builder = new MapBuilder(map, firstDirty);
    const lastBatchOfProducer = new Map<bigint, bigint>();
    let mapping = true;
    await eachBatch(segs.slice(0, end), (b) => {
      const batch = new RecordBatch(b);
      if (batch.producerId >= 0n) lastBatchOfProducer.set(batch.producerId, batch.baseOffset);
      if (mapping && batch.lastOffset >= firstDirty) mapping = builder.add(b);
    });
    const ctx: FilterContext = {
      map,
      nowMs,
      deleteRetentionMs: settings.deleteRetentionMs,
      lastBatchOfProducer,
      end: upTo,
    };
    const stats: FilterStats = { recordsRead: 0, recordsKept: 0 };
    let bytesAfter = 0;
    for (const group of groupBySize(segs.slice(0, end), p.settings().segmentBytes)) {
      const cleaned = await writeCleaned(p, group, ctx, stats);
      await swapIn(p, group, cleaned);
      bytesAfter += cleaned.size;
    }
    const next = map.latestOffset >= firstDirty ? map.latestOffset + 1n : firstDirty;
    if (next !== checkpoint) await persistCheckpoint(next);
    p.metrics.event('compaction');
    p.log.info(
      { partition: p.name, ...stats, bytesBefore, bytesAfter, firstDirtyOffset: next.toString() },
      'compacted',
    );
    return { ...result, ...stats, cleaned: true, firstDirtyOffset: next, bytesAfter };
  });
}

/** Consecutive segments whose sizes add up to at most `maxBytes` (a single larger one alone). */
function groupBySize(segments: readonly Segment[], maxBytes: number): Segment[][] {
  const groups: Segment[][] = [];
  let bytes = 0;
  for (const s of segments) {
    const last = groups[groups.length - 1];
    if (last !== undefined && bytes + s.size <= maxBytes) {
      last.push(s);
      bytes += s.size;
    } else {
      groups.push([s]);
      bytes = s.size;
    }
  }
  return groups;
}

async function eachBatch(segments: readonly Segment[], visit: (batch: Buffer) => void): Promise<void> {
  for (const s of segments) {
    const cursor = new BatchCursor(s.file, 0, s.size, WRITE_CHUNK);
    for (let b = await cursor.next(); b !== undefined; b = await cursor.next()) visit(b);
    if (cursor.problem !== undefined) throw new Error(`segment ${s.baseOffset} is corrupt ${cursor.problem}`);
  }
}

/** Writes the cleaned batches of a group into <base>.cleaned and makes them durable. */
async function writeCleaned(
  p: LogPartition,
  group: Segment[],
  ctx: FilterContext,
  stats: FilterStats,
): Promise<Segment> {
  const base = group[0]!.baseOffset;
  const file = path.join(p.dir, `${baseName(base)}${CLEANED_SUFFIX}`);
  await p.fs.remove(file);
  const out = new Segment(base, await p.fs.create(file), p.dir, p.settings().indexIntervalBytes);
  let pending: Buffer[] = [];
  let written = 0;
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    await out.file.writev(pending, written);
    written = out.size;
    pending = [];
  };
  for (const s of group) {
    const cursor = new BatchCursor(s.file, 0, s.size, WRITE_CHUNK);
    for (let b = await cursor.next(); b !== undefined; b = await cursor.next()) {
      const kept = cleanBatch(b, ctx, stats);
      if (kept === undefined) continue;
      out.addBatch(kept, out.size);
      pending.push(kept);
      if (out.size - written >= WRITE_CHUNK) await flush();
    }
    if (cursor.problem !== undefined) throw new Error(`segment ${s.baseOffset} is corrupt ${cursor.problem}`);
  }
  await flush();
  await out.file.datasync();
  out.flushedSize = out.size;
  return out;
}

/** Puts the cleaned segment in place of the group, on disk and in the partition. */
async function swapIn(p: LogPartition, group: Segment[], cleaned: Segment): Promise<void> {
  const base = cleaned.baseOffset;
  const swap = path.join(p.dir, `${baseName(base)}${SWAP_SUFFIX}`);
  await p.fs.rename(path.join(p.dir, `${baseName(base)}${CLEANED_SUFFIX}`), swap);
  await p.fs.syncDir(p.dir);
  const at = p.segments.indexOf(group[0]!);
  p.segments = [...p.segments.slice(0, at), cleaned, ...p.segments.slice(at + group.length)];
  p.reader.forgetPositions();
  for (const s of group) {
    s.retire();
    await removeSegmentFiles(p.fs, p.dir, s.baseOffset);
  }
  await p.fs.rename(swap, path.join(p.dir, segmentFile(base)));
  await p.fs.syncDir(p.dir);
  cleaned.dirSynced = true;
  await cleaned.writeIndexes(p.fs);
}

function maxOf(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

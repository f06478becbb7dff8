/**
 * Opening a partition directory, as Kafka's LogLoader does. Leftovers of an interrupted compaction
 * are settled first (a .cleaned file is dropped, a .swap file replaces the segments it covers).
 * Segments wholly below the recovery point were fsynced with their indexes and are trusted: their
 * index files are loaded (rebuilt from batch headers if missing or implausible). Every segment from
 * the one holding the recovery point on is scanned batch by batch with CRC checks; the first batch
 * that is torn or corrupt ends the log there: the file is truncated, later segments are deleted and
 * both are logged with counts.
 */
import path from 'node:path';
import type { Logger } from 'pino';
import { RecordBatch } from '../../protocol/records/batch.js';
import { OFF_MAX_TIMESTAMP } from '../../protocol/records/layout.js';
import { BatchCursor, nextOffsetOf } from './batch-cursor.js';
import type { LogFs } from './fs.js';
import { OffsetIndex, TimeIndex } from './indexes.js';
import {
  CLEANED_SUFFIX,
  INDEX_SUFFIX,
  LOG_SUFFIX,
  parseBase,
  segmentFile,
  SWAP_SUFFIX,
  TIME_INDEX_SUFFIX,
} from './names.js';
import { Segment } from './segment.js';

export interface LoadOptions {
  readonly fs: LogFs;
  readonly dir: string;
  readonly log: Logger;
  readonly name: string;
  readonly indexIntervalBytes: number;
  /** Undefined after a clean shutdown: nothing needs scanning. */
  readonly recoveryPoint: bigint | undefined;
  /** Where a partition without segments starts (its stored log start offset). */
  readonly emptyBase: bigint;
  /** Open the last (active) segment with O_DSYNC (the fsync-every-append policy). */
  readonly dsync: boolean;
}

export interface LoadedLog {
  readonly segments: Segment[];
  /** Batches read with their CRC checked (after the recovery point), and what a torn tail cost. */
  readonly scannedBatches: number;
  /** Batches read only to rebuild a missing or implausible index of a trusted segment. */
  readonly rebuiltBatches: number;
  readonly truncatedBytes: number;
  readonly deletedSegments: number;
}

export async function loadPartition(o: LoadOptions): Promise<LoadedLog> {
  const { fs, dir } = o;
  await fs.mkdirp(dir);
  await settleLeftovers(o);
  const files = await fs.list(dir);
  const bases = files
    .map((f) => parseBase(f, LOG_SUFFIX))
    .filter((b): b is bigint => b !== undefined)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const segments: Segment[] = [];
  let scannedBatches = 0;
  let rebuiltBatches = 0;
  let truncatedBytes = 0;
  let deletedSegments = 0;
  for (let i = 0; i < bases.length; i++) {
    const base = bases[i]!;
    const last = i === bases.length - 1;
    const dsync = last && o.dsync;
    const file = await fs.open(path.join(dir, segmentFile(base)), { dsync });
    const segment = new Segment(base, file, dir, o.indexIntervalBytes, dsync);
    const fileSize = await file.size();
    const nextBase = bases[i + 1];
    const trusted = o.recoveryPoint === undefined || (nextBase !== undefined && nextBase <= o.recoveryPoint);
    if (trusted && (await loadTrusted(o, segment, fileSize))) {
      segments.push(segment);
      continue;
    }
    const scan = await rebuild(segment, fileSize, !trusted);
    if (trusted) rebuiltBatches += scan.batches;
    else scannedBatches += scan.batches;
    segments.push(segment);
    if (scan.problem === undefined) continue;
    // The log ends at the first bad batch: keep what precedes it, drop everything after.
    truncatedBytes += fileSize - segment.size;
    await file.truncate(segment.size);
    await file.datasync();
    for (const later of bases.slice(i + 1)) {
      const laterFile = await fs.open(path.join(dir, segmentFile(later)));
      truncatedBytes += await laterFile.size();
      await laterFile.close();
      await removeSegmentFiles(fs, dir, later);
      deletedSegments++;
    }
    o.log.warn(
      { partition: o.name, segment: base.toString(), problem: scan.problem, truncatedBytes, deletedSegments },
      'recovery truncated a torn or corrupt log tail',
    );
    break;
  }
  if (segments.length === 0) {
    const file = await fs.create(path.join(dir, segmentFile(o.emptyBase)), { dsync: o.dsync });
    segments.push(new Segment(o.emptyBase, file, dir, o.indexIntervalBytes, o.dsync));
  }
  for (const s of segments) {
    // Scanned data may still be in the page cache only; it is served from now on, so make it durable.
    if (s.flushedSize < s.size) await s.file.datasync();
    s.flushedSize = s.size;
    s.dirSynced = true;
  }
  await fs.syncDir(dir);
  return { segments, scannedBatches, rebuiltBatches, truncatedBytes, deletedSegments };
}

/** Removes an interrupted cleaner's output, or completes a swap it had committed to. */
async function settleLeftovers(o: LoadOptions): Promise<void> {
  const { fs, dir } = o;
  const files = await fs.list(dir);
  for (const f of files) {
    if (f.endsWith(CLEANED_SUFFIX) || f.endsWith('.tmp')) await fs.remove(path.join(dir, f));
  }
  const bases = files.map((f) => parseBase(f, LOG_SUFFIX)).filter((b): b is bigint => b !== undefined);
  for (const f of files) {
    const swapBase = parseBase(f, SWAP_SUFFIX);
    if (swapBase === undefined) continue;
    const swapPath = path.join(dir, f);
    const swap = await fs.open(swapPath);
    let next = swapBase;
    try {
      const cursor = new BatchCursor(swap, 0, await swap.size());
      for (let b = await cursor.next(); b !== undefined; b = await cursor.next()) next = nextOffsetOf(b);
    } finally {
      await swap.close();
    }
    for (const base of bases) {
      if (base >= swapBase && base < next) await removeSegmentFiles(fs, dir, base);
    }
    await fs.rename(swapPath, path.join(dir, segmentFile(swapBase)));
    o.log.info(
      { partition: o.name, segment: swapBase.toString() },
      'completed an interrupted compaction swap',
    );
  }
  for (const f of files) {
    for (const suffix of [INDEX_SUFFIX, TIME_INDEX_SUFFIX]) {
      const base = parseBase(f, suffix);
      if (base !== undefined && !files.includes(segmentFile(base))) await fs.remove(path.join(dir, f));
    }
  }
  await fs.syncDir(dir);
}

export async function removeSegmentFiles(fs: LogFs, dir: string, base: bigint): Promise<void> {
  const stem = segmentFile(base).slice(0, -LOG_SUFFIX.length);
  await fs.remove(path.join(dir, `${stem}${LOG_SUFFIX}`));
  await fs.remove(path.join(dir, `${stem}${INDEX_SUFFIX}`));
  await fs.remove(path.join(dir, `${stem}${TIME_INDEX_SUFFIX}`));
}

/**
 * Loads a trusted segment from its index files and a short walk of the batches after the last
 * index entry; false when an index file is missing or implausible (the caller rebuilds instead).
 */
async function loadTrusted(o: LoadOptions, segment: Segment, fileSize: number): Promise<boolean> {
  if (fileSize === 0) return true;
  const rawIndex = await o.fs.readFile(segment.indexPath());
  const rawTime = await o.fs.readFile(segment.timeIndexPath());
  const offsetIndex = rawIndex && OffsetIndex.parse(rawIndex, fileSize);
  const timeIndex = rawTime && TimeIndex.parse(rawTime);
  if (!offsetIndex || !timeIndex) return false;
  const last = offsetIndex.length - 1;
  const tailStart = last < 0 ? 0 : offsetIndex.position(last);
  const cursor = new BatchCursor(segment.file, tailStart, fileSize);
  const tail: { batch: Buffer; position: number }[] = [];
  let position = tailStart;
  for (let b = await cursor.next(); b !== undefined; b = await cursor.next()) {
    tail.push({ batch: b, position });
    position = cursor.position;
  }
  if (cursor.problem !== undefined || tail.length === 0) return false;
  const first = await segment.readAt(0, 61);
  segment.restore(offsetIndex, timeIndex, first.readBigInt64BE(OFF_MAX_TIMESTAMP));
  for (const t of tail) segment.addBatch(t.batch, t.position);
  segment.indexStale = false;
  return true;
}

/** Rebuilds the segment's indexes and facts from its batches; with `verify`, checks every CRC. */
async function rebuild(
  segment: Segment,
  fileSize: number,
  verify: boolean,
): Promise<{ batches: number; problem: string | undefined }> {
  const cursor = new BatchCursor(segment.file, 0, fileSize, 4 * 1024 * 1024);
  let batches = 0;
  let position = 0;
  let expected: bigint | undefined;
  for (let b = await cursor.next(); b !== undefined; b = await cursor.next()) {
    const batch = new RecordBatch(b);
    if (verify && !batch.verifyCrc()) return { batches, problem: `at byte ${position}: CRC mismatch` };
    if (batch.baseOffset < segment.baseOffset || (expected !== undefined && batch.baseOffset < expected)) {
      return { batches, problem: `at byte ${position}: offset ${batch.baseOffset} goes backwards` };
    }
    segment.addBatch(b, position);
    expected = segment.nextOffset;
    position = cursor.position;
    batches++;
  }
  return { batches, problem: cursor.problem };
}

/** What a partition's appender, reader and maintenance code share. */
import type { Logger } from 'pino';
import type { StoreMetrics } from '../../metrics/metrics.js';
import { ErrorCode, KafkaError } from '../../protocol/error-codes.js';
import type { LogFs } from './fs.js';
import type { Segment } from './segment.js';
import type { PartitionSettings } from './settings.js';

export interface PartitionCore {
  /** "topic-partition", for logs and errors. */
  readonly name: string;
  readonly dir: string;
  readonly fs: LogFs;
  readonly log: Logger;
  /** Oldest first; the last one is active (appended to). Never empty. */
  segments: Segment[];
  logStartOffset: bigint;
  /** Offset after the last batch readers may see. */
  highWatermark: bigint;
  /** Set once an I/O failure left the partition in a state this process cannot trust. */
  failure: Error | undefined;
  settings(): PartitionSettings;
  /** Where writes, fsyncs and rolls are reported (a no-op without metrics). */
  readonly metrics: StoreMetrics;
  /** Called when records became visible or went away, to wake long-polling readers. */
  changed(): void;
}

export function activeSegment(p: PartitionCore): Segment {
  return p.segments[p.segments.length - 1]!;
}

/** Index of the segment holding `offset` (the last one whose base is <= offset), or 0. */
export function segmentIndexFor(segs: readonly Segment[], offset: bigint): number {
  let lo = 0;
  let hi = segs.length - 1;
  let found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (segs[mid]!.baseOffset <= offset) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

export function storageError(p: PartitionCore, what: string, err: unknown): KafkaError {
  const why = err instanceof Error ? err.message : String(err);
  return new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `${what} on ${p.name} failed: ${why}`);
}

/** Throws KAFKA_STORAGE_ERROR when the partition was failed by an earlier I/O error. */
export function checkUsable(p: PartitionCore): void {
  if (p.failure !== undefined) {
    throw new KafkaError(
      ErrorCode.KAFKA_STORAGE_ERROR,
      `${p.name} is offline after an I/O failure (${p.failure.message}); restart the gateway to recover it`,
    );
  }
}

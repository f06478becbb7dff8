import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { PartitionLog } from '../../../src/storage/memory/partition-log.js';
import { batchAt } from '../helpers.js';

/** Batches of two records each: offsets 2i, 2i+1 with max timestamp 1000*(i+1). */
function logOf(batches: number): { log: PartitionLog; sizes: number[] } {
  const log = new PartitionLog();
  const sizes: number[] = [];
  for (let i = 0; i < batches; i++) {
    const ts = BigInt(1000 * (i + 1));
    const batch = batchAt(ts - 1n, ts);
    sizes.push(batch.length);
    log.append(batch);
  }
  return { log, sizes };
}

describe('PartitionLog.enforceRetention', () => {
  it('drops whole batches older than retention.ms', () => {
    const { log, sizes } = logOf(5);
    // now 4500, retention 2000: batches with max timestamp < 2500 (1000 and 2000) go.
    expect(log.enforceRetention(4_500n, 2_000n, -1)).toEqual({ batchesDropped: 2, logStartOffset: 4n });
    expect(log.batchCount).toBe(3);
    expect(log.sizeBytes).toBe(sizes[2]! + sizes[3]! + sizes[4]!);
    expect(() => log.read(3n, 1 << 20)).toThrow(
      expect.objectContaining({ code: ErrorCode.OFFSET_OUT_OF_RANGE }),
    );
    expect(log.read(4n, 1 << 20)).toHaveLength(3);
    expect(log.enforceRetention(4_500n, 2_000n, -1).batchesDropped).toBe(0);
  });

  it('keeps at least retention.bytes, dropping only whole batches', () => {
    const { log, sizes } = logOf(4);
    const lastTwo = sizes[2]! + sizes[3]!;
    expect(log.enforceRetention(0n, -1n, lastTwo + 1)).toEqual({ batchesDropped: 1, logStartOffset: 2n });
    expect(log.enforceRetention(0n, -1n, lastTwo)).toEqual({ batchesDropped: 1, logStartOffset: 4n });
    expect(log.sizeBytes).toBe(lastTwo);
    expect(log.enforceRetention(0n, -1n, 0)).toEqual({ batchesDropped: 2, logStartOffset: 8n });
    expect(log.read(8n, 100)).toEqual([]);
    expect(log.highWatermark).toBe(8n);
  });

  it('applies both limits and does nothing when both are unlimited', () => {
    const { log, sizes } = logOf(4);
    expect(log.enforceRetention(10n ** 12n, -1n, -1)).toEqual({ batchesDropped: 0, logStartOffset: 0n });
    // time removes batch 0, bytes then removes batch 1 as well.
    expect(log.enforceRetention(2_500n, 1_000n, sizes[2]! + sizes[3]!).batchesDropped).toBe(2);
    expect(log.logStartOffset).toBe(4n);
  });

  it('never moves a log start set inside a kept batch backwards', () => {
    const { log } = logOf(3);
    log.deleteRecordsBefore(3n); // inside batch 1 (offsets 2-3)
    expect(log.enforceRetention(1_500n, 0n, -1)).toEqual({ batchesDropped: 0, logStartOffset: 3n });
    expect(log.enforceRetention(2_001n, 0n, -1)).toEqual({ batchesDropped: 1, logStartOffset: 4n });
  });

  it('stops at the first batch too young, as Kafka stops at the first segment', () => {
    const log = new PartitionLog();
    log.append(batchAt(100n));
    log.append(batchAt(9_000n));
    log.append(batchAt(200n));
    expect(log.enforceRetention(10_000n, 5_000n, -1)).toEqual({ batchesDropped: 1, logStartOffset: 1n });
  });
});

describe('PartitionLog with many batches', () => {
  it('reads, looks up and deletes correctly across index compactions', () => {
    const { log } = logOf(3000);
    for (let start = 0n; start < 5000n; start += 777n) {
      log.deleteRecordsBefore(start);
      expect(log.read(start, 0)[0]?.readBigInt64BE(0)).toBe(start - (start % 2n));
      expect(log.offsetForTimestamp(0n)?.offset).toBe(start);
      expect(log.maxTimestamp()).toEqual({ offset: 5999n, timestamp: 3_000_000n });
    }
    expect(log.offsetForTimestamp(2_999_999n)).toEqual({ offset: 5998n, timestamp: 2_999_999n });
    expect(log.offsetForTimestamp(3_000_000n)).toEqual({ offset: 5999n, timestamp: 3_000_000n });
    expect(log.offsetForTimestamp(3_000_001n)).toBeUndefined();
  });
});

/** Retention on the log store: whole segments go, by age and by size, through the retention enforcer. */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../src/config.js';
import { ConfigRegistry } from '../../../src/configs/registry.js';
import { silentLogger } from '../../../src/log.js';
import { RetentionEnforcer } from '../../../src/retention/enforcer.js';
import { batchAt } from '../helpers.js';
import { allValues, kill, openStore } from './support/store.js';
import { tempDirs } from './temp-dir.js';

const newDir = tempDirs('log-retention');
const MINUTE = 60_000n;

describe('log store retention', () => {
  it('deletes whole segments whose newest record is older than retention.ms', async () => {
    const dir = newDir();
    // Every batch gets its own segment once the active one holds one: segment.ms of 1 minute of timestamps.
    const open = await openStore(dir);
    const { id } = await open.store.createTopic({
      name: 't',
      partitions: 1,
      configs: { 'segment.ms': String(MINUTE), 'retention.ms': String(10n * MINUTE) },
    });
    for (const m of [50n, 80n, 91n, 95n]) await open.store.append('t', 0, batchAt(m * MINUTE, m * MINUTE));
    const log = open.store.partitionLog('t', 0);
    expect(log.segments.map((s) => s.baseOffset)).toEqual([0n, 2n, 4n, 6n]);
    const enforcer = new RetentionEnforcer(open.store, new ConfigRegistry(DEFAULT_CONFIG), silentLogger, {
      intervalMs: 3_600_000,
      now: () => Number(100n * MINUTE),
    });
    const report = await enforcer.runNow();
    expect(report.moved).toEqual([{ topic: 't', partition: 0, logStartOffset: 4n }]);
    expect(log.segments.map((s) => s.baseOffset)).toEqual([4n, 6n]);
    expect(existsSync(`${dir}/logs/${id}/0/00000000000000000000.log`)).toBe(false);
    expect(await open.store.offsets('t', 0)).toEqual({ logStartOffset: 4n, highWatermark: 8n });
    await open.store.read('t', 0, 3n, 1000).then(
      () => expect.unreachable(),
      (err: { code: number }) => expect(err.code).toBe(1),
    );
    // Everything expired: the active segment is rolled and goes too; offsets go on.
    expect(await open.store.enforceRetention('t', 0, 200n * MINUTE, 10n * MINUTE, -1n)).toBe(8n);
    expect(await open.store.offsets('t', 0)).toEqual({ logStartOffset: 8n, highWatermark: 8n });
    expect((await open.store.append('t', 0, batchAt(200n * MINUTE))).baseOffset).toBe(8n);
    await open.store.close();
  });

  it('deletes the oldest segments while the log stays at or above retention.bytes without them', async () => {
    const dir = newDir();
    const open = await openStore(dir, { segmentBytes: 250 });
    await open.store.createTopic({ name: 't', partitions: 1, configs: {} });
    for (let i = 0; i < 12; i++) await open.store.append('t', 0, batchAt(BigInt(i)));
    const log = open.store.partitionLog('t', 0);
    const sizes = log.segments.map((s) => s.size);
    expect(sizes.length).toBeGreaterThan(3);
    const keep = sizes.slice(-2).reduce((a, b) => a + b, 0);
    const start = await open.store.enforceRetention('t', 0, 0n, -1n, BigInt(keep));
    expect(log.segments.length).toBe(2);
    expect(log.sizeBytes).toBe(keep);
    expect(start).toBe(log.segments[0]!.baseOffset);
    kill(open);
    // The deletion holds after a crash: the log starts where retention left it.
    const again = await openStore(dir, { segmentBytes: 250 });
    expect((await again.store.offsets('t', 0)).logStartOffset).toBe(start);
    expect((await allValues(again.store, 't')).length).toBe(12 - Number(start));
    await again.store.close();
  });

  it('keeps the log start of DeleteRecords through a crash', async () => {
    const dir = newDir();
    const open = await openStore(dir, { segmentBytes: 250 });
    await open.store.createTopic({ name: 't', partitions: 1, configs: {} });
    for (let i = 0; i < 12; i++) await open.store.append('t', 0, batchAt(BigInt(i)));
    expect(await open.store.deleteRecordsBefore('t', 0, 7n)).toBe(7n);
    expect(open.store.partitionLog('t', 0).segments[0]!.baseOffset).toBeLessThanOrEqual(7n);
    kill(open);
    const again = await openStore(dir, { segmentBytes: 250 });
    expect(await again.store.offsets('t', 0)).toEqual({ logStartOffset: 7n, highWatermark: 12n });
    expect(await allValues(again.store, 't')).toEqual(['v-t7-0', 'v-t8-0', 'v-t9-0', 'v-t10-0', 'v-t11-0']);
    await again.store.close();
  });
});

/** What the log store tells operators: its directory with partition sizes, and metrics of its calls. */
import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.js';
import { LogStorage } from '../../../src/storage/log/log-storage.js';
import { batchOf } from '../helpers.js';
import { segmentFiles } from './support/store.js';
import { tempDirs } from './temp-dir.js';

const newDir = tempDirs('log-operations');

describe('log store operations', () => {
  it('describes its data directory, volume and every partition with its size and segments', async () => {
    const dataDir = newDir();
    const store = new LogStorage({ dataDir, logger: silentLogger, defaults: { segmentBytes: 300 } });
    const calls: string[] = [];
    const events: string[] = [];
    store.attachMetrics({
      call: (op, _s, failed) => calls.push(`${op}:${failed}`),
      event: (e) => events.push(e),
    });
    await store.start();
    const { id } = await store.createTopic({ name: 't', partitions: 2, configs: {} });
    for (let i = 0; i < 6; i++) await store.append('t', 0, batchOf(2, `b${i}`));
    const [dir] = await store.describeLogDirs();
    expect(dir!.path).toBe(store.dataDir);
    expect(dir!.totalBytes).toBeGreaterThan(0n);
    expect(dir!.usableBytes).toBeGreaterThan(0n);
    expect(dir!.usableBytes).toBeLessThanOrEqual(dir!.totalBytes!);
    const files = segmentFiles(dataDir, id, 0);
    const onDisk = files.reduce((n, f) => n + statSync(f).size, 0);
    expect(dir!.partitions).toEqual([
      { topic: 't', partition: 0, sizeBytes: BigInt(onDisk), segments: files.length },
      { topic: 't', partition: 1, sizeBytes: 0n, segments: 1 },
    ]);
    expect(files.length).toBeGreaterThan(1);
    expect(calls).toContain('write:false');
    expect(events.filter((e) => e === 'segment_roll').length).toBe(files.length - 1);
    await store.close();
  });
});

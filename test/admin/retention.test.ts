import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config.js';
import { ConfigRegistry } from '../../src/configs/registry.js';
import { silentLogger } from '../../src/log.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import type { ListOffsetsResponse } from '../../src/protocol/generated/index.js';
import { RetentionEnforcer } from '../../src/retention/enforcer.js';
import { MemoryStorage } from '../../src/storage/memory/memory-storage.js';
import type { Storage } from '../../src/storage/storage.js';
import type { Harness } from './support.js';
import { batch, createHarness, fetchFrom, produce } from './support.js';

const MINUTE = 60_000;

/** Appends one batch of `count` records per timestamp (ms), at offsets in order. */
async function seed(h: Harness, topic: string, timestamps: number[], count = 2): Promise<void> {
  for (const ts of timestamps) {
    const res = await produce(h, topic, batch(count, { baseTimestamp: BigInt(ts) }));
    expect(res.errorCode).toBe(ErrorCode.NONE);
  }
}

function enforcer(storage: Storage, now: () => number, intervalMs = 60 * MINUTE): RetentionEnforcer {
  return new RetentionEnforcer(storage, new ConfigRegistry(DEFAULT_CONFIG), silentLogger, {
    intervalMs,
    now,
  });
}

async function earliest(h: Harness, topic: string): Promise<bigint> {
  const res = await h.call<ListOffsetsResponse>(2, 7, {
    replicaId: -1,
    isolationLevel: 0,
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -2n }] }],
  });
  return res.topics[0]!.partitions[0]!.offset!;
}

/** A store with only the Storage methods every backend has (no enforceRetention capability). */
function withoutCapability(inner: MemoryStorage): Storage {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'enforceRetention') return undefined;
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  }) as Storage;
}

describe('retention', () => {
  it('drops batches older than retention.ms from the start and moves the log start offset', async () => {
    const h = createHarness();
    const now = 100 * MINUTE;
    await h.createTopic('t', 1, { 'retention.ms': String(10 * MINUTE) });
    // Batches (2 records each) at minutes 50, 80, 91, 95: the first two are more than 10 minutes old.
    await seed(
      h,
      't',
      [50, 80, 91, 95].map((m) => m * MINUTE),
    );
    const report = await enforcer(h.storage, () => now).runNow();
    expect(report.moved).toEqual([{ topic: 't', partition: 0, logStartOffset: 4n }]);
    expect(await h.storage.offsets('t', 0)).toEqual({ logStartOffset: 4n, highWatermark: 8n });
    expect(await earliest(h, 't')).toBe(4n);
    // A consumer still at offset 1 is out of range and must reset per its policy.
    const stale = await fetchFrom(h, 't', 1n);
    expect(stale).toMatchObject({ errorCode: ErrorCode.OFFSET_OUT_OF_RANGE });
    expect((await fetchFrom(h, 't', 4n)).errorCode).toBe(ErrorCode.NONE);
  });

  it('applies the broker default of 7 days to topics without retention.ms', async () => {
    const h = createHarness();
    await h.createTopic('t');
    const now = Date.UTC(2025, 0, 31);
    await seed(h, 't', [Date.UTC(2025, 0, 1), Date.UTC(2025, 0, 30)]);
    await enforcer(h.storage, () => now).runNow();
    expect((await h.storage.offsets('t', 0)).logStartOffset).toBe(2n);
  });

  it('keeps at least retention.bytes, dropping whole batches from the start', async () => {
    const h = createHarness();
    await h.createTopic('t', 1, { 'retention.ms': '-1' });
    await seed(
      h,
      't',
      [1, 2, 3, 4].map((m) => m * MINUTE),
    );
    const size = h.storage.partitionLog('t', 0).sizeBytes / 4;
    // Room for two and a half batches: the oldest two must go, the third stays.
    await h.services.storage.setTopicConfigs('t', {
      'retention.ms': '-1',
      'retention.bytes': String(Math.floor(size * 2.5)),
    });
    await enforcer(h.storage, () => 5 * MINUTE).runNow();
    expect(await h.storage.offsets('t', 0)).toEqual({ logStartOffset: 2n, highWatermark: 8n });
  });

  it('leaves compact-only topics and retention.ms=-1 alone', async () => {
    const h = createHarness();
    await h.createTopic('compacted', 1, { 'cleanup.policy': 'compact', 'retention.ms': '1' });
    await h.createTopic('forever', 1, { 'retention.ms': '-1' });
    await h.createTopic('both', 1, { 'cleanup.policy': 'compact,delete', 'retention.ms': '1' });
    for (const t of ['compacted', 'forever', 'both']) {
      await produce(h, t, batch(2, { baseTimestamp: 1000n }));
    }
    await enforcer(h.storage, () => 10 * MINUTE).runNow();
    expect((await h.storage.offsets('compacted', 0)).logStartOffset).toBe(0n);
    expect((await h.storage.offsets('forever', 0)).logStartOffset).toBe(0n);
    expect((await h.storage.offsets('both', 0)).logStartOffset).toBe(2n);
  });

  it('gives stores without the capability time-based retention through the Storage interface', async () => {
    const h = createHarness();
    await h.createTopic('t', 1, { 'retention.ms': String(10 * MINUTE), 'retention.bytes': '1' });
    await seed(
      h,
      't',
      [50, 80, 95, 70].map((m) => m * MINUTE),
    );
    const report = await enforcer(withoutCapability(h.storage), () => 100 * MINUTE).runNow();
    // Offsets 0-3 are old; offset 4 (minute 95) is young, so nothing from it on goes, though 6-7 are old.
    expect(report.moved).toEqual([{ topic: 't', partition: 0, logStartOffset: 4n }]);
    expect((await h.storage.offsets('t', 0)).logStartOffset).toBe(4n);
  });

  it('runs on its timer within a bounded delay, and stops', async () => {
    const h = createHarness();
    await h.createTopic('t', 1, { 'retention.ms': String(MINUTE) });
    await seed(h, 't', [1000, 2000]);
    const e = enforcer(h.storage, Date.now, 20);
    e.start();
    e.start(); // idempotent
    try {
      const deadline = Date.now() + 30_000;
      while ((await h.storage.offsets('t', 0)).logStartOffset !== 4n) {
        if (Date.now() > deadline) throw new Error('retention did not run within 30 s');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    } finally {
      await e.stop();
    }
    await seed(h, 't', [3000]);
    // Stopped: a forced pass still works, the timer does not.
    expect((await e.runNow()).moved).toEqual([{ topic: 't', partition: 0, logStartOffset: 6n }]);
  });

  it('is one of the services, started and stopped by the owner', async () => {
    const h = createHarness({ retentionCheckIntervalMs: 15 });
    await h.createTopic('t', 1, { 'retention.ms': String(MINUTE) });
    await seed(h, 't', [1000]);
    h.services.retention.start();
    try {
      const deadline = Date.now() + 30_000;
      while ((await h.storage.offsets('t', 0)).logStartOffset !== 2n) {
        if (Date.now() > deadline) throw new Error('retention did not run within 30 s');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    } finally {
      await h.services.retention.stop();
    }
  });

  it('skips partitions of topics deleted during a pass', async () => {
    const storage = new MemoryStorage({ logger: silentLogger });
    await storage.createTopic({ name: 'a', partitions: 2, configs: { 'retention.ms': '1' } });
    const racing: Storage = new Proxy(storage, {
      get(target, prop, receiver) {
        if (prop === 'offsets') {
          return async (topic: string, partition: number) => {
            if (partition === 1) await target.deleteTopic(topic);
            return target.offsets(topic, partition);
          };
        }
        const value: unknown = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    }) as Storage;
    const report = await enforcer(racing, () => MINUTE).runNow();
    expect(report).toEqual({ partitionsChecked: 2, moved: [] });
  });
});

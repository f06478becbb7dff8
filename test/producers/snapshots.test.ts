/** Idempotent-producer state through restarts: snapshots in the store's key-value space plus a log replay. */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { ProducerRegistry } from '../../src/producers/producer-state.js';
import type { ReplayObserver } from '../../src/producers/replay.js';
import { PRODUCER_SNAPSHOTS, ProducerStateStore } from '../../src/producers/snapshots.js';
import { RecordBatch } from '../../src/protocol/records/batch.js';
import { buildRecordBatch } from '../../src/protocol/records/builder.js';
import { MemoryStorage } from '../../src/storage/memory/memory-storage.js';
import type { Storage } from '../../src/storage/storage.js';
import { kill, openStore } from '../storage/log/support/store.js';
import { tempDirs } from '../storage/log/temp-dir.js';

const newDir = tempDirs('producer-snapshots');
const PID = 4242n;

function idempotentBatch(seq: number, records: number, epoch = 0): Buffer {
  return buildRecordBatch({
    producerId: PID,
    producerEpoch: epoch,
    baseSequence: seq,
    records: Array.from({ length: records }, (_, i) => ({ key: null, value: Buffer.from(`s${seq + i}`) })),
  });
}

interface Gateway {
  readonly registry: ProducerRegistry;
  readonly state: ProducerStateStore;
}

async function boot(storage: Storage, observers: ReplayObserver[] = []): Promise<Gateway> {
  const registry = new ProducerRegistry();
  const state = new ProducerStateStore(registry, storage, silentLogger, { intervalMs: 3_600_000 });
  for (const o of observers) state.addObserver(o);
  await state.loadInBackground();
  return { registry, state };
}

/** What the produce handler does for one idempotent batch; returns the verdict and the offset. */
async function produce(g: Gateway, storage: Storage, topicId: string, batch: Buffer): Promise<string> {
  const b = new RecordBatch(batch);
  const state = await g.registry.ready(topicId, 0);
  const verdict = state.check(b.producerId, b.producerEpoch, b.baseSequence, b.lastOffsetDelta);
  if (verdict.kind === 'duplicate') return `duplicate@${verdict.baseOffset}`;
  if (verdict.kind === 'error') return `error ${verdict.errorCode}`;
  const token = g.registry.appends.begin();
  const { baseOffset } = await storage.append('t', 0, batch);
  state.record(b.producerId, b.producerEpoch, b.baseSequence, b.lastOffsetDelta, baseOffset);
  g.registry.appends.end(token, topicId, 't', 0);
  return `stored@${baseOffset}`;
}

describe('idempotent-producer state across restarts', () => {
  it('recognises retries of batches from before and after the last snapshot (log store, crash)', async () => {
    const dir = newDir();
    const first = await openStore(dir);
    const { id } = await first.store.createTopic({ name: 't', partitions: 1, configs: {} });
    const g1 = await boot(first.store);
    expect(await produce(g1, first.store, id, idempotentBatch(0, 2))).toBe('stored@0');
    expect(await produce(g1, first.store, id, idempotentBatch(2, 2))).toBe('stored@2');
    await g1.state.snapshotNow(); // notes the high watermark
    expect(await produce(g1, first.store, id, idempotentBatch(4, 2))).toBe('stored@4');
    await g1.state.snapshotNow(); // a snapshot whose replay offset covers the first three batches
    expect(await first.store.kvGet(PRODUCER_SNAPSHOTS, `${id}:0`)).toBeDefined();
    expect(await produce(g1, first.store, id, idempotentBatch(6, 1))).toBe('stored@6');
    expect(await produce(g1, first.store, id, idempotentBatch(7, 3))).toBe('stored@7');
    kill(first); // no final snapshot: the last two batches are only in the log

    const second = await openStore(dir);
    const g2 = await boot(second.store);
    expect(await produce(g2, second.store, id, idempotentBatch(7, 3))).toBe('duplicate@7');
    expect(await produce(g2, second.store, id, idempotentBatch(6, 1))).toBe('duplicate@6');
    expect(await produce(g2, second.store, id, idempotentBatch(4, 2))).toBe('duplicate@4');
    expect(await produce(g2, second.store, id, idempotentBatch(12, 1))).toBe('error 45');
    expect(await produce(g2, second.store, id, idempotentBatch(10, 1))).toBe('stored@10');
    await g2.state.stop();
    await second.store.close();
  });

  it('replays the whole log when no snapshot was ever written, and keeps epochs', async () => {
    const storage = new MemoryStorage();
    const { id } = await storage.createTopic({ name: 't', partitions: 1, configs: {} });
    const g1 = await boot(storage);
    await produce(g1, storage, id, idempotentBatch(0, 1));
    await produce(g1, storage, id, idempotentBatch(0, 1, 1)); // a new epoch starts again at 0
    await produce(g1, storage, id, idempotentBatch(1, 1, 1));
    const g2 = await boot(storage);
    expect(await produce(g2, storage, id, idempotentBatch(1, 1, 1))).toBe('duplicate@2');
    expect(await produce(g2, storage, id, idempotentBatch(2, 1, 0))).toBe('error 47'); // stale epoch
    expect(await produce(g2, storage, id, idempotentBatch(2, 1, 1))).toBe('stored@3');
  });

  it('does not let a snapshot claim an append it has not recorded yet', async () => {
    const storage = new MemoryStorage();
    const { id } = await storage.createTopic({ name: 't', partitions: 1, configs: {} });
    const g1 = await boot(storage);
    await produce(g1, storage, id, idempotentBatch(0, 1));
    await g1.state.snapshotNow();
    // An append that reached the store but whose producer state is not recorded yet.
    g1.registry.appends.begin();
    await storage.append('t', 0, idempotentBatch(1, 1));
    const touch = (): void => g1.registry.appends.touch({ topicId: id, topic: 't', partition: 0 });
    touch();
    await g1.state.snapshotNow(); // sees a high watermark that includes the unrecorded batch
    touch();
    await g1.state.snapshotNow(); // must not take it as its replay offset
    // The gateway dies before recording the batch.
    const g2 = await boot(storage);
    expect(await produce(g2, storage, id, idempotentBatch(1, 1))).toBe('duplicate@1');
  });

  it('feeds every replayed batch header to observers, control batches included', async () => {
    const storage = new MemoryStorage();
    const { id } = await storage.createTopic({ name: 't', partitions: 1, configs: {} });
    await storage.append('t', 0, idempotentBatch(0, 2));
    const marker = buildRecordBatch({
      producerId: PID,
      producerEpoch: 0,
      control: true,
      transactional: true,
      records: [{ key: Buffer.from([0, 0, 0, 1]), value: Buffer.from([0, 0, 0, 0, 0, 0]) }],
    });
    await storage.append('t', 0, marker).catch(() => undefined); // the memory store may refuse it
    await storage.append('t', 0, buildRecordBatch({ records: [{ key: null, value: Buffer.from('plain') }] }));
    const seen: string[] = [];
    const done: bigint[] = [];
    await boot(storage, [
      {
        replayFrom: async () => 0n,
        onBatch: (topicId, p, b) => seen.push(`${topicId === id}:${p}:${b.baseOffset}:${b.isControl}`),
        onReplayed: (_t, _p, hw) => done.push(hw),
      },
    ]);
    const hw = (await storage.offsets('t', 0)).highWatermark;
    expect(seen[0]).toBe('true:0:0:false');
    expect(seen.at(-1)).toBe(`true:0:${hw - 1n}:false`);
    expect(seen.length).toBe(Number(hw) - 1);
    expect(done).toEqual([hw]);
  });

  it('forgets producers idle past the expiration and snapshots of deleted topics', async () => {
    const storage = new MemoryStorage();
    const { id } = await storage.createTopic({ name: 't', partitions: 1, configs: {} });
    let now = 1_000_000;
    const registry = new ProducerRegistry();
    const state = new ProducerStateStore(registry, storage, silentLogger, {
      intervalMs: 3_600_000,
      expirationMs: 1000,
      now: () => now,
    });
    await state.loadInBackground();
    await produce({ registry, state }, storage, id, idempotentBatch(0, 1));
    await state.snapshotNow();
    expect(registry.partition(id, 0).producers.size).toBe(1);
    now = Date.now() + 10_000;
    registry.appends.touch({ topicId: id, topic: 't', partition: 0 });
    await state.snapshotNow();
    expect(registry.partition(id, 0).producers.size).toBe(0);
    await storage.deleteTopic('t');
    registry.appends.touch({ topicId: id, topic: 't', partition: 0 });
    await state.snapshotNow();
    expect(await storage.kvList(PRODUCER_SNAPSHOTS)).toEqual(new Map());
  });
});

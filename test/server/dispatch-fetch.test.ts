import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import type {
  FetchRequest,
  FetchRequestFetchPartition,
  FetchResponse,
  FetchResponsePartitionData,
} from '../../src/protocol/generated/index.js';
import { validateBatches } from '../../src/protocol/records/batch.js';
import type { TopicInfo } from '../../src/storage/storage.js';
import type { Harness } from './support/harness.js';
import { batch, createHarness } from './support/harness.js';

interface FetchSpec {
  topic: TopicInfo;
  partitions: Partial<FetchRequestFetchPartition>[];
}

function fetchRequest(specs: FetchSpec[], more: Partial<FetchRequest> = {}): FetchRequest {
  return {
    clusterId: null,
    replicaId: -1,
    replicaState: { replicaId: -1, replicaEpoch: -1n },
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 50 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: specs.map((s) => ({
      topic: s.topic.name,
      topicId: s.topic.id,
      partitions: s.partitions.map((p) => ({
        partition: 0,
        currentLeaderEpoch: -1,
        fetchOffset: 0n,
        lastFetchedEpoch: -1,
        logStartOffset: -1n,
        partitionMaxBytes: 1 << 20,
        replicaDirectoryId: '0'.repeat(32),
        ...p,
      })),
    })),
    forgottenTopicsData: [],
    rackId: '',
    ...more,
  };
}

async function fetch(h: Harness, version: number, req: FetchRequest): Promise<FetchResponse> {
  return h.call<FetchResponse>(1, version, req);
}

function only(res: FetchResponse): FetchResponsePartitionData {
  expect(res.responses).toHaveLength(1);
  expect(res.responses[0]!.partitions).toHaveLength(1);
  return res.responses[0]!.partitions[0]!;
}

/** Base offsets and record counts of the batches in a partition's records. */
function batchesOf(p: FetchResponsePartitionData): [bigint, number][] {
  const records = p.records as Buffer | null;
  if (records === null) return [];
  return validateBatches(records, { fromClient: false }).map((b) => [b.baseOffset, b.recordCount]);
}

async function topicWithBatches(
  h: Harness,
  name: string,
  counts: number[],
  partitions = 1,
): Promise<TopicInfo> {
  const t = await h.createTopic(name, partitions);
  for (let p = 0; p < partitions; p++) {
    for (const n of counts) await h.storage.append(name, p, batch(n));
  }
  return t;
}

describe('Fetch', () => {
  it.each([0, 4, 7, 11, 12])('v%i reads by topic name', async (version) => {
    const h = createHarness();
    const t = await topicWithBatches(h, 'named', [2, 2, 2]);
    const res = await fetch(h, version, fetchRequest([{ topic: t, partitions: [{ fetchOffset: 0n }] }]));
    expect(res.responses[0]!.topic).toBe('named');
    const p = only(res);
    expect(p).toMatchObject({ partitionIndex: 0, errorCode: ErrorCode.NONE, highWatermark: 6n });
    if (version >= 4) expect(p.lastStableOffset).toBe(6n);
    if (version >= 5) expect(p.logStartOffset).toBe(0n);
    expect(batchesOf(p)).toEqual([
      [0n, 2],
      [2n, 2],
      [4n, 2],
    ]);
  });

  it('returns the batch holding the fetch offset, not only batches starting there', async () => {
    const h = createHarness();
    const t = await topicWithBatches(h, 'mid', [3, 3]);
    const p = only(await fetch(h, 12, fetchRequest([{ topic: t, partitions: [{ fetchOffset: 4n }] }])));
    expect(batchesOf(p)).toEqual([[3n, 3]]);
  });

  it.each([13, 15, 17])('v%i reads by topic id', async (version) => {
    const h = createHarness();
    const t = await topicWithBatches(h, 'by-id', [1, 1]);
    const res = await fetch(h, version, fetchRequest([{ topic: t, partitions: [{ fetchOffset: 1n }] }]));
    expect(res.responses[0]!.topicId).toBe(t.id);
    const p = only(res);
    expect(p.errorCode).toBe(ErrorCode.NONE);
    expect(batchesOf(p)).toEqual([[1n, 1]]);
  });

  it('v13+ answers UNKNOWN_TOPIC_ID for an unknown id; older versions UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const h = createHarness();
    const ghost: TopicInfo = {
      name: 'ghost',
      id: 'ffffffffffffffffffffffffffffffff',
      partitions: 1,
      configs: {},
    };
    const byId = only(await fetch(h, 13, fetchRequest([{ topic: ghost, partitions: [{}] }])));
    expect(byId.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_ID);
    const byName = only(await fetch(h, 12, fetchRequest([{ topic: ghost, partitions: [{}] }])));
    expect(byName.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const t = await h.createTopic('one');
    const badPartition = only(
      await fetch(h, 12, fetchRequest([{ topic: t, partitions: [{ partition: 3 }] }])),
    );
    expect(badPartition.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('answers OFFSET_OUT_OF_RANGE with the partition offsets', async () => {
    const h = createHarness();
    const t = await topicWithBatches(h, 'oor', [2]);
    const p = only(await fetch(h, 12, fetchRequest([{ topic: t, partitions: [{ fetchOffset: 100n }] }])));
    expect(p).toMatchObject({
      errorCode: ErrorCode.OFFSET_OUT_OF_RANGE,
      highWatermark: 2n,
      logStartOffset: 0n,
    });
    const negative = only(
      await fetch(h, 12, fetchRequest([{ topic: t, partitions: [{ fetchOffset: -1n }] }])),
    );
    expect(negative.errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
  });

  it('answers an empty record set at the high watermark', async () => {
    const h = createHarness();
    const t = await topicWithBatches(h, 'end', [2]);
    const p = only(await fetch(h, 12, fetchRequest([{ topic: t, partitions: [{ fetchOffset: 2n }] }])));
    expect(p.errorCode).toBe(ErrorCode.NONE);
    expect((p.records as Buffer | null)?.length ?? 0).toBe(0);
  });

  it('stops at partition_max_bytes on a batch boundary', async () => {
    const h = createHarness();
    const t = await topicWithBatches(h, 'pmb', [2, 2, 2]);
    const size = batch(2).length;
    const p = only(
      await fetch(
        h,
        12,
        fetchRequest([{ topic: t, partitions: [{ partitionMaxBytes: 2 * size + size / 2 }] }]),
      ),
    );
    expect(batchesOf(p)).toEqual([
      [0n, 2],
      [2n, 2],
    ]);
  });

  it('stops at max_bytes across partitions', async () => {
    const h = createHarness();
    const t = await topicWithBatches(h, 'mb', [2, 2, 2], 2);
    const size = batch(2).length;
    const res = await fetch(
      h,
      12,
      fetchRequest([{ topic: t, partitions: [{ partition: 0 }, { partition: 1 }] }], { maxBytes: 2 * size }),
    );
    const [p0, p1] = res.responses[0]!.partitions;
    expect(batchesOf(p0!)).toEqual([
      [0n, 2],
      [2n, 2],
    ]);
    expect(p1!.errorCode).toBe(ErrorCode.NONE);
    expect(p1!.highWatermark).toBe(6n);
    expect(batchesOf(p1!)).toEqual([]);
  });

  it('fills max_bytes across many partitions read ahead, keeping whole batches in order', async () => {
    const h = createHarness();
    const t = await topicWithBatches(h, 'many', [2, 2, 2], 12);
    const size = batch(2).length;
    const partitions = Array.from({ length: 12 }, (_, partition) => ({ partition }));
    const res = await fetch(h, 12, fetchRequest([{ topic: t, partitions }], { maxBytes: 7 * size }));
    const got = res.responses[0]!.partitions.map((p) => [p.partitionIndex, batchesOf(p).length]);
    // 3 + 3 + 1 batches: the third partition gets what is left, later ones (read ahead) get none.
    expect(got).toEqual(partitions.map(({ partition }) => [partition, [3, 3, 1][partition] ?? 0]));
    expect(res.responses[0]!.partitions.every((p) => p.highWatermark === 6n)).toBe(true);
  });

  it('returns the first batch even when it exceeds both limits (KIP-74)', async () => {
    const h = createHarness();
    const t = await topicWithBatches(h, 'kip74', [50, 1]);
    const p = only(
      await fetch(
        h,
        12,
        fetchRequest([{ topic: t, partitions: [{ partitionMaxBytes: 10 }] }], { maxBytes: 10 }),
      ),
    );
    expect(batchesOf(p)).toEqual([[0n, 50]]);
  });

  it('ignores max_bytes before v3, where the field does not exist', async () => {
    const h = createHarness();
    const t = await topicWithBatches(h, 'v2', [2, 2]);
    const p = only(await fetch(h, 2, fetchRequest([{ topic: t, partitions: [{}] }], { maxBytes: 1 })));
    expect(batchesOf(p)).toHaveLength(2);
  });

  it('waits for an append when min_bytes is not reached, and answers with it', async () => {
    const h = createHarness();
    const t = await topicWithBatches(h, 'poll', [1]);
    const req = fetchRequest([{ topic: t, partitions: [{ fetchOffset: 1n }] }], {
      maxWaitMs: 600_000,
      minBytes: 1,
    });
    let settled = false;
    const pending = fetch(h, 12, req).finally(() => {
      settled = true;
    });
    // Let the fetch read, find nothing and start waiting.
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    await h.storage.append('poll', 0, batch(3));
    // Far below max_wait_ms: only the append can have ended the wait.
    const p = only(await withBound(pending, 20_000));
    expect(batchesOf(p)).toEqual([[1n, 3]]);
  });

  it('returns empty records after max_wait_ms when min_bytes is never reached', async () => {
    const h = createHarness();
    const t = await topicWithBatches(h, 'quiet', [1]);
    const req = fetchRequest([{ topic: t, partitions: [{ fetchOffset: 1n }] }], {
      maxWaitMs: 100,
      minBytes: 1,
    });
    const p = only(await withBound(fetch(h, 12, req), 20_000));
    expect(p.errorCode).toBe(ErrorCode.NONE);
    expect(p.highWatermark).toBe(1n);
    expect((p.records as Buffer | null)?.length ?? 0).toBe(0);
  });

  it('answers a fetch of no partitions at once, whatever max_wait_ms says (found by the fuzzer)', async () => {
    const h = createHarness();
    const req = fetchRequest([], { maxWaitMs: 3_600_000, minBytes: 1 });
    const res = await withBound(fetch(h, 12, req), 20_000);
    expect(res.errorCode).toBe(ErrorCode.NONE);
    expect(res.responses).toEqual([]);
  });

  it('ends a long poll early when the connection goes away', async () => {
    const h = createHarness();
    const t = await topicWithBatches(h, 'abort', [1]);
    const req = fetchRequest([{ topic: t, partitions: [{ fetchOffset: 1n }] }], {
      maxWaitMs: 600_000,
      minBytes: 1,
    });
    const pending = fetch(h, 12, req);
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    h.abort.abort();
    expect((only(await withBound(pending, 20_000)).records as Buffer | null)?.length ?? 0).toBe(0);
  });

  it('answers FETCH_SESSION_ID_NOT_FOUND to a session id other than 0', async () => {
    const h = createHarness();
    const t = await topicWithBatches(h, 'sess', [1]);
    const res = await fetch(
      h,
      12,
      fetchRequest([{ topic: t, partitions: [{}] }], { sessionId: 123, sessionEpoch: 1 }),
    );
    expect(res.errorCode).toBe(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
    expect(res.responses).toEqual([]);
  });

  it('answers INVALID_FETCH_SESSION_EPOCH to a session epoch without a session', async () => {
    const h = createHarness();
    const t = await topicWithBatches(h, 'epoch', [1]);
    const res = await fetch(
      h,
      12,
      fetchRequest([{ topic: t, partitions: [{}] }], { sessionId: 0, sessionEpoch: 3 }),
    );
    expect(res.errorCode).toBe(ErrorCode.INVALID_FETCH_SESSION_EPOCH);
  });

  it('tells a client asking for a new session (epoch 0) that the session id is 0', async () => {
    const h = createHarness();
    const t = await topicWithBatches(h, 'newsess', [1]);
    const res = await fetch(
      h,
      12,
      fetchRequest([{ topic: t, partitions: [{}] }], { sessionId: 0, sessionEpoch: 0 }),
    );
    expect(res).toMatchObject({ errorCode: ErrorCode.NONE, sessionId: 0 });
    expect(batchesOf(only(res))).toEqual([[0n, 1]]);
  });

  it('fences a fetch from an unknown leader epoch', async () => {
    const h = createHarness();
    const t = await topicWithBatches(h, 'lepoch', [1]);
    const p = only(await fetch(h, 12, fetchRequest([{ topic: t, partitions: [{ currentLeaderEpoch: 5 }] }])));
    expect(p.errorCode).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH);
  });
});

async function withBound<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not settled within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, bound]);
  } finally {
    clearTimeout(timer);
  }
}

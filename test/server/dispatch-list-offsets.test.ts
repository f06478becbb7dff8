import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import type {
  ListOffsetsRequest,
  ListOffsetsResponse,
  ListOffsetsResponseListOffsetsPartitionResponse,
} from '../../src/protocol/generated/index.js';
import { buildRecordBatch } from '../../src/protocol/records/builder.js';
import type { Harness } from './support/harness.js';
import { createHarness } from './support/harness.js';

const LATEST = -1n;
const EARLIEST = -2n;
const MAX_TIMESTAMP = -3n;

function request(
  topic: string,
  timestamp: bigint,
  partitionIndex = 0,
  currentLeaderEpoch = -1,
): ListOffsetsRequest {
  return {
    replicaId: -1,
    isolationLevel: 0,
    topics: [
      { name: topic, partitions: [{ partitionIndex, currentLeaderEpoch, timestamp, maxNumOffsets: 1 }] },
    ],
  };
}

async function list(
  h: Harness,
  version: number,
  req: ListOffsetsRequest,
): Promise<ListOffsetsResponseListOffsetsPartitionResponse> {
  const res = await h.call<ListOffsetsResponse>(2, version, req);
  return res.topics[0]!.partitions[0]!;
}

/** Offsets 0-1 at 1000/1001, 2 at 5000, 3-4 at 3000/3001: timestamps that do not grow with offsets. */
async function seeded(h: Harness): Promise<void> {
  await h.createTopic('t');
  const at = (ts: bigint[]) =>
    buildRecordBatch({
      baseTimestamp: ts[0]!,
      records: ts.map((timestamp, i) => ({ key: null, value: Buffer.from(`r${i}`), timestamp })),
    });
  await h.storage.append('t', 0, at([1000n, 1001n]));
  await h.storage.append('t', 0, at([5000n]));
  await h.storage.append('t', 0, at([3000n, 3001n]));
}

describe('ListOffsets', () => {
  it.each([1, 4, 6, 9])('v%i answers earliest and latest', async (version) => {
    const h = createHarness();
    await seeded(h);
    await h.storage.deleteRecordsBefore('t', 0, 1n);
    expect(await list(h, version, request('t', EARLIEST))).toMatchObject({
      errorCode: ErrorCode.NONE,
      offset: 1n,
      timestamp: -1n,
    });
    expect(await list(h, version, request('t', LATEST))).toMatchObject({
      errorCode: ErrorCode.NONE,
      offset: 5n,
    });
  });

  it('finds the first offset whose timestamp is at or after the one asked', async () => {
    const h = createHarness();
    await seeded(h);
    expect(await list(h, 4, request('t', 1001n))).toMatchObject({
      offset: 1n,
      timestamp: 1001n,
      leaderEpoch: 0,
    });
    expect(await list(h, 4, request('t', 1500n))).toMatchObject({ offset: 2n, timestamp: 5000n });
    expect(await list(h, 4, request('t', 0n))).toMatchObject({ offset: 0n, timestamp: 1000n });
  });

  it('answers -1 when no record is that recent', async () => {
    const h = createHarness();
    await seeded(h);
    expect(await list(h, 4, request('t', 9999n))).toMatchObject({
      errorCode: ErrorCode.NONE,
      offset: -1n,
      timestamp: -1n,
    });
  });

  it('v7+ answers the record with the largest timestamp for -3', async () => {
    const h = createHarness();
    await seeded(h);
    expect(await list(h, 7, request('t', MAX_TIMESTAMP))).toMatchObject({
      errorCode: ErrorCode.NONE,
      offset: 2n,
      timestamp: 5000n,
    });
  });

  it('v0 answers with old-style offset lists', async () => {
    const h = createHarness();
    await seeded(h);
    expect((await list(h, 0, request('t', LATEST))).oldStyleOffsets).toEqual([5n]);
    expect((await list(h, 0, request('t', EARLIEST))).oldStyleOffsets).toEqual([0n]);
  });

  it('answers UNKNOWN_TOPIC_OR_PARTITION for a missing topic or partition', async () => {
    const h = createHarness();
    await seeded(h);
    expect((await list(h, 4, request('none', LATEST))).errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect((await list(h, 4, request('t', LATEST, 1))).errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    // ListOffsets never creates topics.
    expect(await h.storage.describeTopic('none')).toBeUndefined();
  });

  it('fences a newer or older leader epoch', async () => {
    const h = createHarness();
    await seeded(h);
    expect((await list(h, 4, request('t', LATEST, 0, 3))).errorCode).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH);
    expect((await list(h, 4, request('t', LATEST, 0, 0))).errorCode).toBe(ErrorCode.NONE);
  });
});

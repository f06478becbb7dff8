import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import type {
  DeleteRecordsResponse,
  DeleteRecordsResponseDeleteRecordsPartitionResult,
  ListOffsetsResponse,
} from '../../src/protocol/generated/index.js';
import type { Harness } from './support.js';
import { API, batch, createHarness, fetchFrom, produce } from './support.js';

async function deleteRecords(
  h: Harness,
  topic: string,
  partitions: [number, bigint][],
  version = 2,
): Promise<DeleteRecordsResponseDeleteRecordsPartitionResult[]> {
  const res = await h.call<DeleteRecordsResponse>(API.deleteRecords, version, {
    topics: [
      { name: topic, partitions: partitions.map(([partitionIndex, offset]) => ({ partitionIndex, offset })) },
    ],
    timeoutMs: 5000,
  });
  expect(res.topics[0]!.name).toBe(topic);
  return res.topics[0]!.partitions;
}

async function seeded(): Promise<Harness> {
  const h = createHarness();
  await h.createTopic('t', 2);
  for (let i = 0; i < 5; i++) await produce(h, 't', batch(2), 0); // offsets 0-9, batches of 2
  return h;
}

describe('DeleteRecords', () => {
  it.each([0, 1, 2])(
    'v%i advances the log start offset; reads below it are out of range',
    async (version) => {
      const h = await seeded();
      const [res] = await deleteRecords(h, 't', [[0, 4n]], version);
      expect(res).toEqual({ partitionIndex: 0, lowWatermark: 4n, errorCode: ErrorCode.NONE });
      expect(await h.storage.offsets('t', 0)).toEqual({ logStartOffset: 4n, highWatermark: 10n });
      expect((await fetchFrom(h, 't', 2n)).errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
      const ok = await fetchFrom(h, 't', 4n);
      expect(ok).toMatchObject({ errorCode: ErrorCode.NONE, logStartOffset: 4n, highWatermark: 10n });
      const earliest = await h.call<ListOffsetsResponse>(2, 7, {
        replicaId: -1,
        isolationLevel: 0,
        topics: [{ name: 't', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -2n }] }],
      });
      expect(earliest.topics[0]!.partitions[0]!.offset).toBe(4n);
    },
  );

  it('-1 deletes up to the high watermark; an offset below the start changes nothing', async () => {
    const h = await seeded();
    expect(await deleteRecords(h, 't', [[0, 6n]])).toEqual([
      { partitionIndex: 0, lowWatermark: 6n, errorCode: 0 },
    ]);
    expect(await deleteRecords(h, 't', [[0, 3n]])).toEqual([
      { partitionIndex: 0, lowWatermark: 6n, errorCode: 0 },
    ]);
    expect(await deleteRecords(h, 't', [[0, -1n]])).toEqual([
      { partitionIndex: 0, lowWatermark: 10n, errorCode: 0 },
    ]);
    expect(await h.storage.offsets('t', 0)).toEqual({ logStartOffset: 10n, highWatermark: 10n });
    // Appends continue from where the log ended.
    expect((await produce(h, 't', batch(1), 0)).baseOffset).toBe(10n);
  });

  it('reports per-partition errors as Kafka does', async () => {
    const h = await seeded();
    expect(
      await deleteRecords(h, 't', [
        [0, 11n],
        [0, -5n],
        [1, 0n],
        [7, 1n],
      ]),
    ).toEqual([
      { partitionIndex: 0, lowWatermark: -1n, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE },
      { partitionIndex: 0, lowWatermark: -1n, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE },
      { partitionIndex: 1, lowWatermark: 0n, errorCode: ErrorCode.NONE },
      { partitionIndex: 7, lowWatermark: -1n, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION },
    ]);
    expect(await deleteRecords(h, 'missing', [[0, 1n]])).toEqual([
      { partitionIndex: 0, lowWatermark: -1n, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION },
    ]);
    expect((await h.storage.offsets('t', 0)).logStartOffset).toBe(0n);
  });
});

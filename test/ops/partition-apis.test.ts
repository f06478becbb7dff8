import { beforeEach, describe, expect, it } from 'vitest';
import type {
  AlterPartitionReassignmentsResponse,
  AlterReplicaLogDirsResponse,
  ApiVersionsResponse,
  DescribeLogDirsResponse,
  ElectLeadersResponse,
  ListPartitionReassignmentsResponse,
} from '../../src/protocol/generated/index.js';
import type { Harness } from '../server/support/harness.js';
import { batch, createHarness } from '../server/support/harness.js';

// Expected answers are those a one-broker Kafka 3.9.2 (scripts/kafka-reference) gave to the same
// requests, apart from the order of entries Kafka takes from hash maps.

const NOT_NEEDED = 'Leader election not needed for topic partition.';

describe('DescribeLogDirs, ElectLeaders, partition reassignments, AlterReplicaLogDirs', () => {
  let h: Harness;
  beforeEach(async () => {
    h = createHarness();
    await h.createTopic('t1', 2);
    await h.storage.append('t1', 1, batch(3));
  });

  it('DescribeLogDirs v0-v4 report every partition with its size, or the partitions asked for', async () => {
    for (let v = 0; v <= 4; v++) {
      const all = await h.call<DescribeLogDirsResponse>(35, v, { topics: null });
      expect(all.results).toHaveLength(1);
      const dir = all.results[0]!;
      expect(dir).toMatchObject({ errorCode: 0, logDir: 'memory' });
      expect(dir.topics).toEqual([
        {
          name: 't1',
          partitions: [
            { partitionIndex: 0, partitionSize: 0n, offsetLag: 0n, isFutureKey: false },
            {
              partitionIndex: 1,
              partitionSize: BigInt(h.storage.partitionLog('t1', 1).sizeBytes),
              offsetLag: 0n,
              isFutureKey: false,
            },
          ],
        },
      ]);
      expect(dir.topics[0]!.partitions[1]!.partitionSize).toBeGreaterThan(0n);
      if (v >= 4) expect([dir.totalBytes, dir.usableBytes]).toEqual([-1n, -1n]);
    }
    const some = await h.call<DescribeLogDirsResponse>(35, 4, {
      topics: [
        { topic: 't1', partitions: [1, 5] },
        { topic: 'nope', partitions: [0] },
      ],
    });
    expect(some.results[0]!.topics).toEqual([
      { name: 't1', partitions: [expect.objectContaining({ partitionIndex: 1 })] },
    ]);
    const none = await h.call<DescribeLogDirsResponse>(35, 2, { topics: [] });
    expect(none.results[0]).toMatchObject({ logDir: 'memory', topics: [] });
  });

  it('ElectLeaders: an election is never needed; unknown topics and partitions are named', async () => {
    for (let v = 0; v <= 2; v++) {
      const r = await h.call<ElectLeadersResponse>(43, v, {
        electionType: v === 0 ? 0 : 1,
        topicPartitions: [
          { topic: 't1', partitions: [0, 1, 7, -1] },
          { topic: 'nope', partitions: [0] },
        ],
        timeoutMs: 30_000,
      });
      if (v >= 1) expect(r.errorCode).toBe(0);
      expect(r.replicaElectionResults).toEqual([
        {
          topic: 't1',
          partitionResult: [
            { partitionId: 0, errorCode: 84, errorMessage: NOT_NEEDED },
            { partitionId: 1, errorCode: 84, errorMessage: NOT_NEEDED },
            { partitionId: 7, errorCode: 3, errorMessage: 'No such partition as t1-7' },
            { partitionId: -1, errorCode: 3, errorMessage: 'No such partition as t1--1' },
          ],
        },
        {
          topic: 'nope',
          partitionResult: [{ partitionId: 0, errorCode: 3, errorMessage: 'No such topic as nope' }],
        },
      ]);
    }
    const all = await h.call<ElectLeadersResponse>(43, 2, {
      electionType: 0,
      topicPartitions: null,
      timeoutMs: 1000,
    });
    expect(all).toMatchObject({
      errorCode: 0,
      replicaElectionResults: [{ topic: 't1', partitionResult: [] }],
    });
    const badType = await h.call<ElectLeadersResponse>(43, 2, {
      electionType: 5,
      topicPartitions: [{ topic: 't1', partitions: [0] }],
      timeoutMs: 1000,
    });
    expect(badType).toMatchObject({
      errorCode: 42,
      replicaElectionResults: [
        {
          topic: 't1',
          partitionResult: [{ partitionId: 0, errorCode: 42, errorMessage: 'Unknown election type 5' }],
        },
      ],
    });
    const expired = await h.call<ElectLeadersResponse>(43, 2, {
      electionType: 0,
      topicPartitions: [{ topic: 't1', partitions: [0] }],
      timeoutMs: 0,
    });
    expect(expired).toMatchObject({
      errorCode: 7,
      replicaElectionResults: [
        { topic: 't1', partitionResult: [{ partitionId: 0, errorCode: 7, errorMessage: null }] },
      ],
    });
  });

  it('AlterPartitionReassignments accepts only the gateway itself and finds nothing to cancel', async () => {
    const r = await h.call<AlterPartitionReassignmentsResponse>(45, 0, {
      timeoutMs: 30_000,
      topics: [
        {
          name: 't1',
          partitions: [
            { partitionIndex: 0, replicas: [1] },
            { partitionIndex: 1, replicas: null },
            { partitionIndex: 9, replicas: [1] },
            { partitionIndex: 0, replicas: [2] },
            { partitionIndex: 1, replicas: [1, 1] },
            { partitionIndex: 1, replicas: [] },
          ],
        },
        { name: 'nope', partitions: [{ partitionIndex: 0, replicas: [1] }] },
      ],
    });
    expect(r).toEqual({
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      responses: [
        {
          name: 't1',
          partitions: [
            { partitionIndex: 0, errorCode: 0, errorMessage: null },
            { partitionIndex: 1, errorCode: 85, errorMessage: null },
            { partitionIndex: 9, errorCode: 3, errorMessage: 'Unable to find partition t1:9.' },
            {
              partitionIndex: 0,
              errorCode: 39,
              errorMessage:
                'The manual partition assignment includes broker 2, but no such broker is registered.',
            },
            {
              partitionIndex: 1,
              errorCode: 39,
              errorMessage: 'The manual partition assignment includes the broker 1 more than once.',
            },
            {
              partitionIndex: 1,
              errorCode: 39,
              errorMessage: 'The manual partition assignment includes an empty replica list.',
            },
          ],
        },
        {
          name: 'nope',
          partitions: [
            { partitionIndex: 0, errorCode: 3, errorMessage: 'Unable to find a topic named nope.' },
          ],
        },
      ],
    });
    const empty = await h.call<AlterPartitionReassignmentsResponse>(45, 0, { timeoutMs: 1000, topics: [] });
    expect(empty).toMatchObject({ errorCode: 0, errorMessage: '', responses: [] });
    const expired = await h.call<AlterPartitionReassignmentsResponse>(45, 0, {
      timeoutMs: -5,
      topics: [{ name: 't1', partitions: [{ partitionIndex: 0, replicas: [1] }] }],
    });
    expect(expired).toMatchObject({
      errorCode: 7,
      responses: [{ name: 't1', partitions: [{ partitionIndex: 0, errorCode: 7, errorMessage: null }] }],
    });
    const listed = await h.call<ListPartitionReassignmentsResponse>(46, 0, { timeoutMs: 1000, topics: null });
    expect(listed).toEqual({ throttleTimeMs: 0, errorCode: 0, errorMessage: null, topics: [] });
  });

  it('AlterReplicaLogDirs: the current directory is a no-op, another path is not found', async () => {
    const r = await h.call<AlterReplicaLogDirsResponse>(34, 1, {
      dirs: [
        { path: 'memory', topics: [{ name: 't1', partitions: [0, 9] }] },
        {
          path: '/elsewhere',
          topics: [
            { name: 't1', partitions: [1] },
            { name: 'nope', partitions: [0] },
          ],
        },
      ],
    });
    expect(r.results).toEqual([
      {
        topicName: 't1',
        partitions: [
          { partitionIndex: 0, errorCode: 0 },
          { partitionIndex: 9, errorCode: 3 },
          { partitionIndex: 1, errorCode: 57 },
        ],
      },
      { topicName: 'nope', partitions: [{ partitionIndex: 0, errorCode: 57 }] },
    ]);
  });

  it('ApiVersions reports the finalized features of Kafka 3.9 (v4 adds those with minimum 0)', async () => {
    const v3 = await h.call<ApiVersionsResponse>(18, 3, {
      clientSoftwareName: 't',
      clientSoftwareVersion: '1',
    });
    expect(v3.supportedFeatures).toEqual([{ name: 'metadata.version', minVersion: 1, maxVersion: 21 }]);
    expect(v3.finalizedFeatures).toEqual([
      { name: 'metadata.version', minVersionLevel: 21, maxVersionLevel: 21 },
    ]);
    expect(v3.finalizedFeaturesEpoch).toBeGreaterThanOrEqual(0n);
    const v4 = await h.call<ApiVersionsResponse>(18, 4, {
      clientSoftwareName: 't',
      clientSoftwareVersion: '1',
    });
    expect(v4.supportedFeatures).toEqual([
      { name: 'kraft.version', minVersion: 0, maxVersion: 1 },
      { name: 'metadata.version', minVersion: 1, maxVersion: 21 },
    ]);
    for (const key of [34, 35, 43, 45, 46, 48, 49]) {
      expect(v4.apiKeys.map((k) => k.apiKey)).toContain(key);
    }
  });
});

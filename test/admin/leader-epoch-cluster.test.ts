import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import type {
  DescribeClusterResponse,
  OffsetForLeaderEpochResponse,
} from '../../src/protocol/generated/index.js';
import { API, batch, createHarness, produce } from './support.js';

describe('OffsetForLeaderEpoch', () => {
  it.each([0, 1, 2, 3, 4])('v%i answers from the single epoch 0', async (version) => {
    const h = createHarness();
    await h.createTopic('t', 1);
    await h.createTopic('empty', 1);
    await produce(h, 't', batch(4));
    const part = (partition: number, leaderEpoch: number, currentLeaderEpoch = -1) => ({
      partition,
      leaderEpoch,
      currentLeaderEpoch,
    });
    const res = await h.call<OffsetForLeaderEpochResponse>(API.offsetForLeaderEpoch, version, {
      replicaId: -1,
      topics: [
        { topic: 't', partitions: [part(0, 0), part(0, 5), part(0, -1), part(9, 0)] },
        { topic: 'empty', partitions: [part(0, 0)] },
        { topic: 'missing', partitions: [part(0, 0)] },
      ],
    });
    const rows = res.topics.flatMap((t) =>
      t.partitions.map((p) => [t.topic, p.errorCode, version >= 1 ? p.leaderEpoch : 'n/a', p.endOffset]),
    );
    const epoch = (n: number) => (version >= 1 ? n : 'n/a');
    expect(rows).toEqual([
      ['t', ErrorCode.NONE, epoch(0), 4n],
      ['t', ErrorCode.NONE, epoch(-1), -1n],
      ['t', ErrorCode.NONE, epoch(-1), -1n],
      ['t', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, epoch(-1), -1n],
      ['empty', ErrorCode.NONE, epoch(0), 0n],
      ['missing', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, epoch(-1), -1n],
    ]);
  });

  it('checks the current leader epoch (v2+)', async () => {
    const h = createHarness();
    await h.createTopic('t', 1);
    const res = await h.call<OffsetForLeaderEpochResponse>(API.offsetForLeaderEpoch, 4, {
      replicaId: -1,
      topics: [
        {
          topic: 't',
          partitions: [
            { partition: 0, currentLeaderEpoch: 0, leaderEpoch: 0 },
            { partition: 0, currentLeaderEpoch: 3, leaderEpoch: 0 },
          ],
        },
      ],
    });
    expect(res.topics[0]!.partitions.map((p) => p.errorCode)).toEqual([
      ErrorCode.NONE,
      ErrorCode.UNKNOWN_LEADER_EPOCH,
    ]);
  });
});

describe('DescribeCluster', () => {
  it.each([0, 1])('v%i describes the gateway as the only broker and the controller', async (version) => {
    const h = createHarness({
      nodeId: 3,
      clusterId: 'my-cluster',
      advertisedHost: 'kafka.example',
      advertisedPort: 9093,
    });
    const res = await h.call<DescribeClusterResponse>(API.describeCluster, version, {
      includeClusterAuthorizedOperations: true,
      endpointType: 1,
    });
    expect(res).toMatchObject({
      errorCode: ErrorCode.NONE,
      clusterId: 'my-cluster',
      controllerId: 3,
      brokers: [{ brokerId: 3, host: 'kafka.example', port: 9093, rack: null }],
    });
    expect(res.clusterAuthorizedOperations).toBeGreaterThan(0);
  });

  it('refuses controller and unknown endpoint types as a Kafka broker does', async () => {
    const h = createHarness();
    const ask = (endpointType: number) =>
      h.call<DescribeClusterResponse>(API.describeCluster, 1, {
        includeClusterAuthorizedOperations: false,
        endpointType,
      });
    expect(await ask(2)).toMatchObject({
      errorCode: ErrorCode.MISMATCHED_ENDPOINT_TYPE,
      errorMessage:
        'The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER',
      brokers: [],
    });
    expect(await ask(7)).toMatchObject({
      errorCode: ErrorCode.UNSUPPORTED_ENDPOINT_TYPE,
      errorMessage: 'Unsupported endpoint type 7',
    });
  });
});

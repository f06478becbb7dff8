import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config.js';
import { startGateway, type Gateway } from '../../src/gateway.js';
import { silentLogger } from '../../src/log.js';
import type {
  JoinGroupResponse,
  OffsetCommitResponse,
  OffsetFetchResponse,
} from '../../src/protocol/generated/index.js';
import { MemoryStorage } from '../../src/storage/memory/memory-storage.js';
import { RawClient } from '../server/support/client.js';
import { decodeResponse } from '../server/support/wire.js';
import { API, ErrorCode, joinRequest } from './support.js';

async function start(storage: MemoryStorage): Promise<Gateway> {
  return startGateway({ ...DEFAULT_CONFIG, host: '127.0.0.1', port: 0 }, silentLogger, storage);
}

/** Polls a condition (bounded), for states the test cannot be told about directly. */
async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('gateway wiring of the group coordinator', () => {
  it('loads committed offsets from the store at start, so they survive a restart', async () => {
    const storage = new MemoryStorage({ logger: silentLogger });
    await storage.createTopic({ name: 't1', partitions: 1, configs: {} });
    const first = await start(storage);
    const c1 = await RawClient.connect(first.address.port);
    const committed = await c1.call<OffsetCommitResponse>(
      API.OffsetCommit,
      8,
      {
        groupId: 'g',
        generationIdOrMemberEpoch: -1,
        memberId: '',
        groupInstanceId: null,
        topics: [
          {
            name: 't1',
            partitions: [
              { partitionIndex: 0, committedOffset: 42n, committedLeaderEpoch: -1, committedMetadata: 'x' },
            ],
          },
        ],
      },
      1,
    );
    expect(committed.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
    c1.destroy();
    await first.stop();

    const second = await start(storage);
    try {
      expect(second.services.groups.status).toBe('active');
      const c2 = await RawClient.connect(second.address.port);
      const fetched = await c2.call<OffsetFetchResponse>(
        API.OffsetFetch,
        7,
        { groupId: 'g', topics: null, requireStable: true },
        2,
      );
      expect(fetched.topics![0]!.partitions[0]).toMatchObject({ committedOffset: 42n, metadata: 'x' });
      c2.destroy();
    } finally {
      await second.stop();
    }
  });

  it('answers a JoinGroup parked in a rebalance with NOT_COORDINATOR when stopping', async () => {
    const gateway = await start(new MemoryStorage({ logger: silentLogger }));
    const client = await RawClient.connect(gateway.address.port);
    // v3: no MEMBER_ID_REQUIRED round; the new group then waits out its initial rebalance delay.
    client.send(API.JoinGroup, 3, joinRequest(), { correlationId: 9 });
    await waitFor(
      async () => (await gateway.services.groups.describeGroups(['g']))[0]!.state === 'PreparingRebalance',
      'the join to arrive',
    );
    const stopped = gateway.stop();
    const frame = await client.nextFrame();
    await stopped;
    const response = decodeResponse<JoinGroupResponse>(API.JoinGroup, 3, frame);
    expect(response.correlationId).toBe(9);
    expect(response.body.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    expect(gateway.services.groups.status).toBe('closed');
    client.destroy();
  });
});

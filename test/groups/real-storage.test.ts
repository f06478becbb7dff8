import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { GroupCoordinator } from '../../src/groups/coordinator.js';
import { MemoryStorage } from '../../src/storage/memory/memory-storage.js';
import { FakeTime } from './fake-time.js';
import { commitInput, ErrorCode, stableGroup } from './harness.js';

describe('against the real in-memory Storage', () => {
  it('persists a group and its offsets across a coordinator restart', async () => {
    const storage = new MemoryStorage({ logger: pino({ level: 'silent' }) });
    await storage.start();
    const time = new FakeTime();
    const make = () => new GroupCoordinator({ store: storage, clock: time, timers: time });
    const first = make();
    await first.load();
    const [m] = await stableGroup({ time, coord: first }, [{ groupInstanceId: 'i-0' }]);
    const committed = await first.commitOffsets(
      commitInput({ memberId: m?.memberId, groupInstanceId: 'i-0', generationId: 1 }),
    );
    expect(committed[0]?.errorCode).toBe(ErrorCode.NONE);
    await first.close();

    const second = make();
    await second.load();
    const [d] = await second.describeGroups(['g']);
    expect(d).toMatchObject({ state: 'Stable', protocolData: 'range' });
    expect(d?.members[0]).toMatchObject({
      memberId: m?.memberId,
      groupInstanceId: 'i-0',
      assignment: m?.sync.assignment,
    });
    const f = await second.fetchOffsets({ groupId: 'g', partitions: null, requireStable: true });
    expect(f.partitions).toEqual([
      { topic: 't1', partition: 0, offset: 5n, leaderEpoch: -1, metadata: null, errorCode: ErrorCode.NONE },
    ]);
    await second.close();
    await storage.close();
  });
});

/**
 * A coordinator that shares the groups with other gateways (GroupOwnership): it answers only for the
 * groups it holds, loads a group when its ownership arrives and lets it go when it leaves.
 */
import { describe, expect, it } from 'vitest';
import { GroupCoordinator } from '../../src/groups/coordinator.js';
import { FakeTime } from './fake-time.js';
import { commitInput, ErrorCode, flush, joinInput, stableGroup, track } from './harness.js';
import { MemoryGroupStore } from './memory-store.js';

function shared(store = new MemoryGroupStore()) {
  const time = new FakeTime();
  const owned = new Map<string, 'owned' | 'loading'>();
  const coord = new GroupCoordinator({
    store,
    clock: time,
    timers: time,
    ownership: { status: (id) => owned.get(id) ?? 'elsewhere' },
  });
  return { time, store, coord, owned };
}

describe('groups shared between gateways', () => {
  it('answers NOT_COORDINATOR for groups held elsewhere and LOAD_IN_PROGRESS while loading', async () => {
    const h = shared();
    await h.coord.load();
    expect((await h.coord.joinGroup(joinInput({ groupId: 'a' }))).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    h.owned.set('a', 'loading');
    expect((await h.coord.joinGroup(joinInput({ groupId: 'a' }))).errorCode).toBe(
      ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
    );
    const fetched = await h.coord.fetchOffsets({ groupId: 'b', partitions: null, requireStable: false });
    expect(fetched.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
  });

  it('loads only the groups it takes over, with their members and offsets', async () => {
    const first = shared();
    await first.coord.load();
    first.owned.set('a', 'owned');
    first.owned.set('b', 'owned');
    await stableGroup(first, [{ groupId: 'a' }], 'a');
    expect(await first.coord.commitOffsets(commitInput({ groupId: 'b' }))).toEqual([
      { topic: 't1', partition: 0, errorCode: ErrorCode.NONE },
    ]);

    // Another gateway on the same store takes over group a only.
    const second = shared(first.store);
    await second.coord.load();
    second.owned.set('a', 'owned');
    await second.coord.takeOver((id) => id === 'a');
    const [described] = await second.coord.describeGroups(['a']);
    expect(described).toMatchObject({ state: 'Stable', errorCode: ErrorCode.NONE });
    expect(described!.members).toHaveLength(1);
    const listed = await second.coord.listGroups();
    expect(listed.groups.map((g) => g.groupId)).toEqual(['a']);
  });

  it('hands a group over: a parked JoinGroup is answered NOT_COORDINATOR and the group is dropped', async () => {
    const h = shared();
    await h.coord.load();
    h.owned.set('a', 'owned');
    const parked = track(h.coord.joinGroup(joinInput({ groupId: 'a' })));
    await flush();
    expect(parked.settled).toBe(false);
    h.owned.delete('a');
    await h.coord.handOver((id) => id === 'a');
    expect((await parked.promise).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    h.owned.set('a', 'owned');
    const [described] = await h.coord.describeGroups(['a']);
    expect(described!.state).toBe('Dead');
  });
});

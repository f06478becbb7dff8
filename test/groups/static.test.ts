import { describe, expect, it } from 'vitest';
import {
  ErrorCode,
  flush,
  harness,
  joinInput,
  stableGroup,
  stateOf,
  subscription,
  syncInput,
  track,
} from './harness.js';

const hb = (memberId: string, groupInstanceId: string | null, generationId = 1) => ({
  groupId: 'g',
  generationId,
  memberId,
  groupInstanceId,
});

describe('static membership (group.instance.id)', () => {
  it('a restarted static follower takes its old place without a rebalance, keeping its assignment', async () => {
    const h = await harness();
    const [leader, follower] = await stableGroup(h, [{ groupInstanceId: 'i-0' }, { groupInstanceId: 'i-1' }]);
    const kvWrites = h.store.calls.filter((c) => c === 'kvPut').length;
    const restarted = await h.coord.joinGroup(joinInput({ groupInstanceId: 'i-1' }));
    await flush();
    expect(restarted).toMatchObject({
      errorCode: ErrorCode.NONE,
      generationId: 1,
      leader: leader?.memberId,
      skipAssignment: false,
      members: [],
    });
    expect(restarted.memberId).toMatch(/^i-1-u\d+$/);
    expect(restarted.memberId).not.toBe(follower?.memberId);
    expect(await stateOf(h)).toBe('Stable');
    // The new member id was persisted.
    expect(h.store.calls.filter((c) => c === 'kvPut').length).toBe(kvWrites + 1);
    expect(h.store.kv.get('groups')?.get('g')?.toString()).toContain(restarted.memberId);

    const sync = await h.coord.syncGroup(
      syncInput({ memberId: restarted.memberId, generationId: 1, groupInstanceId: 'i-1' }),
    );
    expect(sync.assignment).toEqual(follower?.sync.assignment);
    // The old incarnation is fenced.
    expect((await h.coord.heartbeat(hb(follower?.memberId ?? '', 'i-1'))).errorCode).toBe(
      ErrorCode.FENCED_INSTANCE_ID,
    );
    expect((await h.coord.heartbeat(hb(restarted.memberId, 'i-1'))).errorCode).toBe(ErrorCode.NONE);
  });

  it('a restarted static leader before JoinGroup v9 is given the old leader id, so it acts as a follower', async () => {
    const h = await harness();
    const [leader] = await stableGroup(h, [{ groupInstanceId: 'i-0' }, { groupInstanceId: 'i-1' }]);
    expect(leader?.join.leader).toBe(leader?.memberId);
    const restarted = await h.coord.joinGroup(joinInput({ groupInstanceId: 'i-0' }));
    await flush();
    expect(restarted).toMatchObject({
      errorCode: ErrorCode.NONE,
      generationId: 1,
      leader: leader?.memberId,
      members: [],
    });
    const [d] = await h.coord.describeGroups(['g']);
    expect(d?.state).toBe('Stable');
    expect(d?.members.map((m) => m.memberId)).toContain(restarted.memberId);
    const sync = await h.coord.syncGroup(
      syncInput({ memberId: restarted.memberId, generationId: 1, groupInstanceId: 'i-0' }),
    );
    expect(sync.assignment).toEqual(leader?.sync.assignment);
  });

  it('a restarted static leader with JoinGroup v9+ is told it leads but must skip the assignment', async () => {
    const h = await harness();
    await stableGroup(h, [{ groupInstanceId: 'i-0' }, { groupInstanceId: 'i-1' }]);
    const restarted = await h.coord.joinGroup(
      joinInput({ groupInstanceId: 'i-0', supportSkippingAssignment: true }),
    );
    await flush();
    expect(restarted).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1, skipAssignment: true });
    expect(restarted.leader).toBe(restarted.memberId);
    expect(restarted.members.map((m) => m.groupInstanceId).sort()).toEqual(['i-0', 'i-1']);
    expect(await stateOf(h)).toBe('Stable');
  });

  it('rebalances when the restarted member’s protocols change the group’s selection', async () => {
    const h = await harness();
    const meta = subscription(['t1']);
    await stableGroup(h, [
      {
        groupInstanceId: 'i-0',
        protocols: [
          { name: 'range', metadata: meta },
          { name: 'rr', metadata: meta },
        ],
      },
      {
        groupInstanceId: 'i-1',
        protocols: [
          { name: 'range', metadata: meta },
          { name: 'rr', metadata: meta },
        ],
      },
    ]);
    const restarted = track(
      h.coord.joinGroup(joinInput({ groupInstanceId: 'i-1', protocols: [{ name: 'rr', metadata: meta }] })),
    );
    await flush();
    expect(restarted.settled).toBe(false);
    expect(await stateOf(h)).toBe('PreparingRebalance');
  });

  it('a conflicting duplicate instance gets FENCED_INSTANCE_ID on every API', async () => {
    const h = await harness();
    const [m] = await stableGroup(h, [{ groupInstanceId: 'i-0' }]);
    const restarted = await h.coord.joinGroup(joinInput({ groupInstanceId: 'i-0' }));
    await flush();
    const stale = m?.memberId ?? '';
    expect(restarted.memberId).not.toBe(stale);
    const join = await h.coord.joinGroup(joinInput({ groupInstanceId: 'i-0', memberId: stale }));
    expect(join).toMatchObject({ errorCode: ErrorCode.FENCED_INSTANCE_ID, memberId: stale });
    const sync = await h.coord.syncGroup(
      syncInput({ memberId: stale, generationId: 1, groupInstanceId: 'i-0' }),
    );
    expect(sync.errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect((await h.coord.heartbeat(hb(stale, 'i-0'))).errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
    const commit = await h.coord.commitOffsets({
      groupId: 'g',
      memberId: stale,
      groupInstanceId: 'i-0',
      generationId: 1,
      retentionTimeMs: -1,
      partitions: [
        { topic: 't1', partition: 0, offset: 1n, leaderEpoch: -1, metadata: null, commitTimestampMs: -1 },
      ],
    });
    expect(commit[0]?.errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
    const leave = await h.coord.leaveGroup({
      groupId: 'g',
      members: [{ memberId: stale, groupInstanceId: 'i-0', reason: null }],
    });
    expect(leave.members[0]?.errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect(await stateOf(h)).toBe('Stable');
  });

  it('an unknown instance id with a member id is UNKNOWN_MEMBER_ID', async () => {
    const h = await harness();
    const [m] = await stableGroup(h, [{ groupInstanceId: 'i-0' }]);
    const r = await h.coord.joinGroup(joinInput({ groupInstanceId: 'i-9', memberId: m?.memberId }));
    expect(r.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('a restart during PreparingRebalance fences the parked old JoinGroup and joins in its place', async () => {
    const h = await harness();
    const members = await stableGroup(h, [{ groupInstanceId: 'i-0' }, { groupInstanceId: 'i-1' }]);
    const li = members.findIndex((m) => m.join.leader === m.memberId);
    const leader = members[li];
    const other = members[1 - li];
    // The leader rejoining starts a rebalance; its JoinGroup is parked.
    const oldJoin = track(
      h.coord.joinGroup(joinInput({ groupInstanceId: `i-${li}`, memberId: leader?.memberId })),
    );
    await flush();
    expect(await stateOf(h)).toBe('PreparingRebalance');
    const newJoin = track(h.coord.joinGroup(joinInput({ groupInstanceId: `i-${li}` })));
    await flush();
    expect(oldJoin.value).toMatchObject({
      errorCode: ErrorCode.FENCED_INSTANCE_ID,
      memberId: leader?.memberId,
    });
    expect(newJoin.settled).toBe(false);
    const ja = track(
      h.coord.joinGroup(joinInput({ groupInstanceId: `i-${1 - li}`, memberId: other?.memberId })),
    );
    await flush();
    expect(ja.value.generationId).toBe(2);
    expect(newJoin.value).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2 });
  });

  it('a restart during CompletingRebalance triggers a new rebalance', async () => {
    const h = await harness();
    const joins = ['i-0', 'i-1'].map((id) => track(h.coord.joinGroup(joinInput({ groupInstanceId: id }))));
    h.time.advance(6000);
    await flush();
    expect(await stateOf(h)).toBe('CompletingRebalance');
    const leaderId = joins[0]?.value.leader ?? '';
    const followerIndex = joins[0]?.value.memberId === leaderId ? 1 : 0;
    const followerInstance = `i-${followerIndex}`;
    const followerId = joins[followerIndex]?.value.memberId ?? '';
    const followerSync = track(
      h.coord.syncGroup(
        syncInput({ memberId: followerId, generationId: 1, groupInstanceId: followerInstance }),
      ),
    );
    await flush();
    expect(followerSync.settled).toBe(false);
    const restarted = track(h.coord.joinGroup(joinInput({ groupInstanceId: followerInstance })));
    await flush();
    expect(followerSync.value.errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect(await stateOf(h)).toBe('PreparingRebalance');
    expect(restarted.settled).toBe(false);
    const lj = track(
      h.coord.joinGroup(joinInput({ memberId: leaderId, groupInstanceId: `i-${1 - followerIndex}` })),
    );
    await flush();
    expect(lj.value.generationId).toBe(2);
    expect(restarted.value).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2 });
  });

  it('keeps static members that do not rejoin through the rebalance; their session timeout removes them', async () => {
    const h = await harness();
    const [a, b] = await stableGroup(h, [
      { groupInstanceId: 'i-0', sessionTimeoutMs: 60_000, rebalanceTimeoutMs: 20_000 },
      { groupInstanceId: 'i-1', sessionTimeoutMs: 60_000, rebalanceTimeoutMs: 20_000 },
    ]);
    const leader = a?.join.leader === a?.memberId ? a : b;
    const other = leader === a ? b : a;
    const lj = track(
      h.coord.joinGroup(
        joinInput({
          memberId: leader?.memberId,
          groupInstanceId: leader === a ? 'i-0' : 'i-1',
          sessionTimeoutMs: 60_000,
          rebalanceTimeoutMs: 20_000,
        }),
      ),
    );
    h.time.advance(20_000);
    await flush();
    // The silent static member is still in generation 2's member list.
    expect(lj.value.generationId).toBe(2);
    expect(lj.value.members.map((m) => m.memberId).sort()).toEqual([a?.memberId, b?.memberId].sort());
    const ls = track(
      h.coord.syncGroup(
        syncInput({
          memberId: leader?.memberId ?? '',
          generationId: 2,
          groupInstanceId: leader === a ? 'i-0' : 'i-1',
          assignments: [],
        }),
      ),
    );
    await flush();
    expect(ls.value.errorCode).toBe(ErrorCode.NONE);
    // It never syncs: the sync deadline (rebalance timeout) removes it and the group rebalances.
    h.time.advance(20_000);
    await flush();
    expect(await stateOf(h)).toBe('PreparingRebalance');
    expect(
      (await h.coord.heartbeat(hb(other?.memberId ?? '', leader === a ? 'i-1' : 'i-0', 2))).errorCode,
    ).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('removes a static member by instance id (LeaveGroup with empty member id)', async () => {
    const h = await harness();
    const [, b] = await stableGroup(h, [{ groupInstanceId: 'i-0' }, { groupInstanceId: 'i-1' }]);
    const r = await h.coord.leaveGroup({
      groupId: 'g',
      members: [
        { memberId: '', groupInstanceId: 'i-1', reason: 'admin' },
        { memberId: '', groupInstanceId: 'i-7', reason: 'admin' },
      ],
    });
    expect(r.members).toEqual([
      { memberId: '', groupInstanceId: 'i-1', errorCode: ErrorCode.NONE },
      { memberId: '', groupInstanceId: 'i-7', errorCode: ErrorCode.UNKNOWN_MEMBER_ID },
    ]);
    expect(await stateOf(h)).toBe('PreparingRebalance');
    expect((await h.coord.heartbeat(hb(b?.memberId ?? '', 'i-1'))).errorCode).toBe(
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
  });

  it('keeps the old member id when persisting the restarted member fails', async () => {
    const h = await harness();
    const [, b] = await stableGroup(h, [{ groupInstanceId: 'i-0' }, { groupInstanceId: 'i-1' }]);
    h.store.failNext('kvPut', new Error('io'));
    const r = await h.coord.joinGroup(joinInput({ groupInstanceId: 'i-1' }));
    expect(r).toMatchObject({ errorCode: ErrorCode.NOT_COORDINATOR, memberId: '', generationId: 1 });
    expect((await h.coord.heartbeat(hb(b?.memberId ?? '', 'i-1'))).errorCode).toBe(ErrorCode.NONE);
    expect(await stateOf(h)).toBe('Stable');
  });
});

import { describe, expect, it } from 'vitest';
import type {
  DescribeGroupsResponse,
  HeartbeatResponse,
  JoinGroupResponse,
  SyncGroupResponse,
} from '../../src/protocol/generated/index.js';
import {
  API,
  ErrorCode,
  describeState,
  groupHarness,
  joinRequest,
  stableGroup,
  subscription,
  syncRequest,
} from './support.js';

describe('JoinGroup', () => {
  it.each([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])(
    'v%i forms a one-member group with this member as leader',
    async (v) => {
      const h = await groupHarness();
      let join = h.start<JoinGroupResponse>(API.JoinGroup, v, joinRequest());
      await h.advance(0);
      if (v >= 4) {
        // v4+: a new dynamic member is first given its id, and must come back with it.
        expect(join.value.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
        expect(join.value.memberId).toBe(`test-client-uuid${/\d+$/.exec(join.value.memberId)![0]}`);
        expect(join.value.generationId).toBe(-1);
        expect(join.value.protocolName).toBe(v >= 7 ? null : '');
        join = h.start<JoinGroupResponse>(API.JoinGroup, v, joinRequest({ memberId: join.value.memberId }));
        await h.advance(0);
      }
      // A new group waits group.initial.rebalance.delay.ms for more members.
      expect(join.settled).toBe(false);
      await h.advance(3000);
      const res = join.value;
      expect(res).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1, protocolName: 'range' });
      expect(res.leader).toBe(res.memberId);
      expect(res.members).toHaveLength(1);
      expect(res.members[0]).toMatchObject({ memberId: res.memberId, metadata: subscription(['t1']) });
      if (v >= 5) expect(res.members[0]!.groupInstanceId).toBeNull();
      if (v >= 7) expect(res.protocolType).toBe('consumer');
      if (v >= 9) expect(res.skipAssignment).toBe(false);
      expect(await describeState(h)).toBe('CompletingRebalance');
    },
  );

  it('records the client id and the client host as Kafka reports them', async () => {
    const h = await groupHarness();
    const join = h.start<JoinGroupResponse>(API.JoinGroup, 3, joinRequest(), 'my-app');
    await h.advance(3000);
    expect(join.value.memberId).toMatch(/^my-app-/);
    const d = await h.call<DescribeGroupsResponse>(API.DescribeGroups, 0, { groups: ['g'] });
    expect(d.groups[0]!.members[0]).toMatchObject({ clientId: 'my-app', clientHost: '/10.1.2.3' });
  });

  it('does not ask static members (v5+) for a member id first', async () => {
    const h = await groupHarness();
    const join = h.start<JoinGroupResponse>(API.JoinGroup, 5, joinRequest({ groupInstanceId: 'i1' }));
    await h.advance(3000);
    expect(join.value.errorCode).toBe(ErrorCode.NONE);
    expect(join.value.memberId).toMatch(/^i1-/);
    expect(join.value.members[0]!.groupInstanceId).toBe('i1');
  });

  it.each([
    [1, 5999],
    [5, 1_800_001],
  ])('v%i refuses session timeout %i with INVALID_SESSION_TIMEOUT', async (v, sessionTimeoutMs) => {
    const h = await groupHarness();
    const res = await h.call<JoinGroupResponse>(API.JoinGroup, v, joinRequest({ sessionTimeoutMs }));
    expect(res).toMatchObject({
      errorCode: ErrorCode.INVALID_SESSION_TIMEOUT,
      generationId: -1,
      memberId: '',
    });
  });

  it('uses the configured session timeout bounds', async () => {
    const h = await groupHarness({ groups: { minSessionTimeoutMs: 20_000 } });
    const res = await h.call<JoinGroupResponse>(API.JoinGroup, 3, joinRequest({ sessionTimeoutMs: 10_000 }));
    expect(res.errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
  });

  it('refuses a member whose protocols do not fit the group with INCONSISTENT_GROUP_PROTOCOL', async () => {
    const h = await groupHarness();
    await stableGroup(h, [{}]);
    const otherType = await h.call<JoinGroupResponse>(
      API.JoinGroup,
      3,
      joinRequest({ protocolType: 'connect' }),
    );
    expect(otherType.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const otherName = await h.call<JoinGroupResponse>(
      API.JoinGroup,
      7,
      joinRequest({ protocols: [{ name: 'roundrobin', metadata: Buffer.alloc(0) }] }),
    );
    expect(otherName).toMatchObject({ errorCode: ErrorCode.INCONSISTENT_GROUP_PROTOCOL, protocolName: null });
  });

  it('answers UNKNOWN_MEMBER_ID to a member id the group does not know, INVALID_GROUP_ID to an empty id', async () => {
    const h = await groupHarness();
    const stale = await h.call<JoinGroupResponse>(API.JoinGroup, 2, joinRequest({ memberId: 'gone' }));
    expect(stale).toMatchObject({
      errorCode: ErrorCode.UNKNOWN_MEMBER_ID,
      memberId: 'gone',
      protocolName: '',
    });
    const empty = await h.call<JoinGroupResponse>(API.JoinGroup, 0, joinRequest({ groupId: '' }));
    expect(empty.errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
  });

  it('v0 bounds the join window by the session timeout (it has no rebalance timeout)', async () => {
    const h = await groupHarness();
    const [a] = await stableGroup(h, [{ sessionTimeoutMs: 10_000 }], 0);
    const b = h.start<JoinGroupResponse>(API.JoinGroup, 0, joinRequest({ sessionTimeoutMs: 10_000 }));
    await h.advance(5000);
    // The old member keeps heartbeating (told to rejoin) but never rejoins.
    const hb = await h.call<HeartbeatResponse>(API.Heartbeat, 0, {
      groupId: 'g',
      generationId: a!.generationId,
      memberId: a!.memberId,
    });
    expect(hb.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect(b.settled).toBe(false);
    await h.advance(5000);
    expect(b.value).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2 });
    expect(b.value.members.map((m) => m.memberId)).toEqual([b.value.memberId]);
  });

  it('lets a restarted static member take its place without a rebalance (v9: the leader skips assigning)', async () => {
    const h = await groupHarness();
    const [a, b] = await stableGroup(h, [{ groupInstanceId: 'i1' }, { groupInstanceId: 'i2' }]);
    const leader = a!.leader === a!.memberId ? a! : b!;
    const restarted = await h.call<JoinGroupResponse>(
      API.JoinGroup,
      9,
      joinRequest({ groupInstanceId: leader.groupInstanceId }),
    );
    expect(restarted).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1, skipAssignment: true });
    expect(restarted.memberId).not.toBe(leader.memberId);
    expect(restarted.leader).toBe(restarted.memberId);
    expect(restarted.members).toHaveLength(2);
    expect(await describeState(h)).toBe('Stable');
    // The old incarnation is fenced.
    const fenced = await h.call<HeartbeatResponse>(API.Heartbeat, 3, {
      groupId: 'g',
      generationId: 1,
      memberId: leader.memberId,
      groupInstanceId: leader.groupInstanceId,
    });
    expect(fenced.errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
    const sync = await h.call<SyncGroupResponse>(
      API.SyncGroup,
      5,
      syncRequest({
        memberId: restarted.memberId,
        generationId: 1,
        groupInstanceId: leader.groupInstanceId,
        protocolType: 'consumer',
        protocolName: 'range',
      }),
    );
    expect(sync.errorCode).toBe(ErrorCode.NONE);
    expect(sync.assignment).toEqual(Buffer.from(`assignment-${leader === a ? 0 : 1}`));
  });

  it('before v9 a restarted static leader is told the old leader id, so it fetches its assignment', async () => {
    const h = await groupHarness();
    const [a] = await stableGroup(h, [{ groupInstanceId: 'i1' }]);
    const restarted = await h.call<JoinGroupResponse>(
      API.JoinGroup,
      5,
      joinRequest({ groupInstanceId: 'i1' }),
    );
    expect(restarted).toMatchObject({ errorCode: ErrorCode.NONE, leader: a!.memberId, members: [] });
    expect(restarted.memberId).not.toBe(a!.memberId);
  });

  it('fences a second static member joining with a stale member id', async () => {
    const h = await groupHarness();
    await stableGroup(h, [{ groupInstanceId: 'i1' }]);
    const res = await h.call<JoinGroupResponse>(
      API.JoinGroup,
      5,
      joinRequest({ groupInstanceId: 'i1', memberId: 'i1-somebody-else' }),
    );
    expect(res.errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
  });
});

describe('SyncGroup', () => {
  it.each([0, 1, 2, 3, 4, 5])('v%i hands the leader assignment to a waiting follower', async (v) => {
    const h = await groupHarness();
    const joins = [0, 1].map(() => h.start<JoinGroupResponse>(API.JoinGroup, 3, joinRequest()));
    // The second arrival extends the initial delay once.
    await h.advance(3000);
    await h.advance(3000);
    const [x, y] = joins.map((j) => j.value);
    const leader = x!.leader === x!.memberId ? x! : y!;
    const follower = leader === x ? y! : x!;
    const typeAndName = v >= 5 ? { protocolType: 'consumer', protocolName: 'range' } : {};
    const followerSync = h.start<SyncGroupResponse>(
      API.SyncGroup,
      v,
      syncRequest({ memberId: follower.memberId, generationId: 1, ...typeAndName }),
    );
    await h.advance(0);
    expect(followerSync.settled).toBe(false);
    const leaderSync = await h.call<SyncGroupResponse>(
      API.SyncGroup,
      v,
      syncRequest({
        memberId: leader.memberId,
        generationId: 1,
        ...typeAndName,
        assignments: [
          { memberId: leader.memberId, assignment: Buffer.from('L') },
          { memberId: follower.memberId, assignment: Buffer.from('F') },
        ],
      }),
    );
    await followerSync.promise;
    expect(leaderSync).toMatchObject({ errorCode: ErrorCode.NONE, assignment: Buffer.from('L') });
    expect(followerSync.value).toMatchObject({ errorCode: ErrorCode.NONE, assignment: Buffer.from('F') });
    if (v >= 5) expect(leaderSync).toMatchObject({ protocolType: 'consumer', protocolName: 'range' });
    expect(await describeState(h)).toBe('Stable');
  });

  it('v5 requires the protocol type and name, and checks them (INCONSISTENT_GROUP_PROTOCOL)', async () => {
    const h = await groupHarness();
    const [m] = await stableGroup(h, [{}]);
    const base = { memberId: m!.memberId, generationId: m!.generationId };
    const missing = await h.call<SyncGroupResponse>(
      API.SyncGroup,
      5,
      syncRequest({ ...base, protocolType: 'consumer' }),
    );
    expect(missing).toMatchObject({
      errorCode: ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
      assignment: Buffer.alloc(0),
    });
    const wrong = await h.call<SyncGroupResponse>(
      API.SyncGroup,
      5,
      syncRequest({ ...base, protocolType: 'consumer', protocolName: 'roundrobin' }),
    );
    expect(wrong.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  });

  it('answers ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID and REBALANCE_IN_PROGRESS', async () => {
    const h = await groupHarness();
    const [m] = await stableGroup(h, [{}]);
    const badGeneration = await h.call<SyncGroupResponse>(
      API.SyncGroup,
      3,
      syncRequest({ memberId: m!.memberId, generationId: 7 }),
    );
    expect(badGeneration.errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    const unknown = await h.call<SyncGroupResponse>(
      API.SyncGroup,
      3,
      syncRequest({ memberId: 'x', generationId: 1 }),
    );
    expect(unknown.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    // A new member starts a rebalance; the old member's SyncGroup for its generation is told to rejoin.
    h.start<JoinGroupResponse>(API.JoinGroup, 3, joinRequest());
    await h.advance(0);
    expect(await describeState(h)).toBe('PreparingRebalance');
    const rebalancing = await h.call<SyncGroupResponse>(
      API.SyncGroup,
      3,
      syncRequest({ memberId: m!.memberId, generationId: 1 }),
    );
    expect(rebalancing.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
  });
});

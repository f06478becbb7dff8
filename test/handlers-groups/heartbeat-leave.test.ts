import { describe, expect, it } from 'vitest';
import type {
  HeartbeatResponse,
  JoinGroupResponse,
  LeaveGroupResponse,
  SyncGroupResponse,
} from '../../src/protocol/generated/index.js';
import {
  API,
  ErrorCode,
  describeState,
  groupHarness,
  joinRequest,
  stableGroup,
  syncRequest,
} from './support.js';

function heartbeat(memberId: string, generationId: number, groupInstanceId: string | null = null) {
  return { groupId: 'g', generationId, memberId, groupInstanceId };
}

describe('Heartbeat', () => {
  it.each([0, 1, 2, 3, 4])('v%i keeps a member of a Stable group', async (v) => {
    const h = await groupHarness();
    const [m] = await stableGroup(h, [{}]);
    for (let i = 0; i < 4; i++) {
      await h.advance(8000);
      const res = await h.call<HeartbeatResponse>(API.Heartbeat, v, heartbeat(m!.memberId, m!.generationId));
      expect(res.errorCode).toBe(ErrorCode.NONE);
    }
    // 32 s passed with a 10 s session timeout: the heartbeats kept the member.
    expect(await describeState(h)).toBe('Stable');
  });

  it('lets a silent member expire after its session timeout', async () => {
    const h = await groupHarness();
    const [m] = await stableGroup(h, [{}]);
    await h.advance(10_000);
    expect(await describeState(h)).toBe('Empty');
    const res = await h.call<HeartbeatResponse>(API.Heartbeat, 2, heartbeat(m!.memberId, m!.generationId));
    expect(res.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('answers REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID and INVALID_GROUP_ID', async () => {
    const h = await groupHarness();
    const [m] = await stableGroup(h, [{}]);
    const call = (body: object) => h.call<HeartbeatResponse>(API.Heartbeat, 4, body);
    expect((await call(heartbeat(m!.memberId, 2))).errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect((await call(heartbeat('nobody', 1))).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect((await call({ ...heartbeat('x', 1), groupId: 'other' })).errorCode).toBe(
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
    expect((await call({ ...heartbeat('x', 1), groupId: '' })).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
    h.start<JoinGroupResponse>(API.JoinGroup, 3, joinRequest());
    await h.advance(0);
    expect((await call(heartbeat(m!.memberId, 1))).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
  });

  it('v3+ fences a static member by an outdated member id (FENCED_INSTANCE_ID)', async () => {
    const h = await groupHarness();
    const [m] = await stableGroup(h, [{ groupInstanceId: 'i1' }]);
    const res = await h.call<HeartbeatResponse>(API.Heartbeat, 3, heartbeat('i1-old', 1, 'i1'));
    expect(res.errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
    const ok = await h.call<HeartbeatResponse>(API.Heartbeat, 3, heartbeat(m!.memberId, 1, 'i1'));
    expect(ok.errorCode).toBe(ErrorCode.NONE);
  });
});

describe('LeaveGroup', () => {
  it.each([0, 1, 2])('v%i removes the member named at the top level', async (v) => {
    const h = await groupHarness();
    const [m] = await stableGroup(h, [{}]);
    const res = await h.call<LeaveGroupResponse>(API.LeaveGroup, v, { groupId: 'g', memberId: m!.memberId });
    expect(res.errorCode).toBe(ErrorCode.NONE);
    expect(await describeState(h)).toBe('Empty');
  });

  it.each([0, 2])('v%i reports the member error at the top level (no member list before v3)', async (v) => {
    const h = await groupHarness();
    await stableGroup(h, [{}]);
    const res = await h.call<LeaveGroupResponse>(API.LeaveGroup, v, { groupId: 'g', memberId: 'nobody' });
    expect(res.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const unknownGroup = await h.call<LeaveGroupResponse>(API.LeaveGroup, v, {
      groupId: 'nope',
      memberId: 'x',
    });
    expect(unknownGroup.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const invalid = await h.call<LeaveGroupResponse>(API.LeaveGroup, v, { groupId: '', memberId: 'x' });
    expect(invalid.errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
  });

  it.each([3, 4, 5])('v%i answers per member, removes static members by instance id', async (v) => {
    const h = await groupHarness();
    const [a, b] = await stableGroup(h, [{ groupInstanceId: 'i1' }, {}]);
    const res = await h.call<LeaveGroupResponse>(API.LeaveGroup, v, {
      groupId: 'g',
      members: [
        { memberId: '', groupInstanceId: 'i1', reason: 'admin removal' },
        { memberId: 'i2-stale', groupInstanceId: 'i2', reason: null },
        { memberId: 'nobody', groupInstanceId: null, reason: null },
      ],
    });
    expect(res.errorCode).toBe(ErrorCode.NONE);
    expect(res.members).toEqual([
      { memberId: '', groupInstanceId: 'i1', errorCode: ErrorCode.NONE },
      { memberId: 'i2-stale', groupInstanceId: 'i2', errorCode: ErrorCode.UNKNOWN_MEMBER_ID },
      { memberId: 'nobody', groupInstanceId: null, errorCode: ErrorCode.UNKNOWN_MEMBER_ID },
    ]);
    // The static member left, so the remaining one is told to rejoin.
    const hb = await h.call<HeartbeatResponse>(API.Heartbeat, 3, heartbeat(b!.memberId, b!.generationId));
    expect(hb.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const gone = await h.call<HeartbeatResponse>(API.Heartbeat, 3, heartbeat(a!.memberId, 1, 'i1'));
    expect(gone.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('fences a static member leaving with an outdated member id', async () => {
    const h = await groupHarness();
    await stableGroup(h, [{ groupInstanceId: 'i1' }]);
    const res = await h.call<LeaveGroupResponse>(API.LeaveGroup, 4, {
      groupId: 'g',
      members: [{ memberId: 'i1-old', groupInstanceId: 'i1' }],
    });
    expect(res.members![0]!.errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect(await describeState(h)).toBe('Stable');
  });

  it('a leaving member completes a rebalance the others were waiting on', async () => {
    const h = await groupHarness();
    const [a, b] = await stableGroup(h, [{}, {}]);
    const rejoin = h.start<JoinGroupResponse>(API.JoinGroup, 3, joinRequest({ memberId: a!.memberId }));
    await h.advance(0);
    expect(rejoin.settled).toBe(false);
    await h.call<LeaveGroupResponse>(API.LeaveGroup, 1, { groupId: 'g', memberId: b!.memberId });
    await h.advance(0);
    expect(rejoin.value).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2, leader: a!.memberId });
    const sync = await h.call<SyncGroupResponse>(
      API.SyncGroup,
      3,
      syncRequest({
        memberId: a!.memberId,
        generationId: 2,
        assignments: [{ memberId: a!.memberId, assignment: Buffer.from('all') }],
      }),
    );
    expect(sync.assignment).toEqual(Buffer.from('all'));
  });
});

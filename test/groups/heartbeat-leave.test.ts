import { describe, expect, it } from 'vitest';
import { ErrorCode, flush, harness, joinInput, stableGroup, stateOf, syncInput, track } from './harness.js';

const hbInput = (memberId: string, generationId = 1, groupId = 'g') => ({
  groupId,
  generationId,
  memberId,
  groupInstanceId: null,
});

describe('Heartbeat', () => {
  it('answers NONE in Stable and CompletingRebalance, REBALANCE_IN_PROGRESS in PreparingRebalance', async () => {
    const h = await harness();
    const a = track(h.coord.joinGroup(joinInput()));
    h.time.advance(3000);
    await flush();
    expect(await stateOf(h)).toBe('CompletingRebalance');
    const id = a.value.memberId;
    expect((await h.coord.heartbeat(hbInput(id))).errorCode).toBe(ErrorCode.NONE);
    await h.coord.syncGroup(syncInput({ memberId: id, generationId: 1 }));
    await flush();
    expect(await stateOf(h)).toBe('Stable');
    expect((await h.coord.heartbeat(hbInput(id))).errorCode).toBe(ErrorCode.NONE);
    void h.coord.joinGroup(joinInput());
    expect(await stateOf(h)).toBe('PreparingRebalance');
    expect((await h.coord.heartbeat(hbInput(id))).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
  });

  it('answers ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID and INVALID_GROUP_ID', async () => {
    const h = await harness();
    const [m] = await stableGroup(h, [{}]);
    expect((await h.coord.heartbeat(hbInput(m?.memberId ?? '', 7))).errorCode).toBe(
      ErrorCode.ILLEGAL_GENERATION,
    );
    expect((await h.coord.heartbeat(hbInput('nobody'))).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect((await h.coord.heartbeat(hbInput('x', 1, 'no-such-group'))).errorCode).toBe(
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
    expect((await h.coord.heartbeat(hbInput('x', 1, ''))).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
  });

  it('keeps heartbeating members past their session timeout and removes a silent one (Stable -> PreparingRebalance)', async () => {
    const h = await harness();
    const [a, b] = await stableGroup(h, [{}, {}]);
    h.time.advance(9000);
    expect((await h.coord.heartbeat(hbInput(a?.memberId ?? ''))).errorCode).toBe(ErrorCode.NONE);
    expect((await h.coord.heartbeat(hbInput(b?.memberId ?? ''))).errorCode).toBe(ErrorCode.NONE);
    h.time.advance(9000);
    expect((await h.coord.heartbeat(hbInput(a?.memberId ?? ''))).errorCode).toBe(ErrorCode.NONE);
    expect(await stateOf(h)).toBe('Stable');
    h.time.advance(1000);
    // b last heartbeated 10s ago (its session timeout): gone, and the group rebalances.
    expect(await stateOf(h)).toBe('PreparingRebalance');
    expect((await h.coord.heartbeat(hbInput(b?.memberId ?? ''))).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const rejoin = track(h.coord.joinGroup(joinInput({ memberId: a?.memberId })));
    await flush();
    expect(rejoin.value).toMatchObject({ generationId: 2, leader: a?.memberId });
  });

  it('counts an offset commit as a heartbeat', async () => {
    const h = await harness();
    const [m] = await stableGroup(h, [{}]);
    for (let i = 0; i < 4; i++) {
      h.time.advance(8000);
      const r = await h.coord.commitOffsets({
        groupId: 'g',
        memberId: m?.memberId ?? '',
        groupInstanceId: null,
        generationId: 1,
        retentionTimeMs: -1,
        partitions: [
          {
            topic: 't1',
            partition: 0,
            offset: BigInt(i),
            leaderEpoch: -1,
            metadata: null,
            commitTimestampMs: -1,
          },
        ],
      });
      expect(r[0]?.errorCode).toBe(ErrorCode.NONE);
    }
    expect(await stateOf(h)).toBe('Stable');
  });

  it('removes the last silent member and empties the group (PreparingRebalance -> Empty)', async () => {
    const h = await harness();
    await stableGroup(h, [{}]);
    h.time.advance(10_000);
    await flush();
    expect(await stateOf(h)).toBe('Empty');
    // The empty generation was persisted.
    const stored = JSON.parse(h.store.kv.get('groups')?.get('g')?.toString() ?? '{}') as {
      generationId: number;
      members: unknown[];
    };
    expect(stored).toMatchObject({ generationId: 2, members: [] });
  });
});

describe('LeaveGroup', () => {
  it('removes a member and rebalances the rest; the next generation excludes it', async () => {
    const h = await harness();
    const [a, b] = await stableGroup(h, [{}, {}]);
    const r = await h.coord.leaveGroup({
      groupId: 'g',
      members: [{ memberId: b?.memberId ?? '', groupInstanceId: null, reason: 'bye' }],
    });
    expect(r).toEqual({
      errorCode: ErrorCode.NONE,
      members: [{ memberId: b?.memberId, groupInstanceId: null, errorCode: ErrorCode.NONE }],
    });
    expect(await stateOf(h)).toBe('PreparingRebalance');
    const rejoin = track(h.coord.joinGroup(joinInput({ memberId: a?.memberId })));
    await flush();
    expect(rejoin.value.members.map((m) => m.memberId)).toEqual([a?.memberId]);
  });

  it('answers per member, and UNKNOWN_MEMBER_ID for unknown members or groups', async () => {
    const h = await harness();
    const [a, b] = await stableGroup(h, [{}, {}]);
    const r = await h.coord.leaveGroup({
      groupId: 'g',
      members: [
        { memberId: a?.memberId ?? '', groupInstanceId: null, reason: null },
        { memberId: 'ghost', groupInstanceId: null, reason: null },
        { memberId: b?.memberId ?? '', groupInstanceId: null, reason: null },
      ],
    });
    expect(r.members.map((m) => m.errorCode)).toEqual([
      ErrorCode.NONE,
      ErrorCode.UNKNOWN_MEMBER_ID,
      ErrorCode.NONE,
    ]);
    await flush();
    expect(await stateOf(h)).toBe('Empty');
    const unknown = await h.coord.leaveGroup({
      groupId: 'nope',
      members: [{ memberId: 'm', groupInstanceId: 'i', reason: null }],
    });
    expect(unknown).toEqual({
      errorCode: ErrorCode.NONE,
      members: [{ memberId: 'm', groupInstanceId: 'i', errorCode: ErrorCode.UNKNOWN_MEMBER_ID }],
    });
    expect((await h.coord.leaveGroup({ groupId: '', members: [] })).errorCode).toBe(
      ErrorCode.INVALID_GROUP_ID,
    );
  });

  it('lets a pending member (MEMBER_ID_REQUIRED) leave, no longer holding up the rebalance', async () => {
    const h = await harness();
    const [a, b] = await stableGroup(h, [{}, {}]);
    const pending = await h.coord.joinGroup(joinInput({ requireKnownMemberId: true }));
    expect(pending.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    // Trigger a rebalance; both old members rejoin, but the pending id holds the join open.
    const ja = track(h.coord.joinGroup(joinInput({ memberId: a?.memberId })));
    const jb = track(h.coord.joinGroup(joinInput({ memberId: b?.memberId })));
    await flush();
    expect(ja.settled).toBe(false);
    const r = await h.coord.leaveGroup({
      groupId: 'g',
      members: [{ memberId: pending.memberId, groupInstanceId: null, reason: null }],
    });
    expect(r.members[0]?.errorCode).toBe(ErrorCode.NONE);
    await flush();
    expect(ja.value.generationId).toBe(2);
    expect(jb.value.generationId).toBe(2);
  });

  it('when the leader leaves during CompletingRebalance, parked followers are told to rejoin and a new leader is chosen', async () => {
    const h = await harness();
    const joins = [0, 1, 2].map(() => track(h.coord.joinGroup(joinInput())));
    h.time.advance(9000);
    await flush();
    expect(await stateOf(h)).toBe('CompletingRebalance');
    const leaderId = joins[0]?.value.leader ?? '';
    const followers = joins.map((j) => j.value.memberId).filter((id) => id !== leaderId);
    const syncs = followers.map((id) =>
      track(h.coord.syncGroup(syncInput({ memberId: id, generationId: 1 }))),
    );
    await flush();
    expect(syncs.some((s) => s.settled)).toBe(false);

    await h.coord.leaveGroup({
      groupId: 'g',
      members: [{ memberId: leaderId, groupInstanceId: null, reason: null }],
    });
    await flush();
    for (const s of syncs) expect(s.value.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect(await stateOf(h)).toBe('PreparingRebalance');

    const rejoins = followers.map((id) => track(h.coord.joinGroup(joinInput({ memberId: id }))));
    await flush();
    const newLeader = rejoins[0]?.value.leader;
    expect(followers).toContain(newLeader);
    for (const r of rejoins)
      expect(r.value).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2, leader: newLeader });
  });

  it('expires pending member ids after their session timeout', async () => {
    const h = await harness();
    const [a] = await stableGroup(h, [{}]);
    const pending = await h.coord.joinGroup(
      joinInput({ requireKnownMemberId: true, sessionTimeoutMs: 8000 }),
    );
    const ja = track(h.coord.joinGroup(joinInput({ memberId: a?.memberId })));
    await flush();
    expect(ja.settled).toBe(false); // the pending member is still expected
    h.time.advance(7999);
    await flush();
    expect(ja.settled).toBe(false);
    h.time.advance(1);
    await flush();
    expect(ja.value).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2 });
    const late = await h.coord.joinGroup(joinInput({ memberId: pending.memberId }));
    expect(late.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });
});

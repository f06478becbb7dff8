import { describe, expect, it } from 'vitest';
import { KafkaError } from '../../src/protocol/error-codes.js';
import type { JoinGroupInput, JoinGroupResult } from '../../src/groups/types.js';
import {
  ErrorCode,
  flush,
  harness,
  joinInput,
  stableGroup,
  stateOf,
  syncInput,
  track,
  type Harness,
} from './harness.js';

/** Two members joined, generation 1, CompletingRebalance. */
async function completing(
  h: Harness,
  overrides: Partial<JoinGroupInput> = {},
): Promise<{ leader: JoinGroupResult; follower: JoinGroupResult }> {
  const a = track(h.coord.joinGroup(joinInput(overrides)));
  const b = track(h.coord.joinGroup(joinInput(overrides)));
  h.time.advance(6000);
  await flush();
  const leader = a.value.leader === a.value.memberId ? a.value : b.value;
  const follower = leader === a.value ? b.value : a.value;
  return { leader, follower };
}

describe('SyncGroup', () => {
  it('parks followers until the leader assigns, then gives each its assignment (CompletingRebalance -> Stable)', async () => {
    const h = await harness();
    const { leader, follower } = await completing(h);
    const fs = track(h.coord.syncGroup(syncInput({ memberId: follower.memberId, generationId: 1 })));
    await flush();
    expect(fs.settled).toBe(false);
    const ls = await h.coord.syncGroup(
      syncInput({
        memberId: leader.memberId,
        generationId: 1,
        assignments: [
          { memberId: leader.memberId, assignment: Buffer.from('L') },
          { memberId: follower.memberId, assignment: Buffer.from('F') },
        ],
      }),
    );
    await flush();
    expect(ls).toEqual({
      errorCode: ErrorCode.NONE,
      protocolType: 'consumer',
      protocolName: 'range',
      assignment: Buffer.from('L'),
    });
    expect(fs.value.assignment).toEqual(Buffer.from('F'));
    expect(await stateOf(h)).toBe('Stable');
    // The generation was persisted before anyone was answered.
    expect(h.store.kv.get('groups')?.has('g')).toBe(true);
  });

  it('gives members the leader left out an empty assignment', async () => {
    const h = await harness();
    const { leader, follower } = await completing(h);
    const fs = track(h.coord.syncGroup(syncInput({ memberId: follower.memberId, generationId: 1 })));
    await h.coord.syncGroup(
      syncInput({
        memberId: leader.memberId,
        generationId: 1,
        assignments: [{ memberId: leader.memberId, assignment: Buffer.from('L') }],
      }),
    );
    await flush();
    expect(fs.value).toMatchObject({ errorCode: ErrorCode.NONE, assignment: Buffer.alloc(0) });
  });

  it('answers SyncGroup in Stable with the current assignment', async () => {
    const h = await harness();
    const [m0, m1] = await stableGroup(h, [{}, {}]);
    const again = await h.coord.syncGroup(syncInput({ memberId: m1?.memberId ?? '', generationId: 1 }));
    expect(again.assignment).toEqual(m1?.sync.assignment);
    expect(m0?.sync.assignment).not.toEqual(m1?.sync.assignment);
  });

  it('checks member, generation and (v5) protocol type and name', async () => {
    const h = await harness();
    const [m] = await stableGroup(h, [{}]);
    const id = m?.memberId ?? '';
    const sync = (o: Parameters<typeof syncInput>[0]) => h.coord.syncGroup(syncInput(o));
    expect((await sync({ memberId: 'nobody', generationId: 1 })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect((await sync({ memberId: id, generationId: 2 })).errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect((await sync({ memberId: id, generationId: 1, protocolType: 'connect' })).errorCode).toBe(
      ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
    );
    expect((await sync({ memberId: id, generationId: 1, protocolName: 'roundrobin' })).errorCode).toBe(
      ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
    );
    const ok = await sync({ memberId: id, generationId: 1, protocolType: 'consumer', protocolName: 'range' });
    expect(ok.errorCode).toBe(ErrorCode.NONE);
    expect((await sync({ groupId: 'other', memberId: id, generationId: 1 })).errorCode).toBe(
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
    expect((await sync({ groupId: '', memberId: id, generationId: 1 })).errorCode).toBe(
      ErrorCode.INVALID_GROUP_ID,
    );
  });

  it('answers REBALANCE_IN_PROGRESS during PreparingRebalance', async () => {
    const h = await harness();
    const [m1, m2] = await stableGroup(h, [{}, {}]);
    await h.coord.leaveGroup({
      groupId: 'g',
      members: [{ memberId: m1?.memberId ?? '', groupInstanceId: null, reason: null }],
    });
    const r = await h.coord.syncGroup(syncInput({ memberId: m2?.memberId ?? '', generationId: 1 }));
    expect(r.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
  });

  it('removes members that never send SyncGroup within the rebalance timeout, and rebalances (Stable -> PreparingRebalance)', async () => {
    const h = await harness();
    const { leader, follower } = await completing(h);
    await h.coord.syncGroup(syncInput({ memberId: leader.memberId, generationId: 1, assignments: [] }));
    await flush();
    expect(await stateOf(h)).toBe('Stable');
    // The follower heartbeats (alive) but never syncs.
    for (let t = 0; t < 30_000; t += 5000) {
      await h.coord.heartbeat({
        groupId: 'g',
        generationId: 1,
        memberId: follower.memberId,
        groupInstanceId: null,
      });
      await h.coord.heartbeat({
        groupId: 'g',
        generationId: 1,
        memberId: leader.memberId,
        groupInstanceId: null,
      });
      h.time.advance(5000);
    }
    expect(await stateOf(h)).toBe('PreparingRebalance');
    const hb = await h.coord.heartbeat({
      groupId: 'g',
      generationId: 1,
      memberId: follower.memberId,
      groupInstanceId: null,
    });
    expect(hb.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const rejoin = track(h.coord.joinGroup(joinInput({ memberId: leader.memberId })));
    await flush();
    expect(rejoin.value).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2 });
    expect(rejoin.value.members).toHaveLength(1);
  });

  it('rebalances from CompletingRebalance when members miss the sync deadline', async () => {
    const h = await harness();
    // Sessions outlast the rebalance timeout, so the sync deadline is what removes them.
    const { leader } = await completing(h, { sessionTimeoutMs: 60_000 });
    h.time.advance(29_999);
    await flush();
    expect(await stateOf(h)).toBe('CompletingRebalance');
    h.time.advance(1);
    await flush();
    // Nobody synced: both were removed, the rebalance found nobody and the group is Empty.
    expect(await stateOf(h)).toBe('Empty');
    expect(
      (
        await h.coord.heartbeat({
          groupId: 'g',
          generationId: 1,
          memberId: leader.memberId,
          groupInstanceId: null,
        })
      ).errorCode,
    ).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('propagates a failed metadata write to every parked member and rebalances', async () => {
    const h = await harness();
    const { leader, follower } = await completing(h);
    const fs = track(h.coord.syncGroup(syncInput({ memberId: follower.memberId, generationId: 1 })));
    h.store.failNext('kvPut', new Error('disk gone'));
    const ls = await h.coord.syncGroup(
      syncInput({ memberId: leader.memberId, generationId: 1, assignments: [] }),
    );
    await flush();
    expect(ls).toMatchObject({
      errorCode: ErrorCode.NOT_COORDINATOR,
      protocolType: null,
      protocolName: null,
    });
    expect(fs.value.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    expect(await stateOf(h)).toBe('PreparingRebalance');

    const h2 = await harness();
    const c2 = await completing(h2);
    h2.store.failNext('kvPut', new KafkaError(ErrorCode.REQUEST_TIMED_OUT, 'slow'));
    const r2 = await h2.coord.syncGroup(
      syncInput({ memberId: c2.leader.memberId, generationId: 1, assignments: [] }),
    );
    expect(r2.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
  });

  it('ignores a write that completes after the group moved on', async () => {
    const h = await harness();
    const { leader, follower } = await completing(h);
    const release = h.store.hold('kvPut');
    const ls = track(
      h.coord.syncGroup(syncInput({ memberId: leader.memberId, generationId: 1, assignments: [] })),
    );
    await flush();
    // The follower leaves while the assignment is being written: the group rebalances.
    await h.coord.leaveGroup({
      groupId: 'g',
      members: [{ memberId: follower.memberId, groupInstanceId: null, reason: null }],
    });
    await flush();
    expect(ls.value.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    release();
    await flush();
    expect(await stateOf(h)).not.toBe('Stable');
  });
});

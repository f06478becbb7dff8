import { describe, expect, it } from 'vitest';
import {
  ErrorCode,
  flush,
  harness,
  joinInput,
  stableGroup,
  stateOf,
  subscription,
  track,
} from './harness.js';

describe('JoinGroup', () => {
  it('issues a member id with MEMBER_ID_REQUIRED (v4+), then forms generation 1 after the initial delay', async () => {
    const h = await harness();
    const first = await h.coord.joinGroup(joinInput({ requireKnownMemberId: true, clientId: 'app' }));
    expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    expect(first.memberId).toMatch(/^app-u\d+$/);
    expect(first.generationId).toBe(-1);
    expect(await stateOf(h)).toBe('Empty');

    const join = track(
      h.coord.joinGroup(joinInput({ requireKnownMemberId: true, memberId: first.memberId })),
    );
    await flush();
    expect(await stateOf(h)).toBe('PreparingRebalance');
    h.time.advance(2999);
    await flush();
    expect(join.settled).toBe(false);
    h.time.advance(1);
    await flush();
    expect(join.value).toMatchObject({
      errorCode: ErrorCode.NONE,
      generationId: 1,
      memberId: first.memberId,
      leader: first.memberId,
      protocolType: 'consumer',
      protocolName: 'range',
      skipAssignment: false,
    });
    expect(join.value.members).toEqual([
      { memberId: first.memberId, groupInstanceId: null, metadata: subscription(['t1']) },
    ]);
    expect(await stateOf(h)).toBe('CompletingRebalance');
  });

  it('joins directly before v4 (no MEMBER_ID_REQUIRED round)', async () => {
    const h = await harness();
    const join = track(h.coord.joinGroup(joinInput({ clientId: 'old' })));
    h.time.advance(3000);
    await flush();
    expect(join.value.errorCode).toBe(ErrorCode.NONE);
    expect(join.value.memberId).toMatch(/^old-u\d+$/);
  });

  it('waits the whole initial delay even when everyone has joined', async () => {
    const h = await harness({ config: { initialRebalanceDelayMs: 500 } });
    const join = track(h.coord.joinGroup(joinInput()));
    await flush();
    expect(join.settled).toBe(false);
    h.time.advance(500);
    await flush();
    expect(join.settled).toBe(true);
  });

  it('extends the initial delay while members keep arriving, capped by the rebalance timeout', async () => {
    const h = await harness();
    const opts = { rebalanceTimeoutMs: 10_000 };
    const a = track(h.coord.joinGroup(joinInput(opts))); // t=0: wait 3000, 7000 left
    h.time.advance(1000);
    const b = track(h.coord.joinGroup(joinInput(opts))); // t=1000
    h.time.advance(2000); // t=3000: extended by 3000, 4000 left
    await flush();
    expect(a.settled).toBe(false);
    h.time.advance(1000);
    const c = track(h.coord.joinGroup(joinInput(opts))); // t=4000
    h.time.advance(2000); // t=6000: extended by 3000, 1000 left
    await flush();
    expect(a.settled).toBe(false);
    h.time.advance(1000);
    const d = track(h.coord.joinGroup(joinInput(opts))); // t=7000
    h.time.advance(2000); // t=9000: extended by min(3000, 1000)
    await flush();
    expect(a.settled).toBe(false);
    h.time.advance(999);
    await flush();
    expect(a.settled).toBe(false);
    h.time.advance(1); // t=10000 = the rebalance timeout
    await flush();
    for (const j of [a, b, c, d])
      expect(j.value).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1 });
    expect(a.value.members).toHaveLength(4);
  });

  it('completes without the initial delay once the group has had a generation', async () => {
    const h = await harness();
    const [m1, m2] = await stableGroup(h, [{}, {}]);
    // Leader rejoins (Stable -> PreparingRebalance), then the follower: done at once, no delay.
    const leader = m1?.join.leader === m1?.memberId ? m1 : m2;
    const follower = leader === m1 ? m2 : m1;
    const lj = track(h.coord.joinGroup(joinInput({ memberId: leader?.memberId })));
    await flush();
    expect(await stateOf(h)).toBe('PreparingRebalance');
    const fj = track(h.coord.joinGroup(joinInput({ memberId: follower?.memberId })));
    await flush();
    expect(lj.value.generationId).toBe(2);
    expect(fj.value.generationId).toBe(2);
    expect(lj.value.members).toHaveLength(2);
    expect(fj.value.members).toHaveLength(0);
  });

  it('rejects session timeouts outside the configured bounds with INVALID_SESSION_TIMEOUT', async () => {
    const h = await harness({ config: { minSessionTimeoutMs: 1000, maxSessionTimeoutMs: 5000 } });
    for (const sessionTimeoutMs of [999, 5001]) {
      const r = await h.coord.joinGroup(joinInput({ sessionTimeoutMs, memberId: 'x' }));
      expect(r).toMatchObject({
        errorCode: ErrorCode.INVALID_SESSION_TIMEOUT,
        memberId: 'x',
        generationId: -1,
      });
    }
    const d = await harness();
    expect((await d.coord.joinGroup(joinInput({ sessionTimeoutMs: 5999 }))).errorCode).toBe(
      ErrorCode.INVALID_SESSION_TIMEOUT,
    );
    expect((await d.coord.joinGroup(joinInput({ sessionTimeoutMs: 1_800_001 }))).errorCode).toBe(
      ErrorCode.INVALID_SESSION_TIMEOUT,
    );
    expect(await stateOf(d)).toBe('Dead'); // no group was created
  });

  it('answers INVALID_GROUP_ID for an empty group id', async () => {
    const h = await harness();
    expect((await h.coord.joinGroup(joinInput({ groupId: '' }))).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
  });

  it('answers UNKNOWN_MEMBER_ID for a member id the group does not know', async () => {
    const h = await harness();
    // Unknown group: not created.
    expect((await h.coord.joinGroup(joinInput({ memberId: 'stale' }))).errorCode).toBe(
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
    expect(await stateOf(h)).toBe('Dead');
    await stableGroup(h, [{}]);
    expect((await h.coord.joinGroup(joinInput({ memberId: 'stale' }))).errorCode).toBe(
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
  });

  it('answers INCONSISTENT_GROUP_PROTOCOL for an unusable protocol type or set', async () => {
    const h = await harness();
    expect((await h.coord.joinGroup(joinInput({ protocolType: '' }))).errorCode).toBe(
      ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
    );
    expect((await h.coord.joinGroup(joinInput({ protocols: [] }))).errorCode).toBe(
      ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
    );
    await stableGroup(h, [{}]);
    const other = await h.coord.joinGroup(joinInput({ protocolType: 'connect' }));
    expect(other).toMatchObject({ errorCode: ErrorCode.INCONSISTENT_GROUP_PROTOCOL, memberId: '' });
    const noCommon = await h.coord.joinGroup(
      joinInput({ protocols: [{ name: 'roundrobin', metadata: subscription(['t1']) }] }),
    );
    expect(noCommon.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect(await stateOf(h)).toBe('Stable');
  });

  it('selects the protocol every member supports, by the members’ preference votes', async () => {
    const meta = subscription(['t1']);
    const p = (...names: string[]) => names.map((name) => ({ name, metadata: meta }));
    const h = await harness();
    const [a] = await stableGroup(h, [
      { protocols: p('range', 'roundrobin') },
      { protocols: p('roundrobin', 'range') },
      { protocols: p('range', 'roundrobin', 'sticky') },
    ]);
    expect(a?.join.protocolName).toBe('range');

    const h2 = await harness();
    const [b] = await stableGroup(h2, [
      { protocols: p('range', 'roundrobin') },
      { protocols: p('sticky', 'roundrobin') },
      { protocols: p('roundrobin', 'range', 'sticky') },
    ]);
    expect(b?.join.protocolName).toBe('roundrobin'); // the only protocol all three support
  });

  it('answers a follower rejoining a Stable group with unchanged metadata at once, without a rebalance', async () => {
    const h = await harness();
    const members = await stableGroup(h, [{}, {}]);
    const follower = members.find((m) => m.join.leader !== m.memberId);
    const r = await h.coord.joinGroup(joinInput({ memberId: follower?.memberId }));
    expect(r).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1, members: [] });
    expect(await stateOf(h)).toBe('Stable');
  });

  it('rebalances when a member rejoins a Stable group with new metadata', async () => {
    const h = await harness();
    const members = await stableGroup(h, [{}, {}]);
    const follower = members.find((m) => m.join.leader !== m.memberId);
    const leader = members.find((m) => m.join.leader === m.memberId);
    const newMeta = [{ name: 'range', metadata: subscription(['t1', 't2']) }];
    const fj = track(h.coord.joinGroup(joinInput({ memberId: follower?.memberId, protocols: newMeta })));
    await flush();
    expect(await stateOf(h)).toBe('PreparingRebalance');
    expect(
      (
        await h.coord.heartbeat({
          groupId: 'g',
          generationId: 1,
          memberId: leader?.memberId ?? '',
          groupInstanceId: null,
        })
      ).errorCode,
    ).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const lj = track(h.coord.joinGroup(joinInput({ memberId: leader?.memberId })));
    await flush();
    expect(fj.value.generationId).toBe(2);
    expect(lj.value.members.find((m) => m.memberId === follower?.memberId)?.metadata).toEqual(
      newMeta[0]?.metadata,
    );
  });

  it('answers a rejoin during CompletingRebalance with unchanged metadata with the current generation', async () => {
    const h = await harness();
    const a = track(h.coord.joinGroup(joinInput()));
    const b = track(h.coord.joinGroup(joinInput()));
    h.time.advance(3000); // b arrived during the first delay: one more
    await flush();
    expect(await stateOf(h)).toBe('PreparingRebalance');
    h.time.advance(3000);
    await flush();
    expect(await stateOf(h)).toBe('CompletingRebalance');
    const leaderId = a.value.leader;
    const again = await h.coord.joinGroup(joinInput({ memberId: leaderId }));
    expect(again).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1, leader: leaderId });
    expect(again.members).toHaveLength(2);
    const followerId = a.value.memberId === leaderId ? b.value.memberId : a.value.memberId;
    const changed = track(
      h.coord.joinGroup(
        joinInput({ memberId: followerId, protocols: [{ name: 'range', metadata: subscription(['x']) }] }),
      ),
    );
    await flush();
    expect(changed.settled).toBe(false);
    expect(await stateOf(h)).toBe('PreparingRebalance');
  });

  it('answers GROUP_MAX_SIZE_REACHED beyond group.max.size', async () => {
    const h = await harness({ config: { maxSize: 2 } });
    await stableGroup(h, [{}, {}]);
    const third = await h.coord.joinGroup(joinInput());
    expect(third).toMatchObject({ errorCode: ErrorCode.GROUP_MAX_SIZE_REACHED, memberId: '' });
    expect(await stateOf(h)).toBe('Stable');

    // While forming, only members that already joined count.
    const h2 = await harness({ config: { maxSize: 1 } });
    const first = track(h2.coord.joinGroup(joinInput()));
    const second = await h2.coord.joinGroup(joinInput());
    expect(second.errorCode).toBe(ErrorCode.GROUP_MAX_SIZE_REACHED);
    h2.time.advance(3000);
    await flush();
    expect(first.value.errorCode).toBe(ErrorCode.NONE);
  });

  it('drops dynamic members that do not rejoin within the rebalance timeout', async () => {
    const h = await harness();
    const members = await stableGroup(h, [{ rebalanceTimeoutMs: 20_000 }, { rebalanceTimeoutMs: 20_000 }]);
    const newcomer = track(h.coord.joinGroup(joinInput({ rebalanceTimeoutMs: 20_000 })));
    await flush();
    expect(await stateOf(h)).toBe('PreparingRebalance');
    // The old members keep heartbeating but never rejoin.
    for (let t = 0; t < 20_000; t += 5000) {
      for (const m of members) {
        await h.coord.heartbeat({
          groupId: 'g',
          generationId: 1,
          memberId: m.memberId,
          groupInstanceId: null,
        });
      }
      h.time.advance(5000);
    }
    await flush();
    expect(newcomer.value).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2 });
    expect(newcomer.value.leader).toBe(newcomer.value.memberId);
    expect(newcomer.value.members.map((m) => m.memberId)).toEqual([newcomer.value.memberId]);
    const hb = await h.coord.heartbeat({
      groupId: 'g',
      generationId: 2,
      memberId: members[0]?.memberId ?? '',
      groupInstanceId: null,
    });
    expect(hb.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('times out a new member parked in JoinGroup after 5 minutes', async () => {
    const h = await harness();
    const [old] = await stableGroup(h, [{ rebalanceTimeoutMs: 600_000 }]);
    const newcomer = track(h.coord.joinGroup(joinInput({ rebalanceTimeoutMs: 600_000 })));
    await flush();
    // The old member heartbeats (told to rejoin) but never does.
    for (let t = 0; t < 300_000; t += 5000) {
      await h.coord.heartbeat({
        groupId: 'g',
        generationId: 1,
        memberId: old?.memberId ?? '',
        groupInstanceId: null,
      });
      h.time.advance(5000);
    }
    await flush();
    expect(newcomer.value).toMatchObject({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID, memberId: '' });
    expect(await stateOf(h)).toBe('PreparingRebalance');
    // At the rebalance timeout the silent old member goes too and the group is Empty.
    for (let t = 300_000; t < 600_000; t += 5000) {
      await h.coord.heartbeat({
        groupId: 'g',
        generationId: 1,
        memberId: old?.memberId ?? '',
        groupInstanceId: null,
      });
      h.time.advance(5000);
    }
    await flush();
    expect(await stateOf(h)).toBe('Empty');
  });

  it('answers UNKNOWN_MEMBER_ID to a known member id once the group is Empty', async () => {
    const h = await harness();
    const [m] = await stableGroup(h, [{}]);
    await h.coord.leaveGroup({
      groupId: 'g',
      members: [{ memberId: m?.memberId ?? '', groupInstanceId: null, reason: null }],
    });
    await flush();
    expect(await stateOf(h)).toBe('Empty');
    expect((await h.coord.joinGroup(joinInput({ memberId: m?.memberId }))).errorCode).toBe(
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
  });
});

import { describe, expect, it } from 'vitest';
import type { JoinGroupResult } from '../../src/groups/types.js';
import { ErrorCode, flush, harness, joinInput, stateOf, syncInput, track, type Harness } from './harness.js';

/** A well-behaved client: rejoins with its member id, leader assigns one buffer per member, everyone syncs. */
async function rebalance(h: Harness, memberIds: readonly string[]): Promise<JoinGroupResult[]> {
  const joins = memberIds.map((memberId) =>
    track(h.coord.joinGroup(joinInput({ memberId, requireKnownMemberId: true }))),
  );
  await flush();
  const results = joins.map((j) => j.value);
  const leader = results.find((r) => r.memberId === r.leader);
  expect(leader?.members.map((m) => m.memberId).sort()).toEqual([...memberIds].sort());
  const syncs = results.map((r) =>
    track(
      h.coord.syncGroup(
        syncInput({
          memberId: r.memberId,
          generationId: r.generationId,
          assignments:
            r === leader
              ? memberIds.map((id) => ({ memberId: id, assignment: Buffer.from(`for ${id}`) }))
              : [],
        }),
      ),
    ),
  );
  await flush();
  syncs.forEach((s, i) => expect(s.value.assignment.toString()).toBe(`for ${results[i]?.memberId}`));
  return results;
}

const beat = (h: Harness, memberId: string, generationId: number) =>
  h.coord.heartbeat({ groupId: 'g', generationId, memberId, groupInstanceId: null });

describe('a group of three under churn', () => {
  it('3 members join (v4 flow), one leaves, one times out; survivors follow every generation', async () => {
    const h = await harness();
    // Each client first gets its member id, then joins with it.
    const ids: string[] = [];
    for (const clientId of ['c0', 'c1', 'c2']) {
      const r = await h.coord.joinGroup(joinInput({ clientId, requireKnownMemberId: true }));
      expect(r.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
      ids.push(r.memberId);
    }
    const joins = ids.map((memberId) =>
      track(h.coord.joinGroup(joinInput({ memberId, requireKnownMemberId: true }))),
    );
    for (let i = 0; i < 3 && !joins.every((j) => j.settled); i++) {
      h.time.advance(3000);
      await flush();
    }
    const gen1 = joins.map((j) => j.value);
    expect(new Set(gen1.map((r) => r.generationId))).toEqual(new Set([1]));
    const leader1 = gen1[0]?.leader ?? '';
    expect(ids).toContain(leader1);
    const syncs = gen1.map((r) =>
      track(
        h.coord.syncGroup(
          syncInput({
            memberId: r.memberId,
            generationId: 1,
            assignments:
              r.memberId === leader1 ? ids.map((id) => ({ memberId: id, assignment: Buffer.from(id) })) : [],
          }),
        ),
      ),
    );
    await flush();
    syncs.forEach((s, i) => expect(s.value.assignment.toString()).toBe(ids[i]));
    expect(await stateOf(h)).toBe('Stable');

    // c1 leaves cleanly: the others learn it from their heartbeat and rejoin.
    const [c0, c1, c2] = ids as [string, string, string];
    await h.coord.leaveGroup({
      groupId: 'g',
      members: [{ memberId: c1, groupInstanceId: null, reason: 'shutdown' }],
    });
    expect((await beat(h, c0, 1)).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect((await beat(h, c2, 1)).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const gen2 = await rebalance(h, [c0, c2]);
    expect(gen2.every((r) => r.generationId === 2)).toBe(true);
    expect(await stateOf(h)).toBe('Stable');

    // c2 dies: only c0 keeps heartbeating; after c2's session timeout the group rebalances without it.
    for (let t = 0; t < 12_000; t += 3000) {
      h.time.advance(3000);
      await beat(h, c0, 2);
    }
    expect(await stateOf(h)).toBe('PreparingRebalance');
    const gen3 = await rebalance(h, [c0]);
    expect(gen3[0]).toMatchObject({ generationId: 3, leader: c0 });
    expect((await beat(h, c2, 2)).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect((await beat(h, c0, 3)).errorCode).toBe(ErrorCode.NONE);
  });
});

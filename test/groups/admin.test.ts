import { describe, expect, it } from 'vitest';
import {
  commitInput,
  ErrorCode,
  flush,
  harness,
  joinInput,
  stableGroup,
  subscription,
  track,
} from './harness.js';

describe('DescribeGroups', () => {
  it('describes a Stable group with members, their metadata and assignments', async () => {
    const h = await harness();
    const [a, b] = await stableGroup(h, [
      { groupInstanceId: 'i-0', clientId: 'c0', clientHost: '/10.0.0.1' },
      { clientId: 'c1', clientHost: '/10.0.0.2' },
    ]);
    const [d] = await h.coord.describeGroups(['g']);
    expect(d).toEqual({
      groupId: 'g',
      errorCode: ErrorCode.NONE,
      state: 'Stable',
      protocolType: 'consumer',
      protocolData: 'range',
      members: [
        {
          memberId: a?.memberId,
          groupInstanceId: 'i-0',
          clientId: 'c0',
          clientHost: '/10.0.0.1',
          metadata: subscription(['t1']),
          assignment: a?.sync.assignment,
        },
        {
          memberId: b?.memberId,
          groupInstanceId: null,
          clientId: 'c1',
          clientHost: '/10.0.0.2',
          metadata: subscription(['t1']),
          assignment: b?.sync.assignment,
        },
      ],
    });
  });

  it('leaves out protocol, metadata and assignments while rebalancing', async () => {
    const h = await harness();
    void h.coord.joinGroup(joinInput());
    const [d] = await h.coord.describeGroups(['g']);
    expect(d).toMatchObject({ state: 'PreparingRebalance', protocolType: 'consumer', protocolData: '' });
    expect(d?.members[0]).toMatchObject({ metadata: Buffer.alloc(0), assignment: Buffer.alloc(0) });
    h.time.advance(3000);
    await flush();
    const [c] = await h.coord.describeGroups(['g']);
    expect(c).toMatchObject({ state: 'CompletingRebalance', protocolData: '' });
  });

  it('describes unknown groups as Dead, offsets-only groups as Empty', async () => {
    const h = await harness();
    await h.coord.commitOffsets(commitInput({ groupId: 'simple' }));
    expect(await h.coord.describeGroups(['nope', 'simple'])).toEqual([
      {
        groupId: 'nope',
        errorCode: ErrorCode.NONE,
        state: 'Dead',
        protocolType: '',
        protocolData: '',
        members: [],
      },
      {
        groupId: 'simple',
        errorCode: ErrorCode.NONE,
        state: 'Empty',
        protocolType: '',
        protocolData: '',
        members: [],
      },
    ]);
  });
});

describe('ListGroups', () => {
  it('lists groups with their state and protocol type, filtered by state (case-insensitive) and type', async () => {
    const h = await harness();
    await stableGroup(h, [{}], 'stable');
    void h.coord.joinGroup(joinInput({ groupId: 'forming' }));
    await h.coord.commitOffsets(commitInput({ groupId: 'simple' }));
    const all = await h.coord.listGroups();
    expect(all.errorCode).toBe(ErrorCode.NONE);
    expect(all.groups).toEqual([
      { groupId: 'stable', protocolType: 'consumer', state: 'Stable', groupType: 'classic' },
      { groupId: 'forming', protocolType: 'consumer', state: 'PreparingRebalance', groupType: 'classic' },
      { groupId: 'simple', protocolType: '', state: 'Empty', groupType: 'classic' },
    ]);
    const filtered = await h.coord.listGroups({ statesFilter: ['STABLE', 'empty'] });
    expect(filtered.groups.map((g) => g.groupId)).toEqual(['stable', 'simple']);
    expect((await h.coord.listGroups({ typesFilter: ['Classic'] })).groups).toHaveLength(3);
    expect((await h.coord.listGroups({ typesFilter: ['consumer'] })).groups).toHaveLength(0);
  });

  it('answers COORDINATOR_NOT_AVAILABLE before load and after close', async () => {
    const h = await harness({ load: false });
    expect((await h.coord.listGroups()).errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    await h.coord.load();
    expect((await h.coord.listGroups()).errorCode).toBe(ErrorCode.NONE);
    await h.coord.close();
    expect((await h.coord.listGroups()).errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  });
});

describe('DeleteGroups', () => {
  it('deletes an Empty group with its offsets and metadata (Empty -> Dead)', async () => {
    const h = await harness();
    const [m] = await stableGroup(h, [{}]);
    await h.coord.commitOffsets(commitInput({ memberId: m?.memberId, generationId: 1 }));
    await h.coord.leaveGroup({
      groupId: 'g',
      members: [{ memberId: m?.memberId ?? '', groupInstanceId: null, reason: null }],
    });
    await flush();
    expect(h.store.kv.get('groups')?.has('g')).toBe(true);
    expect(await h.coord.deleteGroups(['g'])).toEqual([{ groupId: 'g', errorCode: ErrorCode.NONE }]);
    expect(h.store.offsets.has('g')).toBe(false);
    expect(h.store.kv.get('groups')?.has('g')).toBe(false);
    expect((await h.coord.describeGroups(['g']))[0]?.state).toBe('Dead');
    expect(
      (await h.coord.fetchOffsets({ groupId: 'g', partitions: null, requireStable: false })).partitions,
    ).toEqual([]);
    expect(await h.coord.deleteGroups(['g'])).toEqual([
      { groupId: 'g', errorCode: ErrorCode.GROUP_ID_NOT_FOUND },
    ]);
  });

  it('answers NON_EMPTY_GROUP while members remain, GROUP_ID_NOT_FOUND for unknown groups', async () => {
    const h = await harness();
    await stableGroup(h, [{}]);
    const forming = track(h.coord.joinGroup(joinInput({ groupId: 'forming' })));
    await h.coord.commitOffsets(commitInput({ groupId: 'simple' }));
    const r = await h.coord.deleteGroups(['g', 'forming', 'nope', 'simple', 'g']);
    expect(r).toEqual([
      { groupId: 'g', errorCode: ErrorCode.NON_EMPTY_GROUP },
      { groupId: 'forming', errorCode: ErrorCode.NON_EMPTY_GROUP },
      { groupId: 'nope', errorCode: ErrorCode.GROUP_ID_NOT_FOUND },
      { groupId: 'simple', errorCode: ErrorCode.NONE },
    ]);
    expect(forming.settled).toBe(false);
  });

  it('deletes a group whose only trace is a pending member id', async () => {
    const h = await harness();
    const pending = await h.coord.joinGroup(joinInput({ requireKnownMemberId: true }));
    expect(pending.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    expect(await h.coord.deleteGroups(['g'])).toEqual([{ groupId: 'g', errorCode: ErrorCode.NONE }]);
    expect((await h.coord.joinGroup(joinInput({ memberId: pending.memberId }))).errorCode).toBe(
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
    expect(h.time.pending).toBe(1); // only the coordinator's retention check is left
  });
});

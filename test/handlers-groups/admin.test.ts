import { describe, expect, it } from 'vitest';
import { NO_AUTHORIZED_OPERATIONS } from '../../src/handlers/authorized-operations.js';

/** READ, DELETE and DESCRIBE: every group operation, as without an authorizer. */
const GROUP_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8);
import type {
  DeleteGroupsResponse,
  DescribeGroupsResponse,
  JoinGroupResponse,
  ListGroupsResponse,
  OffsetDeleteResponse,
  OffsetFetchResponse,
} from '../../src/protocol/generated/index.js';
import {
  API,
  ErrorCode,
  describeState,
  groupHarness,
  joinRequest,
  stableGroup,
  subscription,
  type GroupHarness,
} from './support.js';

async function commitAnonymous(h: GroupHarness, groupId: string, topic: string, partitions: number[]) {
  await h.call(API.OffsetCommit, 8, {
    groupId,
    generationIdOrMemberEpoch: -1,
    memberId: '',
    groupInstanceId: null,
    topics: [
      {
        name: topic,
        partitions: partitions.map((partitionIndex) => ({
          partitionIndex,
          committedOffset: 1n,
          committedLeaderEpoch: -1,
          committedMetadata: null,
        })),
      },
    ],
  });
}

describe('DescribeGroups', () => {
  it.each([0, 1, 2, 3, 4, 5])('v%i describes a Stable group with its members and assignments', async (v) => {
    const h = await groupHarness();
    const [a, b] = await stableGroup(h, [{ groupInstanceId: 'i1' }, {}]);
    const res = await h.call<DescribeGroupsResponse>(API.DescribeGroups, v, {
      groups: ['g'],
      includeAuthorizedOperations: true,
    });
    const g = res.groups[0]!;
    expect(g).toMatchObject({
      errorCode: ErrorCode.NONE,
      groupId: 'g',
      groupState: 'Stable',
      protocolType: 'consumer',
      protocolData: 'range',
    });
    expect(
      g.members.map((m) => [m.memberId, m.clientId, m.clientHost, m.memberMetadata, m.memberAssignment]),
    ).toEqual([
      [a!.memberId, 'test-client', '/10.1.2.3', subscription(['t1']), Buffer.from('assignment-0')],
      [b!.memberId, 'test-client', '/10.1.2.3', subscription(['t1']), Buffer.from('assignment-1')],
    ]);
    if (v >= 4) expect(g.members.map((m) => m.groupInstanceId)).toEqual(['i1', null]);
    expect(g.authorizedOperations).toBe(v >= 3 ? GROUP_OPERATIONS : NO_AUTHORIZED_OPERATIONS);
  });

  it('reports authorized operations only when asked', async () => {
    const h = await groupHarness();
    const res = await h.call<DescribeGroupsResponse>(API.DescribeGroups, 5, {
      groups: ['g'],
      includeAuthorizedOperations: false,
    });
    expect(res.groups[0]!.authorizedOperations).toBe(NO_AUTHORIZED_OPERATIONS);
  });

  it('shows no metadata or assignment while rebalancing, and Dead for unknown groups', async () => {
    const h = await groupHarness();
    await stableGroup(h, [{}]);
    h.start<JoinGroupResponse>(API.JoinGroup, 3, joinRequest());
    await h.advance(0);
    const res = await h.call<DescribeGroupsResponse>(API.DescribeGroups, 1, { groups: ['g', 'unknown'] });
    const [g, unknown] = res.groups;
    expect(g).toMatchObject({ groupState: 'PreparingRebalance', protocolData: '' });
    expect(g!.members).toHaveLength(2);
    for (const m of g!.members) {
      expect(m.memberMetadata).toEqual(Buffer.alloc(0));
      expect(m.memberAssignment).toEqual(Buffer.alloc(0));
    }
    expect(unknown).toMatchObject({
      errorCode: ErrorCode.NONE,
      groupState: 'Dead',
      protocolType: '',
      members: [],
    });
  });

  it('answers COORDINATOR_NOT_AVAILABLE with no state while the coordinator is not serving', async () => {
    const h = await groupHarness({ load: false });
    const res = await h.call<DescribeGroupsResponse>(API.DescribeGroups, 5, {
      groups: ['g'],
      includeAuthorizedOperations: true,
    });
    expect(res.groups[0]).toMatchObject({
      errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
      groupState: '',
      authorizedOperations: NO_AUTHORIZED_OPERATIONS,
    });
  });
});

describe('ListGroups', () => {
  async function twoGroups(): Promise<GroupHarness> {
    const h = await groupHarness();
    await h.createTopic('t1', 1);
    await stableGroup(h, [{ groupId: 'live' }]);
    await commitAnonymous(h, 'offsets-only', 't1', [0]);
    return h;
  }

  it.each([0, 1, 2, 3])('v%i lists every group with its protocol type', async (v) => {
    const h = await twoGroups();
    const res = await h.call<ListGroupsResponse>(API.ListGroups, v, {});
    expect(res.errorCode).toBe(ErrorCode.NONE);
    expect(res.groups.map((g) => [g.groupId, g.protocolType]).sort()).toEqual([
      ['live', 'consumer'],
      ['offsets-only', ''],
    ]);
  });

  it('v4 filters by state, case-insensitively, and reports states', async () => {
    const h = await twoGroups();
    const stable = await h.call<ListGroupsResponse>(API.ListGroups, 4, { statesFilter: ['STABLE'] });
    expect(stable.groups).toEqual([
      { groupId: 'live', protocolType: 'consumer', groupState: 'Stable', groupType: '' },
    ]);
    const all = await h.call<ListGroupsResponse>(API.ListGroups, 4, { statesFilter: [] });
    expect(all.groups.map((g) => g.groupState).sort()).toEqual(['Empty', 'Stable']);
  });

  it('v5 filters by group type: every group here is classic', async () => {
    const h = await twoGroups();
    const classic = await h.call<ListGroupsResponse>(API.ListGroups, 5, {
      statesFilter: [],
      typesFilter: ['Classic'],
    });
    expect(classic.groups.map((g) => [g.groupId, g.groupType]).sort()).toEqual([
      ['live', 'classic'],
      ['offsets-only', 'classic'],
    ]);
    const consumer = await h.call<ListGroupsResponse>(API.ListGroups, 5, {
      statesFilter: [],
      typesFilter: ['consumer'],
    });
    expect(consumer.groups).toEqual([]);
  });

  it('answers COORDINATOR_NOT_AVAILABLE while the coordinator is not serving', async () => {
    const h = await groupHarness({ load: false });
    const res = await h.call<ListGroupsResponse>(API.ListGroups, 3, {});
    expect(res).toEqual({ throttleTimeMs: 0, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, groups: [] });
  });
});

describe('DeleteGroups', () => {
  it.each([0, 1, 2])('v%i deletes empty groups with their offsets and refuses the others', async (v) => {
    const h = await groupHarness();
    await h.createTopic('t1', 1);
    await stableGroup(h, [{ groupId: 'busy' }]);
    await commitAnonymous(h, 'idle', 't1', [0]);
    const res = await h.call<DeleteGroupsResponse>(API.DeleteGroups, v, {
      groupsNames: ['idle', 'busy', 'unknown', 'idle'],
    });
    expect(res.results).toEqual([
      { groupId: 'idle', errorCode: ErrorCode.NONE },
      { groupId: 'busy', errorCode: ErrorCode.NON_EMPTY_GROUP },
      { groupId: 'unknown', errorCode: ErrorCode.GROUP_ID_NOT_FOUND },
    ]);
    expect(await h.storage.fetchOffsets('idle')).toEqual([]);
    expect(await describeState(h, 'idle')).toBe('Dead');
    expect(await describeState(h, 'busy')).toBe('Stable');
    const again = await h.call<DeleteGroupsResponse>(API.DeleteGroups, v, { groupsNames: ['idle'] });
    expect(again.results).toEqual([{ groupId: 'idle', errorCode: ErrorCode.GROUP_ID_NOT_FOUND }]);
  });
});

describe('OffsetDelete', () => {
  function request(groupId: string, topics: [string, number[]][]) {
    return {
      groupId,
      topics: topics.map(([name, ps]) => ({
        name,
        partitions: ps.map((partitionIndex) => ({ partitionIndex })),
      })),
    };
  }

  it('deletes offsets of an Empty group, UNKNOWN_TOPIC_OR_PARTITION for what does not exist', async () => {
    const h = await groupHarness();
    await h.createTopic('t1', 2);
    await commitAnonymous(h, 'g', 't1', [0, 1]);
    const res = await h.call<OffsetDeleteResponse>(
      API.OffsetDelete,
      0,
      request('g', [
        ['t1', [0, 5]],
        ['missing', [0]],
      ]),
    );
    expect(res).toEqual({
      errorCode: ErrorCode.NONE,
      throttleTimeMs: 0,
      topics: [
        {
          name: 't1',
          partitions: [
            { partitionIndex: 0, errorCode: ErrorCode.NONE },
            { partitionIndex: 5, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION },
          ],
        },
        {
          name: 'missing',
          partitions: [{ partitionIndex: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }],
        },
      ],
    });
    const left = await h.call<OffsetFetchResponse>(API.OffsetFetch, 7, {
      groupId: 'g',
      topics: null,
      requireStable: false,
    });
    expect(left.topics!.flatMap((t) => t.partitions.map((p) => p.partitionIndex))).toEqual([1]);
  });

  it('keeps offsets of topics a consumer group with members subscribes to (GROUP_SUBSCRIBED_TO_TOPIC)', async () => {
    const h = await groupHarness();
    await h.createTopic('t1', 1);
    await h.createTopic('t2', 1);
    const [m] = await stableGroup(h, [{}]);
    await h.call(API.OffsetCommit, 8, {
      groupId: 'g',
      generationIdOrMemberEpoch: m!.generationId,
      memberId: m!.memberId,
      groupInstanceId: null,
      topics: ['t1', 't2'].map((name) => ({
        name,
        partitions: [
          { partitionIndex: 0, committedOffset: 3n, committedLeaderEpoch: -1, committedMetadata: null },
        ],
      })),
    });
    const res = await h.call<OffsetDeleteResponse>(
      API.OffsetDelete,
      0,
      request('g', [
        ['t1', [0]],
        ['t2', [0]],
      ]),
    );
    expect(res.topics.map((t) => [t.name, t.partitions[0]!.errorCode])).toEqual([
      ['t1', ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC],
      ['t2', ErrorCode.NONE],
    ]);
  });

  it('refuses a non-consumer group with members (NON_EMPTY_GROUP) and unknown groups (GROUP_ID_NOT_FOUND)', async () => {
    const h = await groupHarness();
    await h.createTopic('t1', 1);
    await stableGroup(h, [
      { protocolType: 'connect', protocols: [{ name: 'v1', metadata: Buffer.from('x') }] },
    ]);
    const busy = await h.call<OffsetDeleteResponse>(API.OffsetDelete, 0, request('g', [['t1', [0]]]));
    expect(busy).toEqual({ errorCode: ErrorCode.NON_EMPTY_GROUP, throttleTimeMs: 0, topics: [] });
    const unknown = await h.call<OffsetDeleteResponse>(
      API.OffsetDelete,
      0,
      request('nope', [['missing', [0]]]),
    );
    expect(unknown).toEqual({ errorCode: ErrorCode.GROUP_ID_NOT_FOUND, throttleTimeMs: 0, topics: [] });
  });
});

import { describe, expect, it } from 'vitest';
import type {
  DeleteTopicsResponse,
  JoinGroupResponse,
  OffsetCommitRequestPartition,
  OffsetCommitRequestTopic,
  OffsetCommitResponse,
  OffsetFetchResponse,
} from '../../src/protocol/generated/index.js';
import type { CommittedOffset } from '../../src/storage/storage.js';
import {
  API,
  ErrorCode,
  describeState,
  groupHarness,
  joinRequest,
  stableGroup,
  type GroupHarness,
} from './support.js';

function partition(
  partitionIndex: number,
  committedOffset: bigint,
  more: Partial<OffsetCommitRequestPartition> = {},
): OffsetCommitRequestPartition {
  return {
    partitionIndex,
    committedOffset,
    committedLeaderEpoch: -1,
    commitTimestamp: -1n,
    committedMetadata: null,
    ...more,
  };
}

function commitBody(topics: OffsetCommitRequestTopic[], more: object = {}) {
  return {
    groupId: 'g',
    generationIdOrMemberEpoch: -1,
    memberId: '',
    groupInstanceId: null,
    retentionTimeMs: -1n,
    topics,
    ...more,
  };
}

function errors(res: OffsetCommitResponse): [string, number, number][] {
  return res.topics.flatMap((t) =>
    t.partitions.map((p): [string, number, number] => [t.name, p.partitionIndex, p.errorCode]),
  );
}

async function fetchV7(
  h: GroupHarness,
  groupId = 'g',
  topics: { name: string; partitionIndexes: number[] }[] | null = null,
) {
  return h.call<OffsetFetchResponse>(API.OffsetFetch, 7, { groupId, topics, requireStable: false });
}

describe('OffsetCommit', () => {
  it.each([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])(
    'v%i stores offsets of an assign() consumer (no generation)',
    async (v) => {
      const h = await groupHarness();
      await h.createTopic('t1', 2);
      const res = await h.call<OffsetCommitResponse>(
        API.OffsetCommit,
        v,
        commitBody([
          { name: 't1', partitions: [partition(0, 10n, { committedMetadata: 'm0' }), partition(1, 20n)] },
        ]),
      );
      expect(errors(res)).toEqual([
        ['t1', 0, ErrorCode.NONE],
        ['t1', 1, ErrorCode.NONE],
      ]);
      const stored = await h.storage.fetchOffsets('g');
      expect(stored.map((o) => [o.topic, o.partition, o.offset, o.metadata])).toEqual([
        ['t1', 0, 10n, 'm0'],
        ['t1', 1, 20n, ''],
      ]);
      // The group exists now, Empty, holding offsets only.
      expect(await describeState(h)).toBe('Empty');
    },
  );

  it('keeps the leader epoch (v6+) and the explicit commit time (v1)', async () => {
    const h = await groupHarness();
    await h.createTopic('t1', 2);
    await h.call(
      API.OffsetCommit,
      6,
      commitBody([{ name: 't1', partitions: [partition(0, 5n, { committedLeaderEpoch: 7 })] }]),
    );
    await h.call(
      API.OffsetCommit,
      1,
      commitBody([{ name: 't1', partitions: [partition(1, 6n, { commitTimestamp: 1234n })] }]),
    );
    const stored = new Map((await h.storage.fetchOffsets('g')).map((o: CommittedOffset) => [o.partition, o]));
    expect(stored.get(0)).toMatchObject({ offset: 5n, leaderEpoch: 7 });
    expect(stored.get(1)).toMatchObject({ offset: 6n, commitTimestampMs: 1234n });
  });

  it('answers UNKNOWN_TOPIC_OR_PARTITION for missing topics and partitions and commits the rest', async () => {
    const h = await groupHarness();
    await h.createTopic('t1', 2);
    const res = await h.call<OffsetCommitResponse>(
      API.OffsetCommit,
      8,
      commitBody([
        { name: 't1', partitions: [partition(0, 1n), partition(2, 1n), partition(-1, 1n), partition(1, 1n)] },
        { name: 'missing', partitions: [partition(0, 1n)] },
      ]),
    );
    expect(errors(res)).toEqual([
      ['t1', 0, ErrorCode.NONE],
      ['t1', 2, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      ['t1', -1, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      ['t1', 1, ErrorCode.NONE],
      ['missing', 0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ]);
    expect((await h.storage.fetchOffsets('g')).map((o) => o.partition).sort()).toEqual([0, 1]);
  });

  it('does not create a group when no requested partition exists', async () => {
    const h = await groupHarness();
    const res = await h.call<OffsetCommitResponse>(
      API.OffsetCommit,
      8,
      commitBody([{ name: 'missing', partitions: [partition(0, 1n)] }]),
    );
    expect(errors(res)).toEqual([['missing', 0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]);
    expect(await describeState(h)).toBe('Dead');
  });

  it('checks the member and generation of a group with members', async () => {
    const h = await groupHarness();
    await h.createTopic('t1', 1);
    const [m] = await stableGroup(h, [{ groupInstanceId: 'i1' }]);
    const commit = (more: object) =>
      h.call<OffsetCommitResponse>(
        API.OffsetCommit,
        7,
        commitBody([{ name: 't1', partitions: [partition(0, 3n)] }], more),
      );
    const member = {
      memberId: m!.memberId,
      generationIdOrMemberEpoch: m!.generationId,
      groupInstanceId: 'i1',
    };
    expect(errors(await commit(member))).toEqual([['t1', 0, ErrorCode.NONE]]);
    expect(errors(await commit({ ...member, generationIdOrMemberEpoch: 5 }))[0]![2]).toBe(
      ErrorCode.ILLEGAL_GENERATION,
    );
    expect(errors(await commit({ ...member, memberId: 'i1-old' }))[0]![2]).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect(errors(await commit({ ...member, memberId: 'x', groupInstanceId: null }))[0]![2]).toBe(
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
    // An anonymous commit would overwrite the members' progress.
    expect(errors(await commit({}))[0]![2]).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    // A generation for a group that does not exist comes from a stale member.
    expect(errors(await commit({ ...member, groupId: 'other', groupInstanceId: null }))[0]![2]).toBe(
      ErrorCode.ILLEGAL_GENERATION,
    );
  });

  it('answers REBALANCE_IN_PROGRESS while the group waits for its assignment', async () => {
    const h = await groupHarness();
    await h.createTopic('t1', 1);
    const join = h.start<JoinGroupResponse>(API.JoinGroup, 3, joinRequest());
    await h.advance(3000);
    expect(await describeState(h)).toBe('CompletingRebalance');
    const res = await h.call<OffsetCommitResponse>(
      API.OffsetCommit,
      8,
      commitBody([{ name: 't1', partitions: [partition(0, 1n)] }], {
        memberId: join.value.memberId,
        generationIdOrMemberEpoch: join.value.generationId,
      }),
    );
    expect(errors(res)[0]![2]).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
  });

  it('refuses metadata over offset.metadata.max.bytes with OFFSET_METADATA_TOO_LARGE', async () => {
    const h = await groupHarness();
    await h.createTopic('t1', 2);
    const res = await h.call<OffsetCommitResponse>(
      API.OffsetCommit,
      8,
      commitBody([
        {
          name: 't1',
          partitions: [partition(0, 1n, { committedMetadata: 'x'.repeat(4097) }), partition(1, 1n)],
        },
      ]),
    );
    expect(errors(res)).toEqual([
      ['t1', 0, ErrorCode.OFFSET_METADATA_TOO_LARGE],
      ['t1', 1, ErrorCode.NONE],
    ]);
  });
});

describe('OffsetFetch', () => {
  async function withOffsets(): Promise<GroupHarness> {
    const h = await groupHarness();
    await h.createTopic('t1', 3);
    await h.createTopic('t2', 1);
    await h.call(
      API.OffsetCommit,
      8,
      commitBody([
        {
          name: 't1',
          partitions: [
            partition(0, 10n, { committedMetadata: 'meta', committedLeaderEpoch: 4 }),
            partition(2, 30n),
          ],
        },
        { name: 't2', partitions: [partition(0, 5n)] },
      ]),
    );
    return h;
  }

  it.each([0, 1, 2, 3, 4, 5, 6, 7])(
    'v%i answers the requested partitions, -1 and "" where nothing is committed',
    async (v) => {
      const h = await withOffsets();
      const res = await h.call<OffsetFetchResponse>(API.OffsetFetch, v, {
        groupId: 'g',
        topics: [
          { name: 't1', partitionIndexes: [0, 1] },
          { name: 'never', partitionIndexes: [0] },
        ],
        requireStable: false,
      });
      const epoch = (e: number) => (v >= 5 ? e : -1);
      expect(res.topics).toEqual([
        {
          name: 't1',
          partitions: [
            {
              partitionIndex: 0,
              committedOffset: 10n,
              committedLeaderEpoch: epoch(4),
              metadata: 'meta',
              errorCode: 0,
            },
            { partitionIndex: 1, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
          ],
        },
        {
          name: 'never',
          partitions: [
            { partitionIndex: 0, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
          ],
        },
      ]);
      if (v >= 2) expect(res.errorCode).toBe(ErrorCode.NONE);
    },
  );

  it.each([2, 5, 7])('v%i with a null topic list answers every committed partition', async (v) => {
    const h = await withOffsets();
    const res = await h.call<OffsetFetchResponse>(API.OffsetFetch, v, {
      groupId: 'g',
      topics: null,
      requireStable: false,
    });
    expect(
      res.topics!.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.committedOffset])]),
    ).toEqual([
      [
        't1',
        [
          [0, 10n],
          [2, 30n],
        ],
      ],
      ['t2', [[0, 5n]]],
    ]);
  });

  it.each([8, 9])('v%i answers several groups, each on its own', async (v) => {
    const h = await withOffsets();
    const res = await h.call<OffsetFetchResponse>(API.OffsetFetch, v, {
      groups: [
        { groupId: 'g', memberId: null, memberEpoch: -1, topics: null },
        {
          groupId: 'other',
          memberId: null,
          memberEpoch: -1,
          topics: [{ name: 't1', partitionIndexes: [0] }],
        },
        { groupId: 'g', memberId: null, memberEpoch: -1, topics: [{ name: 't2', partitionIndexes: [0] }] },
      ],
      requireStable: true,
    });
    expect(
      res.groups!.map((g) => [
        g.groupId,
        g.errorCode,
        g.topics.map((t) => [t.name, t.partitions.map((p) => p.committedOffset)]),
      ]),
    ).toEqual([
      [
        'g',
        0,
        [
          ['t1', [10n, 30n]],
          ['t2', [5n]],
        ],
      ],
      ['other', 0, [['t1', [-1n]]]],
      ['g', 0, [['t2', [5n]]]],
    ]);
  });

  it('v7+ with require_stable answers UNSTABLE_OFFSET_COMMIT for a commit still being written', async () => {
    const h = await withOffsets();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const original = h.storage.commitOffsets.bind(h.storage);
    h.storage.commitOffsets = async (group, offsets) => {
      await gate;
      return original(group, offsets);
    };
    const commit = h.start<OffsetCommitResponse>(
      API.OffsetCommit,
      8,
      commitBody([{ name: 't2', partitions: [partition(0, 6n)] }]),
    );
    await h.advance(0);
    const body = { groupId: 'g', topics: [{ name: 't2', partitionIndexes: [0] }] };
    const stable = await h.call<OffsetFetchResponse>(API.OffsetFetch, 7, { ...body, requireStable: true });
    expect(stable.topics![0]!.partitions[0]).toMatchObject({
      committedOffset: -1n,
      errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT,
    });
    const loose = await h.call<OffsetFetchResponse>(API.OffsetFetch, 7, { ...body, requireStable: false });
    expect(loose.topics![0]!.partitions[0]).toMatchObject({ committedOffset: 5n, errorCode: ErrorCode.NONE });
    release();
    await commit.promise;
    const after = await h.call<OffsetFetchResponse>(API.OffsetFetch, 7, { ...body, requireStable: true });
    expect(after.topics![0]!.partitions[0]).toMatchObject({ committedOffset: 6n, errorCode: ErrorCode.NONE });
  });

  it('puts a group error where each version carries it', async () => {
    // A coordinator that is not serving answers COORDINATOR_NOT_AVAILABLE.
    const h = await groupHarness({ load: false });
    const topics = [{ name: 't1', partitionIndexes: [0, 1] }];
    const v1 = await h.call<OffsetFetchResponse>(API.OffsetFetch, 1, { groupId: 'g', topics });
    expect(v1.topics![0]!.partitions.map((p) => [p.partitionIndex, p.committedOffset, p.errorCode])).toEqual([
      [0, -1n, ErrorCode.COORDINATOR_NOT_AVAILABLE],
      [1, -1n, ErrorCode.COORDINATOR_NOT_AVAILABLE],
    ]);
    const v2 = await h.call<OffsetFetchResponse>(API.OffsetFetch, 2, { groupId: 'g', topics });
    expect(v2).toMatchObject({ errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, topics: [] });
    const v8 = await h.call<OffsetFetchResponse>(API.OffsetFetch, 8, {
      groups: [{ groupId: 'g', topics }],
      requireStable: false,
    });
    expect(v8.groups).toEqual([{ groupId: 'g', topics: [], errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE }]);
  });

  it('forgets the offsets of a deleted topic', async () => {
    const h = await withOffsets();
    const del = await h.call<DeleteTopicsResponse>(API.DeleteTopics, 4, {
      topicNames: ['t1'],
      timeoutMs: 1000,
    });
    expect(del.responses[0]!.errorCode).toBe(ErrorCode.NONE);
    const res = await fetchV7(h);
    expect(res.topics!.map((t) => t.name)).toEqual(['t2']);
    expect((await h.storage.fetchOffsets('g')).map((o) => o.topic)).toEqual(['t2']);
  });
});

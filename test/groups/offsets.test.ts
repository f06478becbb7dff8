import { describe, expect, it } from 'vitest';
import { KafkaError } from '../../src/protocol/error-codes.js';
import type { OffsetCommitPartitionInput } from '../../src/groups/types.js';
import { commitInput, ErrorCode, flush, harness, joinInput, stableGroup, stateOf, track } from './harness.js';

const part = (
  topic: string,
  partition: number,
  offset: bigint,
  metadata: string | null = null,
): OffsetCommitPartitionInput => ({
  topic,
  partition,
  offset,
  leaderEpoch: -1,
  metadata,
  commitTimestampMs: -1,
});

describe('OffsetCommit / OffsetFetch', () => {
  it('accepts commits from assign() consumers, creating an Empty group; metadata null and "" round-trip', async () => {
    const h = await harness();
    const r = await h.coord.commitOffsets(
      commitInput({
        partitions: [
          { ...part('t1', 0, 10n, null), leaderEpoch: 3 },
          part('t1', 1, 20n, ''),
          part('t2', 0, 30n, 'checkpoint'),
        ],
      }),
    );
    expect(r.map((p) => p.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.NONE, ErrorCode.NONE]);
    expect(await stateOf(h)).toBe('Empty');
    const all = await h.coord.fetchOffsets({ groupId: 'g', partitions: null, requireStable: false });
    expect(all).toEqual({
      errorCode: ErrorCode.NONE,
      partitions: [
        { topic: 't1', partition: 0, offset: 10n, leaderEpoch: 3, metadata: null, errorCode: ErrorCode.NONE },
        { topic: 't1', partition: 1, offset: 20n, leaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE },
        {
          topic: 't2',
          partition: 0,
          offset: 30n,
          leaderEpoch: -1,
          metadata: 'checkpoint',
          errorCode: ErrorCode.NONE,
        },
      ],
    });
    const some = await h.coord.fetchOffsets({
      groupId: 'g',
      partitions: [
        { topic: 't2', partition: 0 },
        { topic: 't9', partition: 4 },
      ],
      requireStable: true,
    });
    expect(some.partitions).toEqual([
      {
        topic: 't2',
        partition: 0,
        offset: 30n,
        leaderEpoch: -1,
        metadata: 'checkpoint',
        errorCode: ErrorCode.NONE,
      },
      { topic: 't9', partition: 4, offset: -1n, leaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE },
    ]);
    // Persisted through the store, commit time from the clock.
    const stored = h.store.offsets.get('g')?.get('t1:0');
    expect(stored).toMatchObject({
      offset: 10n,
      leaderEpoch: 3,
      metadata: null,
      commitTimestampMs: BigInt(h.time.now()),
    });
  });

  it('answers unknown groups with no offsets', async () => {
    const h = await harness();
    expect(await h.coord.fetchOffsets({ groupId: 'none', partitions: null, requireStable: false })).toEqual({
      errorCode: ErrorCode.NONE,
      partitions: [],
    });
    const named = await h.coord.fetchOffsets({
      groupId: 'none',
      partitions: [{ topic: 't', partition: 0 }],
      requireStable: false,
    });
    expect(named.partitions[0]).toMatchObject({ offset: -1n, errorCode: ErrorCode.NONE });
  });

  it('allows the empty group id for offsets, as Kafka does', async () => {
    const h = await harness();
    const r = await h.coord.commitOffsets(commitInput({ groupId: '' }));
    expect(r[0]?.errorCode).toBe(ErrorCode.NONE);
    const f = await h.coord.fetchOffsets({ groupId: '', partitions: null, requireStable: false });
    expect(f.partitions).toHaveLength(1);
  });

  it('answers ILLEGAL_GENERATION for a generation on an unknown group', async () => {
    const h = await harness();
    const r = await h.coord.commitOffsets(commitInput({ generationId: 3, memberId: 'm' }));
    expect(r[0]?.errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(await stateOf(h)).toBe('Dead');
  });

  it('validates group members: generation, member id, anonymous commits', async () => {
    const h = await harness();
    const [m] = await stableGroup(h, [{}]);
    const id = m?.memberId ?? '';
    const commit = async (o: Parameters<typeof commitInput>[0]) =>
      (await h.coord.commitOffsets(commitInput(o)))[0]?.errorCode;
    expect(await commit({ memberId: id, generationId: 1 })).toBe(ErrorCode.NONE);
    expect(await commit({ memberId: id, generationId: 2 })).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(await commit({ memberId: id, generationId: -1 })).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(await commit({ memberId: 'ghost', generationId: 1 })).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(await commit({ memberId: '', generationId: -1 })).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('answers UNKNOWN_MEMBER_ID to a member commit on an Empty group', async () => {
    const h = await harness();
    await h.coord.commitOffsets(commitInput());
    const r = await h.coord.commitOffsets(commitInput({ memberId: 'm', generationId: 0 }));
    expect(r[0]?.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('answers REBALANCE_IN_PROGRESS during CompletingRebalance but accepts commits during PreparingRebalance', async () => {
    const h = await harness();
    const [a, b] = await stableGroup(h, [{}, {}]);
    const leader = a?.join.leader === a?.memberId ? a : b;
    const follower = leader === a ? b : a;
    const lj = track(h.coord.joinGroup(joinInput({ memberId: leader?.memberId })));
    await flush();
    expect(await stateOf(h)).toBe('PreparingRebalance');
    const during = await h.coord.commitOffsets(
      commitInput({ memberId: follower?.memberId, generationId: 1 }),
    );
    expect(during[0]?.errorCode).toBe(ErrorCode.NONE);
    await h.coord.joinGroup(joinInput({ memberId: follower?.memberId }));
    await flush();
    expect(lj.value.generationId).toBe(2);
    expect(await stateOf(h)).toBe('CompletingRebalance');
    const completing = await h.coord.commitOffsets(
      commitInput({ memberId: follower?.memberId, generationId: 2 }),
    );
    expect(completing[0]?.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
  });

  it('rejects metadata over offset.metadata.max.bytes per partition', async () => {
    const h = await harness({ config: { offsetMetadataMaxBytes: 5 } });
    const r = await h.coord.commitOffsets(
      commitInput({ partitions: [part('t', 0, 1n, '12345'), part('t', 1, 1n, '123456')] }),
    );
    expect(r.map((p) => p.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.OFFSET_METADATA_TOO_LARGE]);
    const f = await h.coord.fetchOffsets({ groupId: 'g', partitions: null, requireStable: false });
    expect(f.partitions.map((p) => p.partition)).toEqual([0]);
  });

  it('reports in-flight commits as UNSTABLE_OFFSET_COMMIT to require_stable fetches', async () => {
    const h = await harness();
    await h.coord.commitOffsets(commitInput({ partitions: [part('t', 0, 1n)] }));
    const release = h.store.hold('commitOffsets');
    const inflight = track(h.coord.commitOffsets(commitInput({ partitions: [part('t', 0, 2n)] })));
    await flush();
    const stable = await h.coord.fetchOffsets({
      groupId: 'g',
      partitions: [{ topic: 't', partition: 0 }],
      requireStable: true,
    });
    expect(stable.partitions[0]).toMatchObject({ offset: -1n, errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT });
    const loose = await h.coord.fetchOffsets({
      groupId: 'g',
      partitions: [{ topic: 't', partition: 0 }],
      requireStable: false,
    });
    expect(loose.partitions[0]).toMatchObject({ offset: 1n, errorCode: ErrorCode.NONE });
    release();
    await flush();
    expect(inflight.value[0]?.errorCode).toBe(ErrorCode.NONE);
    const after = await h.coord.fetchOffsets({ groupId: 'g', partitions: null, requireStable: true });
    expect(after.partitions[0]).toMatchObject({ offset: 2n, errorCode: ErrorCode.NONE });
  });

  it('translates storage failures into Kafka commit errors and keeps the previous offset', async () => {
    const h = await harness();
    await h.coord.commitOffsets(commitInput({ partitions: [part('t', 0, 1n)] }));
    h.store.failNext('commitOffsets', new Error('io'));
    expect((await h.coord.commitOffsets(commitInput({ partitions: [part('t', 0, 2n)] })))[0]?.errorCode).toBe(
      ErrorCode.NOT_COORDINATOR,
    );
    h.store.failNext('commitOffsets', new KafkaError(ErrorCode.MESSAGE_TOO_LARGE, 'big'));
    expect((await h.coord.commitOffsets(commitInput({ partitions: [part('t', 0, 3n)] })))[0]?.errorCode).toBe(
      ErrorCode.INVALID_COMMIT_OFFSET_SIZE,
    );
    const f = await h.coord.fetchOffsets({ groupId: 'g', partitions: null, requireStable: true });
    expect(f.partitions[0]?.offset).toBe(1n);
  });
});

describe('offset retention', () => {
  const DAY = 24 * 60 * 60 * 1000;
  // Only explicit expireOffsets() calls, unless a test is about the periodic check.
  const manual = { offsetsRetentionCheckIntervalMs: 1000 * DAY };

  it('expires an Empty group’s offsets a retention period after it became Empty, then forgets the group', async () => {
    const h = await harness({ config: manual });
    const [m] = await stableGroup(h, [{}]);
    await h.coord.commitOffsets(commitInput({ memberId: m?.memberId, generationId: 1 }));
    const emptySince = h.time.now() + 10_000; // the commit counted as a heartbeat; the session ends then
    h.time.advance(3 * DAY);
    await flush();
    expect(await stateOf(h)).toBe('Empty');
    // A fresh commit does not restart retention for an Empty group: it counts from when it became Empty.
    await h.coord.commitOffsets(commitInput({ partitions: [part('t2', 0, 7n)] }));
    h.time.advance(emptySince + 7 * DAY - 1 - h.time.now());
    expect(await h.coord.expireOffsets()).toBe(0);
    expect(
      (await h.coord.fetchOffsets({ groupId: 'g', partitions: null, requireStable: false })).partitions,
    ).toHaveLength(2);
    h.time.advance(1);
    expect(await h.coord.expireOffsets()).toBe(2);
    await flush();
    expect(await stateOf(h)).toBe('Dead');
    expect(h.store.offsets.has('g')).toBe(false);
    expect(h.store.kv.get('groups')?.has('g')).toBe(false);
  });

  it('expires offsets of assign() groups per partition, from their last commit', async () => {
    const h = await harness({ config: { ...manual, offsetsRetentionMs: DAY } });
    await h.coord.commitOffsets(commitInput({ partitions: [part('t', 0, 1n)] }));
    h.time.advance(DAY / 2);
    await h.coord.commitOffsets(commitInput({ partitions: [part('t', 1, 1n)] }));
    h.time.advance(DAY / 2);
    expect(await h.coord.expireOffsets()).toBe(1);
    const f = await h.coord.fetchOffsets({ groupId: 'g', partitions: null, requireStable: false });
    expect(f.partitions.map((p) => p.partition)).toEqual([1]);
    expect(await stateOf(h)).toBe('Empty');
  });

  it('runs the retention check every offsets.retention.check.interval.ms', async () => {
    const h = await harness({
      config: { offsetsRetentionMs: 1000, offsetsRetentionCheckIntervalMs: 60_000 },
    });
    await h.coord.commitOffsets(commitInput());
    h.time.advance(59_999);
    await flush();
    expect(await stateOf(h)).toBe('Empty');
    h.time.advance(1);
    await flush();
    expect(await stateOf(h)).toBe('Dead');
  });

  it('in a Stable consumer group, expires only offsets of topics no member subscribes to', async () => {
    const h = await harness({ config: { ...manual, offsetsRetentionMs: DAY } });
    const [m] = await stableGroup(h, [{ sessionTimeoutMs: 1_800_000 }]); // subscribed to t1
    await h.coord.commitOffsets(
      commitInput({
        memberId: m?.memberId,
        generationId: 1,
        partitions: [part('t1', 0, 1n), part('old', 0, 1n)],
      }),
    );
    for (let i = 0; i < 108; i++) {
      h.time.advance(20 * 60 * 1000);
      await h.coord.heartbeat({
        groupId: 'g',
        generationId: 1,
        memberId: m?.memberId ?? '',
        groupInstanceId: null,
      });
    }
    expect(await h.coord.expireOffsets()).toBe(1);
    const f = await h.coord.fetchOffsets({ groupId: 'g', partitions: null, requireStable: false });
    expect(f.partitions.map((p) => p.topic)).toEqual(['t1']);
  });

  it('honours an explicit retention time (OffsetCommit v2-4)', async () => {
    const h = await harness({ config: manual });
    await h.coord.commitOffsets(commitInput({ retentionTimeMs: 1000 }));
    h.time.advance(999);
    expect(await h.coord.expireOffsets()).toBe(0);
    h.time.advance(1);
    expect(await h.coord.expireOffsets()).toBe(1);
  });

  it('uses an explicit commit timestamp (OffsetCommit v1)', async () => {
    const h = await harness({ config: { ...manual, offsetsRetentionMs: DAY } });
    await h.coord.commitOffsets(
      commitInput({ partitions: [{ ...part('t', 0, 1n), commitTimestampMs: h.time.now() - DAY }] }),
    );
    expect(await h.coord.expireOffsets()).toBe(1);
  });
});

describe('OffsetDelete', () => {
  it('deletes offsets of an Empty group; the group dies when none are left', async () => {
    const h = await harness();
    await h.coord.commitOffsets(commitInput({ partitions: [part('t', 0, 1n), part('t', 1, 1n)] }));
    const r = await h.coord.deleteOffsets({ groupId: 'g', partitions: [{ topic: 't', partition: 0 }] });
    expect(r).toEqual({
      errorCode: ErrorCode.NONE,
      partitions: [{ topic: 't', partition: 0, errorCode: ErrorCode.NONE }],
    });
    expect([...(h.store.offsets.get('g')?.keys() ?? [])]).toEqual(['t:1']);
    await h.coord.deleteOffsets({ groupId: 'g', partitions: [{ topic: 't', partition: 1 }] });
    expect(await stateOf(h)).toBe('Dead');
  });

  it('refuses topics a consumer group member subscribes to (GROUP_SUBSCRIBED_TO_TOPIC)', async () => {
    const h = await harness();
    const [m] = await stableGroup(h, [{}]); // subscribed to t1
    await h.coord.commitOffsets(
      commitInput({
        memberId: m?.memberId,
        generationId: 1,
        partitions: [part('t1', 0, 1n), part('t2', 0, 1n)],
      }),
    );
    const r = await h.coord.deleteOffsets({
      groupId: 'g',
      partitions: [
        { topic: 't1', partition: 0 },
        { topic: 't2', partition: 0 },
      ],
    });
    expect(r.partitions).toEqual([
      { topic: 't1', partition: 0, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC },
      { topic: 't2', partition: 0, errorCode: ErrorCode.NONE },
    ]);
  });

  it('treats an unreadable subscription as subscribed to everything', async () => {
    const h = await harness();
    const [m] = await stableGroup(h, [{ protocols: [{ name: 'range', metadata: Buffer.from([0, 1, 0]) }] }]);
    await h.coord.commitOffsets(
      commitInput({ memberId: m?.memberId, generationId: 1, partitions: [part('t9', 0, 1n)] }),
    );
    const r = await h.coord.deleteOffsets({ groupId: 'g', partitions: [{ topic: 't9', partition: 0 }] });
    expect(r.partitions[0]?.errorCode).toBe(ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC);
  });

  it('answers NON_EMPTY_GROUP for non-consumer groups with members, GROUP_ID_NOT_FOUND and INVALID_GROUP_ID', async () => {
    const h = await harness();
    await stableGroup(h, [
      { protocolType: 'connect', protocols: [{ name: 'v1', metadata: Buffer.from('x') }] },
    ]);
    expect(await h.coord.deleteOffsets({ groupId: 'g', partitions: [{ topic: 't', partition: 0 }] })).toEqual(
      {
        errorCode: ErrorCode.NON_EMPTY_GROUP,
        partitions: [],
      },
    );
    expect((await h.coord.deleteOffsets({ groupId: 'nope', partitions: [] })).errorCode).toBe(
      ErrorCode.GROUP_ID_NOT_FOUND,
    );
    expect((await h.coord.deleteOffsets({ groupId: '', partitions: [] })).errorCode).toBe(
      ErrorCode.INVALID_GROUP_ID,
    );
  });

  it('drops offsets of deleted topics from every group', async () => {
    const h = await harness();
    await h.coord.commitOffsets(
      commitInput({ groupId: 'a', partitions: [part('gone', 0, 1n), part('kept', 0, 1n)] }),
    );
    await h.coord.commitOffsets(commitInput({ groupId: 'b', partitions: [part('gone', 3, 1n)] }));
    await h.coord.onTopicsDeleted(['gone']);
    const a = await h.coord.fetchOffsets({ groupId: 'a', partitions: null, requireStable: false });
    expect(a.partitions.map((p) => p.topic)).toEqual(['kept']);
    expect(await stateOf(h, 'b')).toBe('Dead');
    expect(h.store.offsets.has('b')).toBe(false);
  });
});

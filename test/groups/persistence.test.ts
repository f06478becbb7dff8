import { describe, expect, it } from 'vitest';
import { GroupCoordinator } from '../../src/groups/coordinator.js';
import type { GroupStore } from '../../src/groups/store.js';
import type { Storage } from '../../src/storage/storage.js';
import { FakeTime } from './fake-time.js';
import {
  commitInput,
  ErrorCode,
  flush,
  harness,
  joinInput,
  stableGroup,
  stateOf,
  subscription,
  syncInput,
  track,
} from './harness.js';
import { MemoryGroupStore } from './memory-store.js';

const hb = (memberId: string, generationId: number, groupInstanceId: string | null = null) => ({
  groupId: 'g',
  generationId,
  memberId,
  groupInstanceId,
});

describe('persistence and loading', () => {
  it('round-trips a Stable group and its offsets through the store; members resume by heartbeating', async () => {
    const store = new MemoryGroupStore();
    const time = new FakeTime();
    const first = await harness({ store, time });
    const [a, b] = await stableGroup(first, [{ groupInstanceId: 'i-0' }, {}]);
    await first.coord.commitOffsets(
      commitInput({
        memberId: a?.memberId,
        groupInstanceId: 'i-0',
        generationId: 1,
        partitions: [
          { topic: 't1', partition: 0, offset: 42n, leaderEpoch: 7, metadata: 'm', commitTimestampMs: -1 },
        ],
      }),
    );
    await first.coord.close();

    const second = await harness({ store, time });
    const [d] = await second.coord.describeGroups(['g']);
    expect(d).toMatchObject({ state: 'Stable', protocolType: 'consumer', protocolData: 'range' });
    expect(d?.members).toEqual([
      expect.objectContaining({
        memberId: a?.memberId,
        groupInstanceId: 'i-0',
        assignment: a?.sync.assignment,
        metadata: subscription(['t1']),
      }),
      expect.objectContaining({
        memberId: b?.memberId,
        groupInstanceId: null,
        assignment: b?.sync.assignment,
      }),
    ]);
    const offsets = await second.coord.fetchOffsets({ groupId: 'g', partitions: null, requireStable: true });
    expect(offsets.partitions).toEqual([
      { topic: 't1', partition: 0, offset: 42n, leaderEpoch: 7, metadata: 'm', errorCode: ErrorCode.NONE },
    ]);
    // a heartbeats within its session; b stays silent and expires, which rebalances the group.
    time.advance(9000);
    expect((await second.coord.heartbeat(hb(a?.memberId ?? '', 1, 'i-0'))).errorCode).toBe(ErrorCode.NONE);
    const sync = await second.coord.syncGroup(
      syncInput({ memberId: a?.memberId ?? '', generationId: 1, groupInstanceId: 'i-0' }),
    );
    expect(sync.assignment).toEqual(a?.sync.assignment);
    expect(await stateOf(second)).toBe('Stable');
    time.advance(1000);
    expect(await stateOf(second)).toBe('PreparingRebalance');
    expect((await second.coord.heartbeat(hb(b?.memberId ?? '', 1))).errorCode).toBe(
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
  });

  it('a loaded member rejoining with its full protocol list triggers a rebalance, as after a Kafka failover', async () => {
    const store = new MemoryGroupStore();
    const time = new FakeTime();
    const meta = subscription(['t1']);
    const protocols = [
      { name: 'range', metadata: meta },
      { name: 'cooperative-sticky', metadata: meta },
    ];
    const first = await harness({ store, time });
    const [m] = await stableGroup(first, [{ protocols }]);
    await first.coord.close();
    const second = await harness({ store, time });
    const rejoin = track(second.coord.joinGroup(joinInput({ memberId: m?.memberId, protocols })));
    await flush();
    // The only member (and leader) rejoined: the new generation completes at once.
    expect(rejoin.value).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2, protocolName: 'range' });
  });

  it('keeps the time a group became Empty across a restart, for offset retention', async () => {
    const store = new MemoryGroupStore();
    const time = new FakeTime();
    const DAY = 24 * 60 * 60 * 1000;
    const config = { offsetsRetentionMs: 2 * DAY, offsetsRetentionCheckIntervalMs: 1000 * DAY };
    const first = await harness({ store, time, config });
    const [m] = await stableGroup(first, [{}]);
    await first.coord.commitOffsets(commitInput({ memberId: m?.memberId, generationId: 1 }));
    await first.coord.leaveGroup({
      groupId: 'g',
      members: [{ memberId: m?.memberId ?? '', groupInstanceId: null, reason: null }],
    });
    await flush();
    const emptySince = time.now();
    time.advance(DAY);
    // A commit after the group became empty does not restart retention.
    await first.coord.commitOffsets(
      commitInput({
        partitions: [
          { topic: 't1', partition: 1, offset: 1n, leaderEpoch: -1, metadata: null, commitTimestampMs: -1 },
        ],
      }),
    );
    await first.coord.close();
    const second = await harness({ store, time, config });
    expect(await stateOf(second)).toBe('Empty');
    time.advance(emptySince + 2 * DAY - 1 - time.now());
    expect(await second.coord.expireOffsets()).toBe(0);
    time.advance(1);
    expect(await second.coord.expireOffsets()).toBe(2);
    expect(await stateOf(second)).toBe('Dead');
    expect(store.kv.get('groups')?.has('g')).toBe(false);
  });

  it('loads groups that only have offsets as Empty', async () => {
    const store = new MemoryGroupStore();
    await store.commitOffsets('simple', [
      { topic: 't', partition: 0, offset: 3n, leaderEpoch: -1, metadata: '', commitTimestampMs: 5n },
    ]);
    const h = await harness({ store });
    const [d] = await h.coord.describeGroups(['simple']);
    expect(d).toMatchObject({ state: 'Empty', protocolType: '' });
    const f = await h.coord.fetchOffsets({ groupId: 'simple', partitions: null, requireStable: false });
    expect(f.partitions[0]).toMatchObject({ offset: 3n, metadata: '' });
  });

  it('skips an unreadable stored group and loads the rest', async () => {
    const store = new MemoryGroupStore();
    await store.kvPut('groups', 'bad', Buffer.from('{not json'));
    await store.commitOffsets('good', [
      { topic: 't', partition: 0, offset: 3n, leaderEpoch: -1, metadata: null, commitTimestampMs: 5n },
    ]);
    const h = await harness({ store });
    expect(await stateOf(h, 'bad')).toBe('Dead');
    expect(await stateOf(h, 'good')).toBe('Empty');
  });

  it('answers as Kafka does while loading: LOAD_IN_PROGRESS, blind heartbeats, sync REBALANCE_IN_PROGRESS', async () => {
    const store = new MemoryGroupStore();
    const h = await harness({ store, load: false });
    const release = store.hold('kvList');
    const loading = h.coord.load();
    expect(h.coord.status).toBe('loading');
    const c = h.coord;
    expect((await c.joinGroup(joinInput())).errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    expect((await c.heartbeat(hb('m', 1))).errorCode).toBe(ErrorCode.NONE);
    expect((await c.syncGroup(syncInput({ memberId: 'm', generationId: 1 }))).errorCode).toBe(
      ErrorCode.REBALANCE_IN_PROGRESS,
    );
    expect((await c.leaveGroup({ groupId: 'g', members: [] })).errorCode).toBe(
      ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
    );
    expect((await c.commitOffsets(commitInput()))[0]?.errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    expect((await c.fetchOffsets({ groupId: 'g', partitions: null, requireStable: false })).errorCode).toBe(
      ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
    );
    expect((await c.deleteOffsets({ groupId: 'g', partitions: [] })).errorCode).toBe(
      ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
    );
    expect(await c.describeGroups(['g'])).toEqual([
      {
        groupId: 'g',
        errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
        state: '',
        protocolType: '',
        protocolData: '',
        members: [],
      },
    ]);
    expect(await c.listGroups()).toEqual({ errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, groups: [] });
    expect(await c.deleteGroups(['g'])).toEqual([
      { groupId: 'g', errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS },
    ]);
    release();
    await loading;
    expect(c.status).toBe('active');
    expect((await c.commitOffsets(commitInput()))[0]?.errorCode).toBe(ErrorCode.NONE);
  });

  it('stays unloaded when the store fails, and can load again', async () => {
    const store = new MemoryGroupStore();
    const h = await harness({ store, load: false });
    store.failNext('listOffsetGroups', new Error('backend down'));
    await expect(h.coord.load()).rejects.toThrow('backend down');
    expect(h.coord.status).toBe('idle');
    expect((await h.coord.joinGroup(joinInput())).errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    await h.coord.load();
    expect(h.coord.status).toBe('active');
  });

  it('loadInBackground keeps retrying while the store is down, answering LOAD_IN_PROGRESS', async () => {
    const time = new FakeTime();
    const store = new MemoryGroupStore();
    const h = await harness({ time, store, load: false });
    store.failNext('listOffsetGroups', new Error('backend down'));
    const { loaded } = await h.coord.loadInBackground(1000);
    expect(h.coord.status).toBe('loading');
    expect((await h.coord.joinGroup(joinInput())).errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    store.failNext('listOffsetGroups', new Error('still down'));
    time.advance(250);
    await flush();
    expect(h.coord.status).toBe('loading');
    time.advance(500);
    await loaded;
    expect(h.coord.status).toBe('active');
  });

  it('close() stops a background load that is still retrying', async () => {
    const time = new FakeTime();
    const store = new MemoryGroupStore();
    const h = await harness({ time, store, load: false });
    store.failNext('listOffsetGroups', new Error('backend down'));
    const { loaded } = await h.coord.loadInBackground();
    await h.coord.close();
    await loaded;
    expect(h.coord.status).toBe('closed');
    expect(time.pending).toBe(0);
  });

  it('close() answers parked requests NOT_COORDINATOR and stops every timer', async () => {
    const time = new FakeTime();
    const h = await harness({ time });
    const join = track(h.coord.joinGroup(joinInput()));
    await flush();
    await h.coord.close();
    await flush();
    expect(join.value.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    expect(time.pending).toBe(0);
    expect((await h.coord.joinGroup(joinInput())).errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  });

  it('accepts any Storage as its GroupStore', () => {
    // Compile-time check: the real storage interface satisfies the coordinator's port.
    const asStore = (s: Storage): GroupStore => s;
    expect(
      new GroupCoordinator({ store: asStore(new MemoryGroupStore() as unknown as Storage) }).status,
    ).toBe('idle');
  });
});

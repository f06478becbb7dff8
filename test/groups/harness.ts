import { expect } from 'vitest';
import type { GroupConfig } from '../../src/groups/config.js';
import { GroupCoordinator } from '../../src/groups/coordinator.js';
import type {
  JoinGroupInput,
  JoinGroupResult,
  OffsetCommitInput,
  SyncGroupInput,
  SyncGroupResult,
} from '../../src/groups/types.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { FakeTime } from './fake-time.js';
import { MemoryGroupStore } from './memory-store.js';

export { ErrorCode };

/** ConsumerProtocolSubscription bytes: version, topics, null user data (+ empty owned partitions for v1+). */
export function subscription(topics: readonly string[], version = 1): Buffer {
  const parts: Buffer[] = [];
  const i16 = (n: number): Buffer => {
    const b = Buffer.alloc(2);
    b.writeInt16BE(n);
    return b;
  };
  const i32 = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    return b;
  };
  parts.push(i16(version), i32(topics.length));
  for (const t of topics) {
    const s = Buffer.from(t, 'utf8');
    parts.push(i16(s.length), s);
  }
  parts.push(i32(-1));
  if (version >= 1) parts.push(i32(0));
  return Buffer.concat(parts);
}

/** Lets every promise chain settle (the fake store resolves at once). */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export interface Tracked<T> {
  readonly promise: Promise<T>;
  readonly settled: boolean;
  /** Throws when read before settling. */
  readonly value: T;
}

export function track<T>(promise: Promise<T>): Tracked<T> {
  let done = false;
  let result: T | undefined;
  void promise.then((v) => {
    done = true;
    result = v;
  });
  return {
    promise,
    get settled() {
      return done;
    },
    get value(): T {
      if (!done) throw new Error('promise has not settled');
      return result as T;
    },
  };
}

export interface Harness {
  readonly time: FakeTime;
  readonly store: MemoryGroupStore;
  readonly coord: GroupCoordinator;
}

export interface HarnessOptions {
  readonly config?: Partial<GroupConfig>;
  readonly store?: MemoryGroupStore;
  readonly time?: FakeTime;
  readonly load?: boolean;
}

let uuidCounter = 0;

export async function harness(options: HarnessOptions = {}): Promise<Harness> {
  const time = options.time ?? new FakeTime();
  const store = options.store ?? new MemoryGroupStore();
  const coord = new GroupCoordinator({
    store,
    clock: time,
    timers: time,
    config: options.config,
    newUuid: () => `u${++uuidCounter}`,
  });
  if (options.load !== false) await coord.load();
  return { time, store, coord };
}

export function joinInput(overrides: Partial<JoinGroupInput> = {}): JoinGroupInput {
  return {
    groupId: 'g',
    memberId: '',
    groupInstanceId: null,
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 30_000,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: subscription(['t1']) }],
    clientId: 'client',
    clientHost: '/127.0.0.1',
    requireKnownMemberId: false,
    supportSkippingAssignment: false,
    reason: null,
    ...overrides,
  };
}

export function syncInput(
  overrides: Partial<SyncGroupInput> & { memberId: string; generationId: number },
): SyncGroupInput {
  return {
    groupId: 'g',
    groupInstanceId: null,
    protocolType: null,
    protocolName: null,
    assignments: [],
    ...overrides,
  };
}

export function commitInput(overrides: Partial<OffsetCommitInput> = {}): OffsetCommitInput {
  return {
    groupId: 'g',
    memberId: '',
    groupInstanceId: null,
    generationId: -1,
    retentionTimeMs: -1,
    partitions: [
      { topic: 't1', partition: 0, offset: 5n, leaderEpoch: -1, metadata: null, commitTimestampMs: -1 },
    ],
    ...overrides,
  };
}

export interface StableMember {
  readonly memberId: string;
  readonly join: JoinGroupResult;
  readonly sync: SyncGroupResult;
}

/**
 * Forms a Stable group: the members join (pre-v4, no MEMBER_ID_REQUIRED round), the initial delays run
 * out, the leader assigns `assignment-<i>` to the i-th member, and everyone syncs.
 */
export async function stableGroup(
  h: Pick<Harness, 'coord' | 'time'>,
  inputs: readonly Partial<JoinGroupInput>[],
  groupId = 'g',
): Promise<StableMember[]> {
  const joins = inputs.map((i) => track(h.coord.joinGroup(joinInput({ groupId, ...i }))));
  // Each arrival during the initial delay extends it once more, so wait out as many delays as it takes.
  for (let i = 0; i <= inputs.length && !joins.every((j) => j.settled); i++) {
    await flush();
    h.time.advance(h.coord.config.initialRebalanceDelayMs);
    await flush();
  }
  const results = joins.map((j) => {
    expect(j.settled).toBe(true);
    expect(j.value.errorCode).toBe(ErrorCode.NONE);
    return j.value;
  });
  const leader = results.find((r) => r.leader === r.memberId);
  if (leader === undefined) throw new Error('no leader');
  const assignments = results.map((r, i) => ({
    memberId: r.memberId,
    assignment: Buffer.from(`assignment-${i}`),
  }));
  const syncs = results.map((r) =>
    track(
      h.coord.syncGroup(
        syncInput({
          groupId,
          memberId: r.memberId,
          generationId: r.generationId,
          groupInstanceId: inputs[results.indexOf(r)]?.groupInstanceId ?? null,
          assignments: r === leader ? assignments : [],
        }),
      ),
    ),
  );
  await flush();
  return results.map((r, i) => {
    const s = syncs[i];
    if (s === undefined) throw new Error('missing sync');
    expect(s.settled).toBe(true);
    expect(s.value.errorCode).toBe(ErrorCode.NONE);
    return { memberId: r.memberId, join: r, sync: s.value };
  });
}

export async function stateOf(h: Harness, groupId = 'g'): Promise<string> {
  const [d] = await h.coord.describeGroups([groupId]);
  return d?.state ?? '?';
}

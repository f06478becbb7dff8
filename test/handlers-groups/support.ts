import { expect } from 'vitest';
import { PLAINTEXT_LISTENER } from '../../src/security/listeners.js';
import { Session } from '../../src/security/session.js';
import type { GatewayConfig } from '../../src/config.js';
import { DEFAULT_CONFIG } from '../../src/config.js';
import type { GroupConfig } from '../../src/groups/index.js';
import { GroupCoordinator } from '../../src/groups/index.js';
import type { RequestContext } from '../../src/handlers/handler.js';
import { HANDLERS } from '../../src/handlers/index.js';
import { silentLogger } from '../../src/log.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import type {
  JoinGroupRequest,
  JoinGroupResponse,
  SyncGroupRequest,
  SyncGroupResponse,
} from '../../src/protocol/generated/index.js';
import { Dispatcher } from '../../src/server/dispatch.js';
import type { Services } from '../../src/services.js';
import { createServices } from '../../src/services.js';
import { MemoryStorage } from '../../src/storage/memory/memory-storage.js';
import { FakeTime } from '../groups/fake-time.js';
import { decodeResponse, requestFrame, unframe } from '../server/support/wire.js';

export { ErrorCode };

export const API = {
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  DeleteTopics: 20,
  DeleteGroups: 42,
  OffsetDelete: 47,
} as const;

/** A request that has been dispatched and may not have been answered yet (JoinGroup, SyncGroup). */
export interface Pending<T> {
  readonly promise: Promise<T>;
  readonly settled: boolean;
  /** Throws when read before the response arrived. */
  readonly value: T;
}

/**
 * Dispatcher and services as the gateway wires them, with the group coordinator on a fake clock, so
 * rebalance delays and session timeouts pass only when a test advances the time.
 */
export interface GroupHarness {
  readonly storage: MemoryStorage;
  readonly services: Services;
  readonly coordinator: GroupCoordinator;
  readonly time: FakeTime;
  call<T>(apiKey: number, version: number, body: object, clientId?: string): Promise<T>;
  /** Dispatches without waiting for the answer. */
  start<T>(apiKey: number, version: number, body: object, clientId?: string): Pending<T>;
  /** Lets dispatched requests reach the coordinator, moves the clock on, and lets answers settle. */
  advance(ms: number): Promise<void>;
  createTopic(name: string, partitions?: number): Promise<void>;
}

export interface HarnessOptions {
  readonly groups?: Partial<GroupConfig>;
  readonly gateway?: Partial<GatewayConfig>;
  readonly storage?: MemoryStorage;
  /** false: the coordinator is never loaded (it answers COORDINATOR_NOT_AVAILABLE). */
  readonly load?: boolean;
}

export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

let uuids = 0;

export async function groupHarness(options: HarnessOptions = {}): Promise<GroupHarness> {
  const storage = options.storage ?? new MemoryStorage({ logger: silentLogger });
  const time = new FakeTime();
  const coordinator = new GroupCoordinator({
    store: storage,
    clock: time,
    timers: time,
    config: options.groups,
    newUuid: () => `uuid${++uuids}`,
  });
  if (options.load !== false) await coordinator.load();
  const base = createServices({ ...DEFAULT_CONFIG, ...options.gateway }, storage, silentLogger);
  const services: Services = { ...base, groups: coordinator };
  const dispatcher = new Dispatcher(HANDLERS);
  services.supportedApis = dispatcher.supported;
  const signal = new AbortController().signal;
  const context =
    (clientId: string) =>
    (apiVersion: number, correlationId: number): RequestContext => ({
      apiVersion,
      correlationId,
      clientId,
      localHost: '127.0.0.1',
      localPort: 19092,
      remoteHost: '10.1.2.3',
      services,
      session: new Session(PLAINTEXT_LISTENER, '127.0.0.1', undefined),
      log: silentLogger,
      signal,
    });
  let correlationId = 100;
  const call = async <T>(apiKey: number, version: number, body: object, clientId = 'test-client') => {
    const id = ++correlationId;
    const frame = requestFrame(apiKey, version, body, { correlationId: id, clientId });
    const chunks = await dispatcher.dispatch(frame, context(clientId));
    if (chunks === null) throw new Error('no response');
    const response = decodeResponse<T>(apiKey, version, unframe(chunks));
    expect(response.correlationId).toBe(id);
    return response.body;
  };
  return {
    storage,
    services,
    coordinator,
    time,
    call,
    start<T>(apiKey: number, version: number, body: object, clientId?: string): Pending<T> {
      let settled = false;
      let value: T | undefined;
      const promise = call<T>(apiKey, version, body, clientId).then((v) => {
        settled = true;
        value = v;
        return v;
      });
      return {
        promise,
        get settled() {
          return settled;
        },
        get value(): T {
          if (!settled) throw new Error('no response yet');
          return value as T;
        },
      };
    },
    async advance(ms: number) {
      await flush();
      time.advance(ms);
      await flush();
      await flush();
    },
    async createTopic(name: string, partitions = 1) {
      await storage.createTopic({ name, partitions, configs: {} });
    },
  };
}

/** ConsumerProtocolSubscription v0 bytes: the topics, no user data. */
export function subscription(topics: readonly string[]): Buffer {
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
  parts.push(i16(0), i32(topics.length));
  for (const t of topics) {
    const s = Buffer.from(t, 'utf8');
    parts.push(i16(s.length), s);
  }
  parts.push(i32(-1));
  return Buffer.concat(parts);
}

export function joinRequest(overrides: Partial<JoinGroupRequest> = {}): JoinGroupRequest {
  return {
    groupId: 'g',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 30_000,
    memberId: '',
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: subscription(['t1']) }],
    reason: null,
    ...overrides,
  };
}

export function syncRequest(
  overrides: Partial<SyncGroupRequest> & { memberId: string; generationId: number },
): SyncGroupRequest {
  return {
    groupId: 'g',
    groupInstanceId: null,
    protocolType: null,
    protocolName: null,
    assignments: [],
    ...overrides,
  };
}

export interface Member {
  readonly memberId: string;
  readonly generationId: number;
  readonly leader: string;
  readonly groupInstanceId: string | null;
}

/**
 * Forms a Stable group over the wire: every member joins (with the MEMBER_ID_REQUIRED round from v4),
 * the initial rebalance delays run out, the leader assigns `assignment-<i>` and everyone syncs.
 */
export async function stableGroup(
  h: GroupHarness,
  joins: readonly Partial<JoinGroupRequest>[],
  version = 5,
): Promise<Member[]> {
  const withIds = await Promise.all(
    joins.map(async (j) => {
      if (version < 4 || j.groupInstanceId != null || j.memberId) return j;
      // v4+: a dynamic member first gets its id with MEMBER_ID_REQUIRED.
      const first = await h.call<JoinGroupResponse>(API.JoinGroup, version, joinRequest(j));
      expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
      return { ...j, memberId: first.memberId };
    }),
  );
  const pending = withIds.map((j) => h.start<JoinGroupResponse>(API.JoinGroup, version, joinRequest(j)));
  for (let i = 0; i <= joins.length && !pending.every((p) => p.settled); i++) {
    await h.advance(h.coordinator.config.initialRebalanceDelayMs);
  }
  const members = pending.map((p, i) => {
    expect(p.value.errorCode).toBe(ErrorCode.NONE);
    return {
      memberId: p.value.memberId,
      generationId: p.value.generationId!,
      leader: p.value.leader,
      groupInstanceId: joins[i]?.groupInstanceId ?? null,
      groupId: joins[i]?.groupId ?? 'g',
    };
  });
  const assignments = members.map((m, i) => ({
    memberId: m.memberId,
    assignment: Buffer.from(`assignment-${i}`),
  }));
  const syncs = members.map((m) =>
    h.start<SyncGroupResponse>(
      API.SyncGroup,
      Math.min(version, 4),
      syncRequest({
        groupId: m.groupId,
        memberId: m.memberId,
        generationId: m.generationId,
        groupInstanceId: m.groupInstanceId,
        assignments: m.memberId === m.leader ? assignments : [],
      }),
    ),
  );
  await Promise.all(syncs.map((s) => s.promise));
  syncs.forEach((s, i) => expect(s.value.assignment).toEqual(Buffer.from(`assignment-${i}`)));
  return members;
}

export async function describeState(h: GroupHarness, groupId = 'g'): Promise<string> {
  return (await h.coordinator.describeGroups([groupId]))[0]!.state;
}

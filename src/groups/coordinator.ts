import { randomUUID } from 'node:crypto';
import { pino, type Logger } from 'pino';
import { ErrorCode } from '../protocol/error-codes.js';
import { groupConfig, type GroupConfig } from './config.js';
import type { Ctx } from './context.js';
import { joinError, syncError, type Group } from './group.js';
import { joinExistingGroup } from './join.js';
import { loadGroups, onGroupLoaded } from './load.js';
import { heartbeat, leaveMember, syncGroup } from './membership.js';
import * as offsetOps from './offset-ops.js';
import { commitTxnOffsets, completeTxnOffsets, type TxnOffsetCommitInput } from './txn-offset-ops.js';
import { GroupPersistence } from './persistence.js';
import { realTimers, systemClock } from './real-time.js';
import type { GroupStore } from './store.js';
import type { Cancel, Clock, Timers } from './time.js';
import type {
  DeleteGroupResult,
  DescribedGroup,
  HeartbeatInput,
  HeartbeatResult,
  JoinGroupInput,
  JoinGroupResult,
  LeaveGroupInput,
  LeaveGroupResult,
  ListGroupsInput,
  ListGroupsResult,
  OffsetCommitInput,
  OffsetDeleteInput,
  OffsetDeleteResult,
  OffsetFetchInput,
  OffsetFetchResult,
  PartitionError,
  SyncGroupInput,
  SyncGroupResult,
} from './types.js';

export interface GroupCoordinatorOptions {
  readonly store: GroupStore;
  readonly config?: Partial<GroupConfig>;
  readonly clock?: Clock;
  readonly timers?: Timers;
  readonly logger?: Logger;
  /** Source of the uuid part of member ids; tests make it predictable. */
  readonly newUuid?: () => string;
  /** Another gateway coordinates every group: load nothing, answer NOT_COORDINATOR. */
  readonly remote?: boolean;
  /**
   * Several gateways share the groups, each coordinating those it holds (src/coordination/): nothing
   * is loaded at start; takeOver and handOver load and drop groups as their ownership moves.
   */
  readonly ownership?: GroupOwnership;
}

/** Whether this gateway coordinates a group now, is loading it, or another gateway does. */
export interface GroupOwnership {
  status(groupId: string): 'owned' | 'loading' | 'elsewhere';
}

/**
 * idle: load() not called yet; loading: reading storage; active: serving; remote: another gateway
 * coordinates every group; closed: after close().
 */
export type CoordinatorStatus = 'idle' | 'loading' | 'active' | 'remote' | 'closed';

/**
 * Kafka accepts an empty group id for OffsetCommit/OffsetFetch/DescribeGroups/DeleteGroups (old tools
 * used it); every other group API answers INVALID_GROUP_ID.
 */
type IdRule = 'nonEmpty' | 'anyId';

/**
 * Kafka's classic group coordinator (consumer groups with JoinGroup/SyncGroup), in domain terms: each
 * method answers what Kafka would answer, with Kafka error codes as data, resolving when Kafka would
 * respond (JoinGroup once the rebalance completes, a follower's SyncGroup once the leader has assigned).
 */
export class GroupCoordinator {
  private readonly ctx: Ctx;
  private readonly store: GroupStore;
  private state: CoordinatorStatus = 'idle';
  private cleanupTimer: Cancel | undefined;
  private retryTimer: Cancel | undefined;
  private retryWake: (() => void) | undefined;
  private readonly ownership: GroupOwnership | undefined;

  constructor(options: GroupCoordinatorOptions) {
    const log = options.logger ?? pino({ level: 'silent' });
    this.store = options.store;
    this.ctx = {
      config: groupConfig(options.config),
      clock: options.clock ?? systemClock,
      timers: options.timers ?? realTimers,
      log,
      groups: new Map(),
      persistence: new GroupPersistence(options.store, log),
      newUuid: options.newUuid ?? randomUUID,
    };
    if (options.remote === true) this.state = 'remote';
    this.ownership = options.ownership;
  }

  get status(): CoordinatorStatus {
    return this.state;
  }

  get config(): GroupConfig {
    return this.ctx.config;
  }

  /** Loads groups and offsets from the store; requests meanwhile get COORDINATOR_LOAD_IN_PROGRESS. */
  async load(): Promise<void> {
    if (this.state === 'remote') return;
    if (this.state !== 'idle') throw new Error(`group coordinator cannot load when ${this.state}`);
    this.state = 'loading';
    try {
      await this.loadOnce();
    } catch (err) {
      if (this.state === 'loading') this.state = 'idle';
      throw err;
    }
  }

  /** One attempt while in 'loading': reads the store and starts serving what it holds. */
  private async loadOnce(): Promise<void> {
    // Shared ownership loads group by group as slots are taken over, not at start.
    const loaded = this.ownership ? new Map<string, Group>() : await loadGroups(this.ctx, this.store);
    if (this.state !== 'loading') return; // closed meanwhile
    for (const [id, group] of loaded) this.ctx.groups.set(id, group);
    for (const group of loaded.values()) onGroupLoaded(this.ctx, group);
    this.state = 'active';
    this.scheduleCleanup();
    this.ctx.log.info({ groups: loaded.size }, 'group coordinator loaded');
  }

  /**
   * Like load(), but a store that is unavailable (a SeaweedMQ cluster not up yet) does not fail it:
   * it retries with backoff until it loads or the coordinator closes, answering
   * COORDINATOR_LOAD_IN_PROGRESS meanwhile, so the gateway can serve everything else. Resolves once
   * the first attempt is over; `loaded` settles when the groups are in.
   */
  async loadInBackground(maxBackoffMs = 10_000): Promise<{ loaded: Promise<void> }> {
    const err = await this.load().then(
      () => undefined,
      (e: unknown) => e,
    );
    if (err === undefined || this.state === 'closed' || this.state === 'remote') {
      return { loaded: Promise.resolve() };
    }
    this.state = 'loading';
    this.ctx.log.error(
      { err },
      'cannot load consumer groups yet; group requests wait until the store answers',
    );
    const loaded = (async () => {
      for (let backoff = 250; ; backoff = Math.min(maxBackoffMs, backoff * 2)) {
        await new Promise<void>((resolve) => {
          this.retryWake = resolve;
          this.retryTimer = this.ctx.timers.schedule(backoff, resolve);
        });
        if (this.state !== 'loading') return;
        try {
          await this.loadOnce();
          return;
        } catch (retryErr) {
          if (this.state !== 'loading') return;
          this.ctx.log.warn({ err: retryErr }, 'loading consumer groups failed again; retrying');
        }
      }
    })();
    return { loaded };
  }

  /**
   * Stops serving: parked requests are answered NOT_COORDINATOR (as when Kafka moves a group away),
   * timers stop, and in-flight writes are awaited.
   */
  async close(): Promise<void> {
    this.state = 'closed';
    this.retryTimer?.();
    this.retryWake?.();
    this.cleanupTimer?.();
    this.cleanupTimer = undefined;
    const groups = [...this.ctx.groups.values()];
    this.ctx.groups.clear();
    await this.retire(groups);
  }

  private async retire(groups: readonly Group[]): Promise<void> {
    for (const group of groups) {
      group.cancelTimers();
      group.transitionTo('Dead', this.ctx.clock.now());
      // Kafka answers parked JoinGroups only in PreparingRebalance; a static member's JoinGroup parked
      // while its new id is written (Stable) is answered too, so no request outlives the coordinator.
      for (const m of group.members.values()) {
        group.maybeInvokeJoin(m, joinError(m.memberId, ErrorCode.NOT_COORDINATOR));
        group.maybeInvokeSync(m, syncError(ErrorCode.NOT_COORDINATOR));
      }
    }
    await Promise.all(groups.map((g) => g.writes));
  }

  /**
   * Starts coordinating the stored groups `owns` accepts (ownership moved here): loads them, as Kafka
   * loads a partition of __consumer_offsets whose leadership it gains. Groups already held stay.
   */
  async takeOver(owns: (groupId: string) => boolean): Promise<void> {
    if (this.state !== 'active')
      throw new Error(`group coordinator cannot take over groups when ${this.state}`);
    const loaded = await loadGroups(this.ctx, this.store, (id) => owns(id) && !this.ctx.groups.has(id));
    let count = 0;
    for (const [id, group] of loaded) {
      if (this.ctx.groups.has(id)) continue;
      this.ctx.groups.set(id, group);
      onGroupLoaded(this.ctx, group);
      count++;
    }
    if (count > 0) this.ctx.log.info({ groups: count }, 'took over consumer groups');
  }

  /**
   * Stops coordinating the groups `owns` accepts (ownership moved away): parked requests are answered
   * NOT_COORDINATOR, timers stop, pending writes finish, and the groups are dropped from memory.
   */
  async handOver(owns: (groupId: string) => boolean): Promise<void> {
    const leaving = [...this.ctx.groups.values()].filter((g) => owns(g.groupId));
    for (const group of leaving) this.ctx.groups.delete(group.groupId);
    await this.retire(leaving);
  }

  /** Runs the offset retention check now (it also runs every offsets.retention.check.interval.ms). */
  expireOffsets(): Promise<number> {
    return offsetOps.expireOffsets(this.ctx);
  }

  async joinGroup(input: JoinGroupInput): Promise<JoinGroupResult> {
    const error = this.validate(input.groupId, 'nonEmpty');
    if (error !== undefined) return joinError(input.memberId, error);
    const { minSessionTimeoutMs, maxSessionTimeoutMs } = this.ctx.config;
    if (input.sessionTimeoutMs < minSessionTimeoutMs || input.sessionTimeoutMs > maxSessionTimeoutMs) {
      return joinError(input.memberId, ErrorCode.INVALID_SESSION_TIMEOUT);
    }
    let group = this.ctx.groups.get(input.groupId);
    if (group === undefined) {
      // Only a member without id creates a group; a member id for a group we do not know is stale.
      if (input.memberId !== '') return joinError(input.memberId, ErrorCode.UNKNOWN_MEMBER_ID);
      group = offsetOps.createGroup(this.ctx, input.groupId);
    }
    const target = group;
    return new Promise((resolve) => joinExistingGroup(this.ctx, target, input, resolve));
  }

  async syncGroup(input: SyncGroupInput): Promise<SyncGroupResult> {
    const error = this.validate(input.groupId, 'nonEmpty');
    // The rebalance state was lost with the load: REBALANCE_IN_PROGRESS makes the member rejoin, and old
    // clients do not expect COORDINATOR_LOAD_IN_PROGRESS here.
    if (error === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) return syncError(ErrorCode.REBALANCE_IN_PROGRESS);
    if (error !== undefined) return syncError(error);
    const group = this.ctx.groups.get(input.groupId);
    if (group === undefined) return syncError(ErrorCode.UNKNOWN_MEMBER_ID);
    return new Promise((resolve) => syncGroup(this.ctx, group, input, resolve));
  }

  async heartbeat(input: HeartbeatInput): Promise<HeartbeatResult> {
    const error = this.validate(input.groupId, 'nonEmpty');
    // While loading, Kafka answers heartbeats blindly.
    if (error === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) return { errorCode: ErrorCode.NONE };
    if (error !== undefined) return { errorCode: error };
    const group = this.ctx.groups.get(input.groupId);
    if (group === undefined) return { errorCode: ErrorCode.UNKNOWN_MEMBER_ID };
    return { errorCode: heartbeat(this.ctx, group, input) };
  }

  async leaveGroup(input: LeaveGroupInput): Promise<LeaveGroupResult> {
    const error = this.validate(input.groupId, 'nonEmpty');
    if (error !== undefined) return { errorCode: error, members: [] };
    const group = this.ctx.groups.get(input.groupId);
    if (group === undefined) {
      return {
        errorCode: ErrorCode.NONE,
        members: input.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          errorCode: ErrorCode.UNKNOWN_MEMBER_ID,
        })),
      };
    }
    if (group.is('Dead')) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] };
    return { errorCode: ErrorCode.NONE, members: input.members.map((m) => leaveMember(this.ctx, group, m)) };
  }

  async commitOffsets(input: OffsetCommitInput): Promise<PartitionError[]> {
    const error = this.validate(input.groupId, 'anyId');
    const all = (errorCode: number): PartitionError[] =>
      input.partitions.map((p) => ({ topic: p.topic, partition: p.partition, errorCode }));
    if (error !== undefined) return all(error);
    let group = this.ctx.groups.get(input.groupId);
    if (group === undefined) {
      // No group: fine for assign() consumers (they create an Empty one); a generation means a stale member.
      if (input.generationId >= 0) return all(ErrorCode.ILLEGAL_GENERATION);
      group = offsetOps.createGroup(this.ctx, input.groupId);
    }
    return offsetOps.commitOffsets(this.ctx, group, input);
  }

  /** TxnOffsetCommit: the offsets stay pending until the producer's transaction ends. */
  async commitTransactionalOffsets(input: TxnOffsetCommitInput): Promise<PartitionError[]> {
    const error = this.validate(input.groupId, 'nonEmpty');
    if (error !== undefined) {
      return input.partitions.map((p) => ({ topic: p.topic, partition: p.partition, errorCode: error }));
    }
    const group = this.ctx.groups.get(input.groupId) ?? offsetOps.createGroup(this.ctx, input.groupId);
    return commitTxnOffsets(this.ctx, group, input);
  }

  /** A transaction marker for the group: the producer's pending offsets are committed or dropped. */
  async completeTransaction(groupId: string, producerId: bigint, commit: boolean): Promise<number> {
    const error = this.validate(groupId, 'anyId');
    if (error !== undefined) return error;
    const group = this.ctx.groups.get(groupId);
    if (group === undefined || group.is('Dead')) return ErrorCode.NONE;
    return completeTxnOffsets(this.ctx, group, producerId, commit);
  }

  /** Groups holding offsets of the producer's open transaction (WriteTxnMarkers names only partitions). */
  groupsWithTransaction(producerId: bigint): string[] {
    return [...this.ctx.groups.values()]
      .filter((g) => g.offsets.txnProducers().includes(producerId))
      .map((g) => g.groupId);
  }

  async fetchOffsets(input: OffsetFetchInput): Promise<OffsetFetchResult> {
    const error = this.validate(input.groupId, 'anyId');
    if (error !== undefined) return { errorCode: error, partitions: [] };
    return {
      errorCode: ErrorCode.NONE,
      partitions: offsetOps.fetchOffsets(this.ctx.groups.get(input.groupId), input),
    };
  }

  async deleteOffsets(input: OffsetDeleteInput): Promise<OffsetDeleteResult> {
    const error = this.validate(input.groupId, 'nonEmpty');
    if (error !== undefined) return { errorCode: error, partitions: [] };
    const group = this.ctx.groups.get(input.groupId);
    if (group === undefined) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, partitions: [] };
    return offsetOps.deleteOffsets(this.ctx, group, input.partitions);
  }

  async describeGroups(groupIds: readonly string[]): Promise<DescribedGroup[]> {
    return groupIds.map((groupId) => this.describeGroup(groupId));
  }

  private describeGroup(groupId: string): DescribedGroup {
    const error = this.validate(groupId, 'anyId');
    const none = { groupId, protocolType: '', protocolData: '', members: [] };
    if (error !== undefined) return { ...none, errorCode: error, state: '' };
    const group = this.ctx.groups.get(groupId);
    if (group === undefined) return { ...none, errorCode: ErrorCode.NONE, state: 'Dead' };
    const stable = group.is('Stable');
    const protocol = stable ? (group.protocolName ?? '') : '';
    return {
      groupId,
      errorCode: ErrorCode.NONE,
      state: group.state,
      protocolType: group.protocolType ?? '',
      protocolData: protocol,
      // Metadata and assignments are only meaningful once the generation is settled.
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        metadata: stable ? m.metadata(protocol) : Buffer.alloc(0),
        assignment: stable ? m.assignment : Buffer.alloc(0),
      })),
    };
  }

  async listGroups(input: ListGroupsInput = {}): Promise<ListGroupsResult> {
    if (this.state === 'idle' || this.state === 'closed') {
      return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, groups: [] };
    }
    // A broker that coordinates no group lists none (Kafka asks every broker and merges).
    if (this.state === 'remote') return { errorCode: ErrorCode.NONE, groups: [] };
    const errorCode = this.state === 'loading' ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : ErrorCode.NONE;
    const states = new Set((input.statesFilter ?? []).map((s) => s.toLowerCase()));
    const types = new Set((input.typesFilter ?? []).map((t) => t.toLowerCase()));
    if (types.size > 0 && !types.has('classic')) return { errorCode, groups: [] };
    const groups = [...this.ctx.groups.values()]
      .filter((g) => states.size === 0 || states.has(g.state.toLowerCase()))
      .map((g) => ({
        groupId: g.groupId,
        protocolType: g.protocolType ?? '',
        state: g.state,
        groupType: 'classic' as const,
      }));
    return { errorCode, groups };
  }

  async deleteGroups(groupIds: readonly string[]): Promise<DeleteGroupResult[]> {
    const results = new Map<string, number>();
    const eligible: Group[] = [];
    for (const groupId of groupIds) {
      if (results.has(groupId)) continue;
      const error = this.validate(groupId, 'anyId');
      const group = this.ctx.groups.get(groupId);
      if (error !== undefined) results.set(groupId, error);
      else if (group === undefined || group.is('Dead')) results.set(groupId, ErrorCode.GROUP_ID_NOT_FOUND);
      else if (!group.is('Empty')) results.set(groupId, ErrorCode.NON_EMPTY_GROUP);
      else {
        group.transitionTo('Dead', this.ctx.clock.now());
        eligible.push(group);
        results.set(groupId, ErrorCode.NONE);
      }
    }
    await offsetOps.deleteGroups(this.ctx, eligible);
    return [...results].map(([groupId, errorCode]) => ({ groupId, errorCode }));
  }

  /** Topics were deleted: their committed offsets go from every group (Kafka's handleDeletedPartitions). */
  async onTopicsDeleted(topics: readonly string[]): Promise<void> {
    const set = new Set(topics);
    await Promise.all(
      [...this.ctx.groups.values()].map((g) =>
        offsetOps.cleanupGroup(this.ctx, g, g.offsets.removeTopics(set)),
      ),
    );
  }

  private validate(groupId: string, rule: IdRule): number | undefined {
    if (groupId === '' && rule === 'nonEmpty') return ErrorCode.INVALID_GROUP_ID;
    if (this.state === 'loading') return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    if (this.state === 'remote') return ErrorCode.NOT_COORDINATOR;
    if (this.state !== 'active') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    switch (this.ownership?.status(groupId)) {
      case 'loading':
        return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
      case 'elsewhere':
        return ErrorCode.NOT_COORDINATOR;
      default:
        return undefined;
    }
  }

  private scheduleCleanup(): void {
    this.cleanupTimer = this.ctx.timers.schedule(this.ctx.config.offsetsRetentionCheckIntervalMs, () => {
      if (this.state !== 'active') return;
      this.scheduleCleanup();
      void this.expireOffsets().catch((err: unknown) => this.ctx.log.error({ err }, 'offset expiry failed'));
    });
  }
}

import { ErrorCode } from '../protocol/error-codes.js';
import { CONSUMER_PROTOCOL_TYPE, parseSubscriptionTopics } from './consumer-protocol.js';
import { EMPTY_BYTES, type Member } from './member.js';
import { GroupOffsets } from './offsets.js';
import { selectProtocol, supportsProtocols } from './protocol-selection.js';
import type { Cancel } from './time.js';
import type {
  GroupStateName,
  JoinGroupMember,
  JoinGroupProtocol,
  JoinGroupResult,
  SyncGroupResult,
} from './types.js';

/** Allowed previous states for each target state (Kafka's GroupState.validPreviousStates). */
const VALID_PREVIOUS: Record<GroupStateName, readonly GroupStateName[]> = {
  PreparingRebalance: ['Stable', 'CompletingRebalance', 'Empty'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead'],
  Empty: ['PreparingRebalance'],
};

/** The JoinGroup rebalance wait: the initial-delay variant (from Empty) or the plain one. */
export type JoinWait =
  | { readonly kind: 'join'; readonly cancel: Cancel }
  | {
      readonly kind: 'initial';
      readonly cancel: Cancel;
      readonly delayMs: number;
      readonly remainingMs: number;
    };

export function joinError(memberId: string, errorCode: number): JoinGroupResult {
  return {
    errorCode,
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leader: '',
    skipAssignment: false,
    memberId,
    members: [],
  };
}

export function syncError(errorCode: number): SyncGroupResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY_BYTES };
}

/** A classic group's membership state. Timers and storage are the coordinator's; this is bookkeeping. */
export class Group {
  state: GroupStateName;
  /** When the group entered its current state (Kafka's currentStateTimestamp); drives offset expiry. */
  stateTimestamp: number | undefined;
  protocolType: string | undefined;
  protocolName: string | undefined;
  generationId = 0;
  leaderId: string | undefined;
  /** Consumer-protocol groups: topics subscribed to in this generation; undefined when unknown. */
  subscribedTopics: Set<string> | undefined;
  /** Set when a member joins a still-forming group, so the initial delay is extended once more. */
  newMemberAdded = false;
  joinWait: JoinWait | undefined;
  syncTimer: Cancel | undefined;
  readonly offsets = new GroupOffsets();
  /** Storage writes for this group, chained so they land in the order they were issued. */
  writes: Promise<unknown> = Promise.resolve();

  /** Insertion-ordered, so leader succession and member lists are reproducible. */
  readonly members = new Map<string, Member>();
  /** group.instance.id → member id */
  readonly staticMembers = new Map<string, string>();
  /** Member ids handed out with MEMBER_ID_REQUIRED and not yet used, with their expiry timers. */
  readonly pendingMembers = new Map<string, Cancel>();
  readonly pendingSyncMembers = new Set<string>();
  private readonly protocolCounts = new Map<string, number>();
  private awaitingJoinCount = 0;

  constructor(
    readonly groupId: string,
    state: GroupStateName,
    now: number,
  ) {
    this.state = state;
    this.stateTimestamp = now;
  }

  get size(): number {
    return this.members.size;
  }

  get numAwaitingJoin(): number {
    return this.awaitingJoinCount;
  }

  is(state: GroupStateName): boolean {
    return this.state === state;
  }

  has(memberId: string): boolean {
    return this.members.has(memberId);
  }

  get(memberId: string): Member {
    const m = this.members.get(memberId);
    if (m === undefined) throw new Error(`group ${this.groupId} has no member ${memberId}`);
    return m;
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  isConsumerGroup(): boolean {
    return this.protocolType === CONSUMER_PROTOCOL_TYPE;
  }

  canRebalance(): boolean {
    return VALID_PREVIOUS.PreparingRebalance.includes(this.state);
  }

  transitionTo(target: GroupStateName, now: number): void {
    if (!VALID_PREVIOUS[target].includes(this.state)) {
      throw new Error(`group ${this.groupId}: invalid transition ${this.state} -> ${target}`);
    }
    this.state = target;
    this.stateTimestamp = now;
  }

  /** The largest rebalance timeout of the members: how long a rebalance may wait for all of them. */
  get rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  supports(protocolType: string, protocols: readonly JoinGroupProtocol[]): boolean {
    return supportsProtocols(
      this.is('Empty'),
      this.protocolType,
      this.protocolCounts,
      this.members.size,
      protocolType,
      protocols.map((p) => p.name),
    );
  }

  selectProtocol(): string {
    return selectProtocol(this.members.values(), this.protocolCounts);
  }

  add(member: Member, awaitingJoin?: (r: JoinGroupResult) => void): void {
    if (member.groupInstanceId !== null) {
      if (this.staticMembers.has(member.groupInstanceId)) {
        throw new Error(`static member ${member.groupInstanceId} is already in group ${this.groupId}`);
      }
      this.staticMembers.set(member.groupInstanceId, member.memberId);
    }
    if (this.members.size === 0) this.protocolType = member.protocolType;
    if (this.leaderId === undefined) this.leaderId = member.memberId;
    this.members.set(member.memberId, member);
    this.countProtocols(member, 1);
    member.awaitingJoin = awaitingJoin;
    if (awaitingJoin !== undefined) this.awaitingJoinCount++;
    this.pendingMembers.get(member.memberId)?.();
    this.pendingMembers.delete(member.memberId);
  }

  /**
   * Drops a member (or a pending member id). Any request it still has parked is answered
   * UNKNOWN_MEMBER_ID; Kafka would leave it hanging until the client's request timeout.
   */
  remove(memberId: string): void {
    const member = this.members.get(memberId);
    if (member !== undefined) {
      this.members.delete(memberId);
      this.countProtocols(member, -1);
      member.heartbeatTimer?.();
      member.heartbeatTimer = undefined;
      this.maybeInvokeJoin(member, joinError('', ErrorCode.UNKNOWN_MEMBER_ID));
      this.maybeInvokeSync(member, syncError(ErrorCode.UNKNOWN_MEMBER_ID));
      if (member.groupInstanceId !== null) this.staticMembers.delete(member.groupInstanceId);
    }
    if (this.isLeader(memberId)) {
      const next = this.members.keys().next();
      this.leaderId = next.done === true ? undefined : next.value;
    }
    this.pendingMembers.get(memberId)?.();
    this.pendingMembers.delete(memberId);
    this.pendingSyncMembers.delete(memberId);
  }

  updateMember(
    member: Member,
    protocols: readonly JoinGroupProtocol[],
    rebalanceTimeoutMs: number,
    sessionTimeoutMs: number,
    awaitingJoin: ((r: JoinGroupResult) => void) | undefined,
  ): void {
    this.countProtocols(member, -1);
    member.protocols = protocols;
    this.countProtocols(member, 1);
    member.rebalanceTimeoutMs = rebalanceTimeoutMs;
    member.sessionTimeoutMs = sessionTimeoutMs;
    if (awaitingJoin !== undefined && !member.isAwaitingJoin) this.awaitingJoinCount++;
    else if (awaitingJoin === undefined && member.isAwaitingJoin) this.awaitingJoinCount--;
    member.awaitingJoin = awaitingJoin;
  }

  /**
   * Moves a static member to a new member id, keeping its place, metadata and assignment. Whatever the
   * previous incarnation still has parked is answered FENCED_INSTANCE_ID.
   */
  replaceStaticMember(groupInstanceId: string, oldMemberId: string, newMemberId: string): Member {
    const member = this.get(oldMemberId);
    this.members.delete(oldMemberId);
    this.maybeInvokeJoin(member, joinError(oldMemberId, ErrorCode.FENCED_INSTANCE_ID));
    this.maybeInvokeSync(member, syncError(ErrorCode.FENCED_INSTANCE_ID));
    member.memberId = newMemberId;
    this.members.set(newMemberId, member);
    if (this.isLeader(oldMemberId)) this.leaderId = newMemberId;
    this.staticMembers.set(groupInstanceId, newMemberId);
    return member;
  }

  /**
   * Keeps the current leader if it rejoined, else picks any member that did. False when there is no
   * leader or nobody rejoined.
   */
  maybeElectNewJoinedLeader(): boolean {
    if (this.leaderId === undefined) return false;
    if (this.get(this.leaderId).isAwaitingJoin) return true;
    for (const m of this.members.values()) {
      if (m.isAwaitingJoin) {
        this.leaderId = m.memberId;
        return true;
      }
    }
    return false;
  }

  hasAllMembersJoined(): boolean {
    return this.members.size === this.awaitingJoinCount && this.pendingMembers.size === 0;
  }

  maybeInvokeJoin(member: Member, result: JoinGroupResult): void {
    const cb = member.awaitingJoin;
    if (cb === undefined) return;
    member.awaitingJoin = undefined;
    this.awaitingJoinCount--;
    cb(result);
  }

  /** True when the member had a SyncGroup parked and it was answered. */
  maybeInvokeSync(member: Member, result: SyncGroupResult): boolean {
    const cb = member.awaitingSync;
    if (cb === undefined) return false;
    member.awaitingSync = undefined;
    cb(result);
    return true;
  }

  initNextGeneration(now: number): void {
    this.generationId++;
    if (this.members.size > 0) {
      this.protocolName = this.selectProtocol();
      this.subscribedTopics = this.computeSubscribedTopics();
      this.transitionTo('CompletingRebalance', now);
    } else {
      this.protocolName = undefined;
      this.subscribedTopics = this.computeSubscribedTopics();
      this.transitionTo('Empty', now);
    }
    this.pendingSyncMembers.clear();
  }

  /** Members with their metadata for the selected protocol: what the leader assigns from. */
  currentMemberMetadata(): JoinGroupMember[] {
    const protocol = this.protocolName;
    if (protocol === undefined) throw new Error(`group ${this.groupId} has no protocol in ${this.state}`);
    return [...this.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      metadata: m.metadata(protocol),
    }));
  }

  computeSubscribedTopics(): Set<string> | undefined {
    if (!this.isConsumerGroup()) return undefined;
    if (this.members.size === 0) return new Set();
    const protocol = this.protocolName;
    if (protocol === undefined) return undefined;
    const topics = new Set<string>();
    for (const m of this.members.values()) {
      const parsed = parseSubscriptionTopics(m.metadata(protocol));
      if (parsed === undefined) return undefined;
      for (const t of parsed) topics.add(t);
    }
    return topics;
  }

  /** Unknown subscriptions count as subscribed, so nothing is deleted on a guess. */
  isSubscribedToTopic(topic: string): boolean {
    return this.subscribedTopics === undefined || this.subscribedTopics.has(topic);
  }

  /** Stops every timer the group holds; used when it is deleted or the coordinator closes. */
  cancelTimers(): void {
    this.joinWait?.cancel();
    this.joinWait = undefined;
    this.syncTimer?.();
    this.syncTimer = undefined;
    for (const cancel of this.pendingMembers.values()) cancel();
    this.pendingMembers.clear();
    for (const m of this.members.values()) {
      m.heartbeatTimer?.();
      m.heartbeatTimer = undefined;
    }
  }

  private countProtocols(member: Member, delta: number): void {
    for (const p of member.protocols)
      this.protocolCounts.set(p.name, (this.protocolCounts.get(p.name) ?? 0) + delta);
  }
}

/**
 * The rebalance machinery: the join wait (with the initial delay of a new group), the sync wait, session
 * timeouts, and the transitions they drive. Mirrors the delayed operations of Kafka's GroupCoordinator.
 */
import { ErrorCode } from '../protocol/error-codes.js';
import { isLive, type Ctx } from './context.js';
import type { Group } from './group.js';
import { EMPTY_BYTES, type Member } from './member.js';

/** Restarts the member's liveness check: it must show up again within `timeoutMs`. */
export function scheduleExpiration(ctx: Ctx, group: Group, member: Member, timeoutMs: number): void {
  member.heartbeatTimer?.();
  const memberId = member.memberId;
  const cancel = ctx.timers.schedule(timeoutMs, () => {
    if (member.heartbeatTimer === cancel) member.heartbeatTimer = undefined;
    onExpireHeartbeat(ctx, group, member, memberId);
  });
  member.heartbeatTimer = cancel;
}

export function scheduleHeartbeat(ctx: Ctx, group: Group, member: Member): void {
  scheduleExpiration(ctx, group, member, member.sessionTimeoutMs);
}

function onExpireHeartbeat(ctx: Ctx, group: Group, member: Member, memberId: string): void {
  // A static member replaced meanwhile is no longer under this id: its old timer has nothing to expire.
  if (!isLive(ctx, group) || group.members.get(memberId) !== member) return;
  if (member.hasSatisfiedHeartbeat()) return;
  ctx.log.info({ groupId: group.groupId, memberId }, 'member failed to heartbeat, removing it');
  removeMemberAndUpdateGroup(ctx, group, member, 'heartbeat expiration');
}

/** A member id issued with MEMBER_ID_REQUIRED is held for one session timeout. */
export function addPendingMember(ctx: Ctx, group: Group, memberId: string, timeoutMs: number): void {
  const cancel = ctx.timers.schedule(timeoutMs, () => {
    if (!isLive(ctx, group) || group.pendingMembers.get(memberId) !== cancel) return;
    ctx.log.info({ groupId: group.groupId, memberId }, 'pending member expired');
    removePendingMemberAndUpdateGroup(ctx, group, memberId);
  });
  group.pendingMembers.set(memberId, cancel);
}

export function removePendingMemberAndUpdateGroup(ctx: Ctx, group: Group, memberId: string): void {
  group.remove(memberId);
  if (group.is('PreparingRebalance')) tryCompleteJoin(ctx, group);
}

export function removeMemberAndUpdateGroup(ctx: Ctx, group: Group, member: Member, reason: string): void {
  // A member still parked in JoinGroup (e.g. a new one timing out) is told to rejoin from scratch.
  group.remove(member.memberId);
  switch (group.state) {
    case 'Stable':
    case 'CompletingRebalance':
      maybePrepareRebalance(ctx, group, reason);
      break;
    case 'PreparingRebalance':
      tryCompleteJoin(ctx, group);
      break;
    default:
      break;
  }
}

export function maybePrepareRebalance(ctx: Ctx, group: Group, reason: string): void {
  if (group.canRebalance()) prepareRebalance(ctx, group, reason);
}

export function prepareRebalance(ctx: Ctx, group: Group, reason: string): void {
  if (group.is('CompletingRebalance'))
    resetAndPropagateAssignmentError(ctx, group, ErrorCode.REBALANCE_IN_PROGRESS);
  removeSyncExpiration(group);
  const fromEmpty = group.is('Empty');
  const rebalanceTimeoutMs = group.rebalanceTimeoutMs;
  group.transitionTo('PreparingRebalance', ctx.clock.now());
  ctx.log.info(
    { groupId: group.groupId, generationId: group.generationId, reason },
    'preparing to rebalance group',
  );
  if (fromEmpty) {
    const delay = ctx.config.initialRebalanceDelayMs;
    startInitialJoin(ctx, group, delay, Math.max(rebalanceTimeoutMs - delay, 0));
  } else {
    startJoin(ctx, group, rebalanceTimeoutMs);
  }
}

/** Waits until every member has rejoined, or the rebalance timeout. */
function startJoin(ctx: Ctx, group: Group, timeoutMs: number): void {
  group.joinWait?.cancel();
  group.joinWait = undefined;
  if (group.hasAllMembersJoined()) {
    onCompleteJoin(ctx, group);
    return;
  }
  const cancel = ctx.timers.schedule(timeoutMs, () => {
    if (group.joinWait?.cancel !== cancel) return;
    group.joinWait = undefined;
    if (isLive(ctx, group)) onCompleteJoin(ctx, group);
  });
  group.joinWait = { kind: 'join', cancel };
}

/**
 * A new group waits the initial delay even if everyone has joined, and waits again (never past the
 * rebalance timeout) each time a member arrived during the previous wait, so a consumer fleet starting
 * together forms one generation instead of many.
 */
function startInitialJoin(ctx: Ctx, group: Group, delayMs: number, remainingMs: number): void {
  group.joinWait?.cancel();
  const cancel = ctx.timers.schedule(delayMs, () => {
    if (group.joinWait?.cancel !== cancel) return;
    group.joinWait = undefined;
    if (!isLive(ctx, group)) return;
    if (group.newMemberAdded && remainingMs !== 0) {
      group.newMemberAdded = false;
      const configured = ctx.config.initialRebalanceDelayMs;
      // Kafka subtracts the delay just waited, not the next one; kept for identical timing.
      startInitialJoin(ctx, group, Math.min(configured, remainingMs), Math.max(remainingMs - delayMs, 0));
    } else {
      onCompleteJoin(ctx, group);
    }
  });
  group.joinWait = { kind: 'initial', cancel, delayMs, remainingMs };
}

/** Called whenever a member joins or leaves during PreparingRebalance. The initial delay always runs out. */
export function tryCompleteJoin(ctx: Ctx, group: Group): void {
  const wait = group.joinWait;
  if (wait?.kind !== 'join' || !group.hasAllMembersJoined()) return;
  wait.cancel();
  group.joinWait = undefined;
  onCompleteJoin(ctx, group);
}

function onCompleteJoin(ctx: Ctx, group: Group): void {
  // Dynamic members that did not rejoin are gone; static ones keep their place until their session ends.
  for (const m of [...group.members.values()]) {
    if (!m.isAwaitingJoin && !m.isStatic) group.remove(m.memberId);
  }
  if (group.is('Dead')) return;
  if (!group.maybeElectNewJoinedLeader() && group.size > 0) {
    ctx.log.error({ groupId: group.groupId }, 'no member rejoined; waiting again');
    startJoin(ctx, group, group.rebalanceTimeoutMs);
    return;
  }
  group.initNextGeneration(ctx.clock.now());
  if (group.is('Empty')) {
    ctx.log.info({ groupId: group.groupId, generationId: group.generationId }, 'group is now empty');
    void ctx.persistence.storeGroup(group, new Map());
    return;
  }
  ctx.log.info(
    { groupId: group.groupId, generationId: group.generationId, members: group.size },
    'group completed join',
  );
  for (const m of [...group.members.values()]) {
    const isLeader = group.isLeader(m.memberId);
    group.maybeInvokeJoin(m, {
      errorCode: ErrorCode.NONE,
      generationId: group.generationId,
      protocolType: group.protocolType ?? null,
      protocolName: group.protocolName ?? null,
      leader: group.leaderId ?? '',
      skipAssignment: false,
      memberId: m.memberId,
      members: isLeader ? group.currentMemberMetadata() : [],
    });
    scheduleHeartbeat(ctx, group, m);
    m.isNew = false;
    group.pendingSyncMembers.add(m.memberId);
  }
  schedulePendingSync(ctx, group);
}

/** Members that never send SyncGroup within the rebalance timeout are removed and the group rebalances. */
function schedulePendingSync(ctx: Ctx, group: Group): void {
  group.syncTimer?.();
  const generationId = group.generationId;
  const cancel = ctx.timers.schedule(group.rebalanceTimeoutMs, () => {
    if (group.syncTimer !== cancel) return;
    group.syncTimer = undefined;
    if (!isLive(ctx, group) || generationId !== group.generationId) return;
    if (!group.is('CompletingRebalance') && !group.is('Stable')) return;
    if (group.pendingSyncMembers.size === 0) return;
    const missing = [...group.pendingSyncMembers];
    for (const id of missing) group.remove(id);
    prepareRebalance(ctx, group, `removing ${missing.join(', ')} on pending sync request expiration`);
  });
  group.syncTimer = cancel;
}

export function removePendingSyncMember(group: Group, memberId: string): void {
  group.pendingSyncMembers.delete(memberId);
  if (group.pendingSyncMembers.size === 0) {
    group.syncTimer?.();
    group.syncTimer = undefined;
  }
}

function removeSyncExpiration(group: Group): void {
  group.pendingSyncMembers.clear();
  group.syncTimer?.();
  group.syncTimer = undefined;
}

export function setAndPropagateAssignment(
  ctx: Ctx,
  group: Group,
  assignment: ReadonlyMap<string, Buffer>,
): void {
  for (const m of group.members.values()) m.assignment = assignment.get(m.memberId) ?? EMPTY_BYTES;
  propagateAssignment(ctx, group, ErrorCode.NONE);
}

export function resetAndPropagateAssignmentError(ctx: Ctx, group: Group, errorCode: number): void {
  for (const m of group.members.values()) m.assignment = EMPTY_BYTES;
  propagateAssignment(ctx, group, errorCode);
}

function propagateAssignment(ctx: Ctx, group: Group, errorCode: number): void {
  const ok = errorCode === ErrorCode.NONE;
  for (const m of [...group.members.values()]) {
    const answered = group.maybeInvokeSync(m, {
      errorCode,
      protocolType: ok ? (group.protocolType ?? null) : null,
      protocolName: ok ? (group.protocolName ?? null) : null,
      assignment: m.assignment,
    });
    // Session expiry was ignored while the member waited; it starts counting again now.
    if (answered) scheduleHeartbeat(ctx, group, m);
  }
}

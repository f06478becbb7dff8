/** SyncGroup, Heartbeat and LeaveGroup against an existing group, as Kafka's classic coordinator answers. */
import { ErrorCode } from '../protocol/error-codes.js';
import type { Ctx } from './context.js';
import { syncError, type Group } from './group.js';
import { validateCurrentMember } from './join.js';
import { EMPTY_BYTES } from './member.js';
import {
  maybePrepareRebalance,
  removeMemberAndUpdateGroup,
  removePendingMemberAndUpdateGroup,
  removePendingSyncMember,
  resetAndPropagateAssignmentError,
  scheduleHeartbeat,
  setAndPropagateAssignment,
} from './rebalance.js';
import type {
  HeartbeatInput,
  LeaveGroupMemberInput,
  LeaveGroupMemberResult,
  SyncGroupInput,
  SyncGroupResult,
} from './types.js';

function validateSync(group: Group, input: SyncGroupInput): number | undefined {
  if (group.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  const memberError = validateCurrentMember(group, input.memberId, input.groupInstanceId);
  if (memberError !== undefined) return memberError;
  if (input.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
  if (input.protocolType !== null && input.protocolType !== group.protocolType) {
    return ErrorCode.INCONSISTENT_GROUP_PROTOCOL;
  }
  if (input.protocolName !== null && input.protocolName !== group.protocolName) {
    return ErrorCode.INCONSISTENT_GROUP_PROTOCOL;
  }
  return undefined;
}

export function syncGroup(
  ctx: Ctx,
  group: Group,
  input: SyncGroupInput,
  respond: (r: SyncGroupResult) => void,
): void {
  const error = validateSync(group, input);
  if (error !== undefined) return respond(syncError(error));
  switch (group.state) {
    case 'Empty':
      return respond(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    case 'PreparingRebalance':
      return respond(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
    case 'CompletingRebalance': {
      const member = group.get(input.memberId);
      // A duplicate SyncGroup replaces the parked one; the older request is told to rejoin.
      group.maybeInvokeSync(member, syncError(ErrorCode.REBALANCE_IN_PROGRESS));
      member.awaitingSync = respond;
      removePendingSyncMember(group, input.memberId);
      if (group.isLeader(input.memberId)) completeAssignment(ctx, group, input);
      return;
    }
    case 'Stable': {
      removePendingSyncMember(group, input.memberId);
      const member = group.get(input.memberId);
      respond({
        errorCode: ErrorCode.NONE,
        protocolType: group.protocolType ?? null,
        protocolName: group.protocolName ?? null,
        assignment: member.assignment,
      });
      scheduleHeartbeat(ctx, group, member);
      return;
    }
    case 'Dead':
      throw new Error(`group ${group.groupId} is Dead`);
  }
}

/** The leader's assignment: persist it, then hand every member its part and become Stable. */
function completeAssignment(ctx: Ctx, group: Group, input: SyncGroupInput): void {
  const assignment = new Map<string, Buffer>();
  for (const a of input.assignments) assignment.set(a.memberId, a.assignment);
  for (const id of group.members.keys()) {
    if (!assignment.has(id)) {
      ctx.log.warn({ groupId: group.groupId, memberId: id }, 'leader sent no assignment for member');
      assignment.set(id, EMPTY_BYTES);
    }
  }
  const generationId = group.generationId;
  void ctx.persistence.storeGroup(group, assignment).then((errorCode) => {
    // The group may have moved on (a member joined or left) while the write was in flight.
    if (!group.is('CompletingRebalance') || group.generationId !== generationId) return;
    if (errorCode !== ErrorCode.NONE) {
      resetAndPropagateAssignmentError(ctx, group, errorCode);
      maybePrepareRebalance(ctx, group, `error ${errorCode} storing the group assignment`);
    } else {
      setAndPropagateAssignment(ctx, group, assignment);
      group.transitionTo('Stable', ctx.clock.now());
    }
  });
}

export function heartbeat(ctx: Ctx, group: Group, input: HeartbeatInput): number {
  if (group.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  const memberError = validateCurrentMember(group, input.memberId, input.groupInstanceId);
  if (memberError !== undefined) return memberError;
  if (input.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
  switch (group.state) {
    case 'Empty':
      return ErrorCode.UNKNOWN_MEMBER_ID;
    case 'CompletingRebalance':
    case 'Stable':
      scheduleHeartbeat(ctx, group, group.get(input.memberId));
      return ErrorCode.NONE;
    case 'PreparingRebalance':
      // The heartbeat still counts; the error tells the member to rejoin.
      scheduleHeartbeat(ctx, group, group.get(input.memberId));
      return ErrorCode.REBALANCE_IN_PROGRESS;
    case 'Dead':
      throw new Error(`group ${group.groupId} is Dead`);
  }
}

export function leaveMember(ctx: Ctx, group: Group, leaving: LeaveGroupMemberInput): LeaveGroupMemberResult {
  const result = (errorCode: number): LeaveGroupMemberResult => ({
    memberId: leaving.memberId,
    groupInstanceId: leaving.groupInstanceId,
    errorCode,
  });
  const reason = `LeaveGroup: ${leaving.reason ?? 'not provided'}`;
  if (leaving.memberId === '') {
    // Administrative removal of a static member by instance id.
    const current =
      leaving.groupInstanceId === null ? undefined : group.staticMembers.get(leaving.groupInstanceId);
    if (current === undefined) return result(ErrorCode.UNKNOWN_MEMBER_ID);
    removeMemberAndUpdateGroup(ctx, group, group.get(current), reason);
    return result(ErrorCode.NONE);
  }
  if (group.pendingMembers.has(leaving.memberId)) {
    removePendingMemberAndUpdateGroup(ctx, group, leaving.memberId);
    return result(ErrorCode.NONE);
  }
  const error = validateCurrentMember(group, leaving.memberId, leaving.groupInstanceId);
  if (error !== undefined) return result(error);
  removeMemberAndUpdateGroup(ctx, group, group.get(leaving.memberId), reason);
  ctx.log.info({ groupId: group.groupId, memberId: leaving.memberId }, 'member left the group');
  return result(ErrorCode.NONE);
}

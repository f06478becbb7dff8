/** JoinGroup, as Kafka's classic coordinator handles it once the group id and coordinator are valid. */
import { ErrorCode } from '../protocol/error-codes.js';
import { NEW_MEMBER_JOIN_TIMEOUT_MS } from './config.js';
import type { Ctx } from './context.js';
import { joinError, type Group } from './group.js';
import { Member } from './member.js';
import {
  addPendingMember,
  maybePrepareRebalance,
  prepareRebalance,
  scheduleExpiration,
  scheduleHeartbeat,
  tryCompleteJoin,
} from './rebalance.js';
import type { JoinGroupInput, JoinGroupResult } from './types.js';

type Respond = (result: JoinGroupResult) => void;

/** Whether the group has room for this member (group.max.size). */
function acceptJoiningMember(ctx: Ctx, group: Group, memberId: string): boolean {
  const max = ctx.config.maxSize;
  switch (group.state) {
    case 'Empty':
    case 'Dead':
      return true;
    // Counting members that already rejoined (not the group size) lets a shrunken max size shed the
    // members that rejoin last.
    case 'PreparingRebalance':
      return (group.has(memberId) && group.get(memberId).isAwaitingJoin) || group.numAwaitingJoin < max;
    case 'CompletingRebalance':
    case 'Stable':
      return group.has(memberId) || group.size < max;
  }
}

/** Validates a member's identity: FENCED_INSTANCE_ID or UNKNOWN_MEMBER_ID, or undefined when it is known. */
export function validateCurrentMember(
  group: Group,
  memberId: string,
  groupInstanceId: string | null,
): number | undefined {
  if (groupInstanceId !== null) {
    const current = group.staticMembers.get(groupInstanceId);
    if (current === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (current !== memberId) return ErrorCode.FENCED_INSTANCE_ID;
  }
  return group.has(memberId) ? undefined : ErrorCode.UNKNOWN_MEMBER_ID;
}

/** Runs a JoinGroup against an existing (possibly just created) group; `respond` may be called later. */
export function joinExistingGroup(ctx: Ctx, group: Group, input: JoinGroupInput, respond: Respond): void {
  if (!acceptJoiningMember(ctx, group, input.memberId)) {
    group.remove(input.memberId);
    respond(joinError('', ErrorCode.GROUP_MAX_SIZE_REACHED));
  } else if (input.memberId === '') {
    doNewMemberJoin(ctx, group, input, respond);
  } else {
    doCurrentMemberJoin(ctx, group, input, respond);
  }
  if (group.is('PreparingRebalance')) tryCompleteJoin(ctx, group);
}

function doNewMemberJoin(ctx: Ctx, group: Group, input: JoinGroupInput, respond: Respond): void {
  if (group.is('Dead')) return respond(joinError('', ErrorCode.COORDINATOR_NOT_AVAILABLE));
  if (!group.supports(input.protocolType, input.protocols)) {
    return respond(joinError('', ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
  }
  const newMemberId = `${input.groupInstanceId ?? input.clientId}-${ctx.newUuid()}`;
  if (input.groupInstanceId !== null) {
    const oldMemberId = group.staticMembers.get(input.groupInstanceId);
    if (oldMemberId !== undefined) {
      return updateStaticMemberAndRebalance(ctx, group, oldMemberId, newMemberId, input, respond);
    }
    return addMemberAndRebalance(ctx, group, newMemberId, input, respond);
  }
  if (input.requireKnownMemberId) {
    // The client must come back with this id; until then it holds up the rebalance like a member.
    addPendingMember(ctx, group, newMemberId, input.sessionTimeoutMs);
    return respond(joinError(newMemberId, ErrorCode.MEMBER_ID_REQUIRED));
  }
  addMemberAndRebalance(ctx, group, newMemberId, input, respond);
}

function doCurrentMemberJoin(ctx: Ctx, group: Group, input: JoinGroupInput, respond: Respond): void {
  const memberId = input.memberId;
  if (group.is('Dead')) return respond(joinError(memberId, ErrorCode.COORDINATOR_NOT_AVAILABLE));
  if (!group.supports(input.protocolType, input.protocols)) {
    return respond(joinError(memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
  }
  if (group.pendingMembers.has(memberId)) {
    // Pending ids are only issued to dynamic members; Kafka fails such a request with an internal error.
    if (input.groupInstanceId !== null) return respond(joinError(memberId, ErrorCode.UNKNOWN_SERVER_ERROR));
    return addMemberAndRebalance(ctx, group, memberId, input, respond);
  }
  const error = validateCurrentMember(group, memberId, input.groupInstanceId);
  if (error !== undefined) return respond(joinError(memberId, error));
  const member = group.get(memberId);
  const reason = input.reason ?? 'not provided';
  switch (group.state) {
    case 'PreparingRebalance':
      return updateMemberAndRebalance(ctx, group, member, input, respond, `member joining: ${reason}`);
    case 'CompletingRebalance':
      // Same metadata: the member probably lost the JoinGroup response; answer with this generation.
      if (member.matches(input.protocols)) return respond(currentGeneration(group, memberId, true));
      return updateMemberAndRebalance(ctx, group, member, input, respond, `metadata changed: ${reason}`);
    case 'Stable':
      // The leader rejoining asks for a new assignment (e.g. topic metadata changed), so it rebalances.
      if (group.isLeader(memberId) || !member.matches(input.protocols)) {
        return updateMemberAndRebalance(ctx, group, member, input, respond, `rejoin in Stable: ${reason}`);
      }
      return respond(currentGeneration(group, memberId, false));
    case 'Empty':
    case 'Dead':
      return respond(joinError(memberId, ErrorCode.UNKNOWN_MEMBER_ID));
  }
}

function currentGeneration(group: Group, memberId: string, withMembersIfLeader: boolean): JoinGroupResult {
  return {
    errorCode: ErrorCode.NONE,
    generationId: group.generationId,
    protocolType: group.protocolType ?? null,
    protocolName: group.protocolName ?? null,
    leader: group.leaderId ?? '',
    skipAssignment: false,
    memberId,
    members: withMembersIfLeader && group.isLeader(memberId) ? group.currentMemberMetadata() : [],
  };
}

function addMemberAndRebalance(
  ctx: Ctx,
  group: Group,
  memberId: string,
  input: JoinGroupInput,
  respond: Respond,
): void {
  const member = new Member(
    memberId,
    input.groupInstanceId,
    input.clientId,
    input.clientHost,
    input.rebalanceTimeoutMs,
    input.sessionTimeoutMs,
    input.protocolType,
    input.protocols,
  );
  member.isNew = true;
  if (group.is('PreparingRebalance') && group.generationId === 0) group.newMemberAdded = true;
  group.add(member, respond);
  // A new member cannot heartbeat yet; if its client gave up and retried, this bounds the leftover.
  scheduleExpiration(ctx, group, member, NEW_MEMBER_JOIN_TIMEOUT_MS);
  maybePrepareRebalance(ctx, group, `adding new member ${memberId}: ${input.reason ?? 'not provided'}`);
}

function updateMemberAndRebalance(
  ctx: Ctx,
  group: Group,
  member: Member,
  input: JoinGroupInput,
  respond: Respond,
  reason: string,
): void {
  group.updateMember(member, input.protocols, input.rebalanceTimeoutMs, input.sessionTimeoutMs, respond);
  maybePrepareRebalance(ctx, group, reason);
}

/**
 * A static member rejoining without its member id (a restart): it takes over its old place under a new
 * id. In Stable, when the group's protocol would not change, there is no rebalance: the new id is
 * persisted and the member gets the current generation, then its old assignment through SyncGroup.
 */
function updateStaticMemberAndRebalance(
  ctx: Ctx,
  group: Group,
  oldMemberId: string,
  newMemberId: string,
  input: JoinGroupInput,
  respond: Respond,
): void {
  const instanceId = input.groupInstanceId ?? '';
  const currentLeader = group.leaderId ?? '';
  const member = group.replaceStaticMember(instanceId, oldMemberId, newMemberId);
  scheduleHeartbeat(ctx, group, member);
  const old = {
    protocols: member.protocols,
    rebalanceTimeoutMs: member.rebalanceTimeoutMs,
    sessionTimeoutMs: member.sessionTimeoutMs,
  };
  group.updateMember(member, input.protocols, input.rebalanceTimeoutMs, input.sessionTimeoutMs, respond);
  const reason = `static member ${instanceId} rejoined: ${input.reason ?? 'not provided'}`;
  switch (group.state) {
    case 'Stable': {
      if (group.protocolName !== group.selectProtocol()) return maybePrepareRebalance(ctx, group, reason);
      const assignment = new Map([...group.members.values()].map((m) => [m.memberId, m.assignment]));
      void ctx.persistence.storeGroup(group, assignment).then((errorCode) => {
        if (errorCode !== ErrorCode.NONE) {
          // Not persisted: put the previous incarnation back, so the group matches what is stored.
          if (group.members.get(newMemberId) === member) {
            group.updateMember(
              member,
              old.protocols,
              old.rebalanceTimeoutMs,
              old.sessionTimeoutMs,
              undefined,
            );
            group.replaceStaticMember(instanceId, newMemberId, oldMemberId);
            scheduleHeartbeat(ctx, group, member);
          }
          respond({
            errorCode,
            generationId: group.generationId,
            protocolType: group.protocolType ?? null,
            protocolName: group.protocolName ?? null,
            leader: currentLeader,
            skipAssignment: false,
            memberId: '',
            members: [],
          });
          return;
        }
        const isLeader = group.isLeader(newMemberId);
        // v9+: the leader is told it leads but must not reassign (assignors have side effects, and a
        // Stable group would ignore a new assignment). Before v9 it is given the old leader id so it acts
        // as a follower and fetches its old assignment.
        const skip = input.supportSkippingAssignment;
        group.maybeInvokeJoin(member, {
          errorCode: ErrorCode.NONE,
          generationId: group.generationId,
          protocolType: group.protocolType ?? null,
          protocolName: group.protocolName ?? null,
          leader: skip ? (group.leaderId ?? '') : currentLeader,
          skipAssignment: skip && isLeader,
          memberId: newMemberId,
          members: skip && isLeader ? group.currentMemberMetadata() : [],
        });
      });
      return;
    }
    case 'CompletingRebalance':
      // The leader may already be assigning to the old id, which the new one would never receive.
      return prepareRebalance(ctx, group, reason);
    case 'PreparingRebalance':
      return;
    case 'Empty':
    case 'Dead':
      throw new Error(`group ${group.groupId}: static member rejoined in state ${group.state}`);
  }
}

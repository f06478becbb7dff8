import { ErrorCode } from '../protocol/error-codes.js';
import type { JoinGroupRequest, JoinGroupResponse } from '../protocol/generated/index.js';
import { clientHost } from './groups/common.js';
import { defineHandler } from './handler.js';
import { AclOperation, allowedOnGroup } from '../security/authorize.js';

export default defineHandler<JoinGroupRequest, JoinGroupResponse>({
  apiKey: 11,
  minVersion: 0,
  maxVersion: 9,
  // Resolves when the rebalance completes, which may take up to the rebalance timeout. The connection
  // answers in order, so this holds up its later requests, as Kafka does (Java clients use a separate
  // connection to the coordinator).
  async handle(request, ctx) {
    const version = ctx.apiVersion;
    if (!allowedOnGroup(ctx, AclOperation.READ, request.groupId)) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED,
        generationId: -1,
        protocolType: null,
        protocolName: version < 7 ? '' : null,
        leader: '',
        skipAssignment: false,
        memberId: request.memberId,
        members: [],
      };
    }
    const result = await ctx.services.groups.joinGroup({
      groupId: request.groupId,
      memberId: request.memberId,
      groupInstanceId: request.groupInstanceId,
      sessionTimeoutMs: request.sessionTimeoutMs,
      // v0 has no rebalance timeout: the session timeout bounds the join window, as in Kafka.
      rebalanceTimeoutMs: version === 0 ? request.sessionTimeoutMs : request.rebalanceTimeoutMs,
      protocolType: request.protocolType,
      protocols: request.protocols,
      clientId: ctx.clientId ?? '',
      clientHost: clientHost(ctx),
      // Static members (group.instance.id) are never sent back for a member id.
      requireKnownMemberId: version >= 4 && request.groupInstanceId === null,
      supportSkippingAssignment: version >= 9,
      reason: request.reason,
    });
    return {
      throttleTimeMs: 0,
      errorCode: result.errorCode,
      generationId: result.generationId,
      protocolType: result.protocolType,
      // Before v7 the protocol name is not nullable and Kafka sends ''; from v7 on it sends null for ''.
      protocolName: version < 7 ? (result.protocolName ?? '') : result.protocolName || null,
      leader: result.leader,
      skipAssignment: result.skipAssignment,
      memberId: result.memberId,
      members: result.members.map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        metadata: m.metadata,
      })),
    };
  },
});

import { ErrorCode } from '../protocol/error-codes.js';
import type { SyncGroupRequest, SyncGroupResponse } from '../protocol/generated/index.js';
import { defineHandler } from './handler.js';
import { AclOperation, allowedOnGroup } from '../security/authorize.js';

export default defineHandler<SyncGroupRequest, SyncGroupResponse>({
  apiKey: 14,
  minVersion: 0,
  maxVersion: 5,
  // A follower's SyncGroup resolves once the leader has sent the assignment (or the rebalance fails).
  async handle(request, ctx) {
    if (!allowedOnGroup(ctx, AclOperation.READ, request.groupId)) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED,
        protocolType: null,
        protocolName: null,
        assignment: Buffer.alloc(0),
      };
    }
    // From v5 on the protocol type and name are mandatory; Kafka refuses the request before the coordinator.
    if (ctx.apiVersion >= 5 && (request.protocolType === null || request.protocolName === null)) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
        protocolType: null,
        protocolName: null,
        assignment: Buffer.alloc(0),
      };
    }
    const result = await ctx.services.groups.syncGroup({
      groupId: request.groupId,
      generationId: request.generationId,
      memberId: request.memberId,
      groupInstanceId: request.groupInstanceId,
      protocolType: request.protocolType,
      protocolName: request.protocolName,
      assignments: request.assignments,
    });
    return {
      throttleTimeMs: 0,
      errorCode: result.errorCode,
      protocolType: result.protocolType,
      protocolName: result.protocolName,
      assignment: result.assignment,
    };
  },
});

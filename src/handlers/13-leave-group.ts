import { ErrorCode } from '../protocol/error-codes.js';
import type { LeaveGroupRequest, LeaveGroupResponse } from '../protocol/generated/index.js';
import { defineHandler } from './handler.js';
import { AclOperation, allowedOnGroup } from '../security/authorize.js';

export default defineHandler<LeaveGroupRequest, LeaveGroupResponse>({
  apiKey: 13,
  minVersion: 0,
  maxVersion: 5,
  async handle(request, ctx) {
    const batched = ctx.apiVersion >= 3;
    if (!allowedOnGroup(ctx, AclOperation.READ, request.groupId)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, members: [] };
    }
    // v0-2 name one dynamic member at the top level; v3+ list members, static ones by instance id.
    const members = batched
      ? request.members
      : [{ memberId: request.memberId, groupInstanceId: null, reason: null }];
    const result = await ctx.services.groups.leaveGroup({ groupId: request.groupId, members });
    if (batched) {
      return {
        throttleTimeMs: 0,
        errorCode: result.errorCode,
        members: result.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          errorCode: m.errorCode,
        })),
      };
    }
    // Old clients only read the top-level code, so the member's own error goes there.
    const errorCode =
      result.errorCode !== ErrorCode.NONE
        ? result.errorCode
        : (result.members[0]?.errorCode ?? ErrorCode.NONE);
    return { throttleTimeMs: 0, errorCode };
  },
});

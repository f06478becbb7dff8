import { ErrorCode } from '../protocol/error-codes.js';
import type { HeartbeatRequest, HeartbeatResponse } from '../protocol/generated/index.js';
import { defineHandler } from './handler.js';
import { AclOperation, allowedOnGroup } from '../security/authorize.js';

export default defineHandler<HeartbeatRequest, HeartbeatResponse>({
  apiKey: 12,
  minVersion: 0,
  maxVersion: 4,
  async handle(request, ctx) {
    if (!allowedOnGroup(ctx, AclOperation.READ, request.groupId)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED };
    }
    const { errorCode } = await ctx.services.groups.heartbeat({
      groupId: request.groupId,
      generationId: request.generationId,
      memberId: request.memberId,
      groupInstanceId: request.groupInstanceId,
    });
    return { throttleTimeMs: 0, errorCode };
  },
});

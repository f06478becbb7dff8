import { ErrorCode } from '../protocol/error-codes.js';
import type { DeleteGroupsRequest, DeleteGroupsResponse } from '../protocol/generated/index.js';
import { defineHandler } from './handler.js';
import { AclOperation, allowedOnGroup } from '../security/authorize.js';

export default defineHandler<DeleteGroupsRequest, DeleteGroupsResponse>({
  apiKey: 42,
  minVersion: 0,
  maxVersion: 2,
  async handle(request, ctx) {
    // A group named twice gets one result, as from Kafka; DELETE on the group is needed.
    const names = [...new Set(request.groupsNames)];
    const allowedNames = names.filter((g) => allowedOnGroup(ctx, AclOperation.DELETE, g));
    const deleted = new Map(
      (await ctx.services.groups.deleteGroups(allowedNames)).map((r) => [r.groupId, r] as const),
    );
    const results = names.map(
      (groupId) => deleted.get(groupId) ?? { groupId, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED },
    );
    return { throttleTimeMs: 0, results };
  },
});

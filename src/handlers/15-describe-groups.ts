import { ErrorCode } from '../protocol/error-codes.js';
import type { DescribeGroupsRequest, DescribeGroupsResponse } from '../protocol/generated/index.js';
import { GROUP_OPERATIONS, NO_AUTHORIZED_OPERATIONS } from './authorized-operations.js';
import { defineHandler } from './handler.js';

export default defineHandler<DescribeGroupsRequest, DescribeGroupsResponse>({
  apiKey: 15,
  minVersion: 0,
  maxVersion: 5,
  async handle(request, ctx) {
    const described = await ctx.services.groups.describeGroups(request.groups);
    // Operations are reported (v3+) only when asked for and only for groups described without error.
    const withOperations = ctx.apiVersion >= 3 && request.includeAuthorizedOperations;
    return {
      throttleTimeMs: 0,
      groups: described.map((g) => ({
        errorCode: g.errorCode,
        groupId: g.groupId,
        groupState: g.state,
        protocolType: g.protocolType,
        protocolData: g.protocolData,
        members: g.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          memberMetadata: m.metadata,
          memberAssignment: m.assignment,
        })),
        authorizedOperations:
          withOperations && g.errorCode === ErrorCode.NONE ? GROUP_OPERATIONS : NO_AUTHORIZED_OPERATIONS,
      })),
    };
  },
});

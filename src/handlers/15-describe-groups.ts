import { ErrorCode } from '../protocol/error-codes.js';
import type { DescribeGroupsRequest, DescribeGroupsResponse } from '../protocol/generated/index.js';
import type { DescribedGroup } from '../groups/index.js';
import { NO_AUTHORIZED_OPERATIONS } from './authorized-operations.js';
import { defineHandler } from './handler.js';
import { AclOperation, allowedOnGroup, authorizedOperations, ResourceType } from '../security/authorize.js';

function deniedGroup(groupId: string): DescribedGroup {
  return {
    errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED,
    groupId,
    state: '',
    protocolType: '',
    protocolData: '',
    members: [],
  };
}

export default defineHandler<DescribeGroupsRequest, DescribeGroupsResponse>({
  apiKey: 15,
  minVersion: 0,
  maxVersion: 5,
  async handle(request, ctx) {
    // Groups the client may not describe are answered GROUP_AUTHORIZATION_FAILED, as Kafka does.
    const allowedGroups = request.groups.filter((g) => allowedOnGroup(ctx, AclOperation.DESCRIBE, g));
    const byId = new Map(
      (await ctx.services.groups.describeGroups(allowedGroups)).map((g) => [g.groupId, g] as const),
    );
    const described = request.groups.map((groupId) => byId.get(groupId) ?? deniedGroup(groupId));
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
          withOperations && g.errorCode === ErrorCode.NONE
            ? authorizedOperations(ctx, ResourceType.GROUP, g.groupId)
            : NO_AUTHORIZED_OPERATIONS,
      })),
    };
  },
});

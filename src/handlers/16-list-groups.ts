import type { ListGroupsRequest, ListGroupsResponse } from '../protocol/generated/index.js';
import { defineHandler } from './handler.js';
import { AclOperation, allowedOnCluster, allowedOnGroup } from '../security/authorize.js';

export default defineHandler<ListGroupsRequest, ListGroupsResponse>({
  apiKey: 16,
  minVersion: 0,
  maxVersion: 5,
  async handle(request, ctx) {
    // The filters decode as empty lists in versions that lack them (v4 states, v5 types): no filtering.
    const result = await ctx.services.groups.listGroups({
      statesFilter: request.statesFilter,
      typesFilter: request.typesFilter,
    });
    // DESCRIBE on the cluster lists every group; without it, the groups the client may describe.
    const all = allowedOnCluster(ctx, AclOperation.DESCRIBE, false);
    const groups = all
      ? result.groups
      : result.groups.filter((g) => allowedOnGroup(ctx, AclOperation.DESCRIBE, g.groupId, false));
    return {
      throttleTimeMs: 0,
      errorCode: result.errorCode,
      groups: groups.map((g) => ({
        groupId: g.groupId,
        protocolType: g.protocolType,
        groupState: g.state,
        groupType: g.groupType,
      })),
    };
  },
});

import { ErrorCode } from '../protocol/error-codes.js';
import type {
  DeleteAclsRequest,
  DeleteAclsResponse,
  DeleteAclsResponseDeleteAclsFilterResult,
} from '../protocol/generated/index.js';
import { filterMatches, filterProblem } from '../security/acl/filter.js';
import { AclOperation, CLUSTER_NAME, ResourceType, type AclFilter } from '../security/acl/types.js';
import { defineHandler } from './handler.js';

/** Deletes the ACLs each filter selects and lists them (kafka-acls --remove). Needs ALTER on the cluster. */
export default defineHandler<DeleteAclsRequest, DeleteAclsResponse>({
  apiKey: 31,
  minVersion: 0,
  maxVersion: 3,
  async handle(request, ctx) {
    const { security } = ctx.services;
    const all = (errorCode: number, errorMessage: string): DeleteAclsResponse => ({
      throttleTimeMs: 0,
      filterResults: request.filters.map(() => ({ errorCode, errorMessage, matchingAcls: [] })),
    });
    if (security.acls === undefined) return all(ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured.');
    if (!security.allowed(ctx.session, AclOperation.ALTER, ResourceType.CLUSTER, CLUSTER_NAME)) {
      return all(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'Cluster authorization failed.');
    }
    const filterResults: DeleteAclsResponseDeleteAclsFilterResult[] = [];
    for (const f of request.filters) {
      const filter: AclFilter = {
        resourceType: f.resourceTypeFilter,
        resourceName: f.resourceNameFilter,
        patternType: f.patternTypeFilter,
        principal: f.principalFilter,
        host: f.hostFilter,
        operation: f.operation,
        permissionType: f.permissionType,
      };
      const problem = filterProblem(filter);
      if (problem !== undefined) {
        filterResults.push({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: problem, matchingAcls: [] });
        continue;
      }
      const matching = security.acls.all().filter((acl) => filterMatches(filter, acl));
      await security.acls.delete(matching);
      if (matching.length > 0) ctx.log.info({ acls: matching }, 'ACLs deleted');
      filterResults.push({
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        matchingAcls: matching.map((acl) => ({ errorCode: ErrorCode.NONE, errorMessage: null, ...acl })),
      });
    }
    return { throttleTimeMs: 0, filterResults };
  },
});

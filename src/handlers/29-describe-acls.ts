import { ErrorCode } from '../protocol/error-codes.js';
import type {
  DescribeAclsRequest,
  DescribeAclsResponse,
  DescribeAclsResponseDescribeAclsResource,
} from '../protocol/generated/index.js';
import { filterMatches, filterProblem } from '../security/acl/filter.js';
import { AclOperation, CLUSTER_NAME, ResourceType, type AclFilter } from '../security/acl/types.js';
import { defineHandler } from './handler.js';

/** The ACLs a filter selects, grouped by resource pattern (kafka-acls --list). Needs DESCRIBE on the cluster. */
export default defineHandler<DescribeAclsRequest, DescribeAclsResponse>({
  apiKey: 29,
  minVersion: 0,
  maxVersion: 3,
  handle(request, ctx) {
    const fail = (errorCode: number, errorMessage: string): DescribeAclsResponse => ({
      throttleTimeMs: 0,
      errorCode,
      errorMessage,
      resources: [],
    });
    const { security } = ctx.services;
    if (security.acls === undefined)
      return fail(ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured on the broker');
    if (!security.allowed(ctx.session, AclOperation.DESCRIBE, ResourceType.CLUSTER, CLUSTER_NAME)) {
      return fail(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'Cluster authorization failed.');
    }
    const filter: AclFilter = {
      resourceType: request.resourceTypeFilter,
      resourceName: request.resourceNameFilter,
      patternType: request.patternTypeFilter,
      principal: request.principalFilter,
      host: request.hostFilter,
      operation: request.operation,
      permissionType: request.permissionType,
    };
    const problem = filterProblem(filter);
    if (problem !== undefined) return fail(ErrorCode.INVALID_REQUEST, problem);
    const byResource = new Map<string, DescribeAclsResponseDescribeAclsResource>();
    for (const acl of security.acls.all()) {
      if (!filterMatches(filter, acl)) continue;
      const key = `${acl.resourceType}\u0000${acl.patternType}\u0000${acl.resourceName}`;
      let resource = byResource.get(key);
      if (resource === undefined) {
        resource = {
          resourceType: acl.resourceType,
          resourceName: acl.resourceName,
          patternType: acl.patternType,
          acls: [],
        };
        byResource.set(key, resource);
      }
      resource.acls.push({
        principal: acl.principal,
        host: acl.host,
        operation: acl.operation,
        permissionType: acl.permissionType,
      });
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      resources: [...byResource.values()],
    };
  },
});

import { ErrorCode } from '../protocol/error-codes.js';
import type { CreateAclsRequest, CreateAclsResponse } from '../protocol/generated/index.js';
import { AclOperation, CLUSTER_NAME, ResourceType, type AclBinding } from '../security/acl/types.js';
import { aclProblem } from '../security/acl/validate.js';
import { defineHandler } from './handler.js';

/** Creates ACLs (kafka-acls --add), each answered on its own. Needs ALTER on the cluster. */
export default defineHandler<CreateAclsRequest, CreateAclsResponse>({
  apiKey: 30,
  minVersion: 0,
  maxVersion: 3,
  async handle(request, ctx) {
    const { security } = ctx.services;
    const all = (errorCode: number, errorMessage: string): CreateAclsResponse => ({
      throttleTimeMs: 0,
      results: request.creations.map(() => ({ errorCode, errorMessage })),
    });
    if (security.acls === undefined) return all(ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured.');
    if (!security.allowed(ctx.session, AclOperation.ALTER, ResourceType.CLUSTER, CLUSTER_NAME)) {
      return all(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'Cluster authorization failed.');
    }
    const results = [];
    for (const c of request.creations) {
      const acl: AclBinding = {
        resourceType: c.resourceType as AclBinding['resourceType'],
        resourceName: c.resourceName,
        patternType: c.resourcePatternType as AclBinding['patternType'],
        principal: c.principal,
        host: c.host,
        operation: c.operation as AclBinding['operation'],
        permissionType: c.permissionType as AclBinding['permissionType'],
      };
      const problem = aclProblem(acl);
      if (problem !== undefined) {
        results.push({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: problem });
        continue;
      }
      await security.acls.create(acl);
      ctx.log.info({ acl }, 'ACL created');
      results.push({ errorCode: ErrorCode.NONE, errorMessage: null });
    }
    return { throttleTimeMs: 0, results };
  },
});

import { ErrorCode } from '../protocol/error-codes.js';
import type {
  DescribeUserScramCredentialsRequest,
  DescribeUserScramCredentialsResponse,
  DescribeUserScramCredentialsResponseDescribeUserScramCredentialsResult,
} from '../protocol/generated/index.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../security/acl/types.js';
import { SCRAM_MECHANISMS } from '../security/scram-credentials.js';
import { defineHandler } from './handler.js';

/** The SCRAM mechanisms and iterations each user has (kafka-configs --describe). Needs DESCRIBE on the cluster. */
export default defineHandler<DescribeUserScramCredentialsRequest, DescribeUserScramCredentialsResponse>({
  apiKey: 50,
  minVersion: 0,
  maxVersion: 0,
  async handle(request, ctx) {
    const { security } = ctx.services;
    if (!security.allowed(ctx.session, AclOperation.DESCRIBE, ResourceType.CLUSTER, CLUSTER_NAME)) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        errorMessage: 'Cluster authorization failed.',
        results: [],
      };
    }
    const known = await security.scram.list();
    const describe = (
      user: string,
    ): DescribeUserScramCredentialsResponseDescribeUserScramCredentialsResult => {
      const mechanisms = known.get(user);
      if (mechanisms === undefined) {
        return {
          user,
          errorCode: ErrorCode.RESOURCE_NOT_FOUND,
          errorMessage: 'Attempt to describe a user credential that does not exist',
          credentialInfos: [],
        };
      }
      return {
        user,
        errorCode: ErrorCode.NONE,
        errorMessage: '',
        credentialInfos: [...mechanisms].map(([m, iterations]) => ({
          mechanism: SCRAM_MECHANISMS[m].type,
          iterations,
        })),
      };
    };
    let results: DescribeUserScramCredentialsResponseDescribeUserScramCredentialsResult[];
    if (request.users === null || request.users.length === 0) {
      results = [...known.keys()].sort().map(describe);
    } else {
      const counts = new Map<string, number>();
      for (const u of request.users) counts.set(u.name, (counts.get(u.name) ?? 0) + 1);
      results = [...counts].map(([user, n]) =>
        n > 1
          ? {
              user,
              errorCode: ErrorCode.DUPLICATE_RESOURCE,
              errorMessage: `Cannot describe SCRAM credentials for the same user twice in a single request: ${user}`,
              credentialInfos: [],
            }
          : describe(user),
      );
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: '', results };
  },
});

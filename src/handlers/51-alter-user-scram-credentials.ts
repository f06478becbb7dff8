import { ErrorCode } from '../protocol/error-codes.js';
import type {
  AlterUserScramCredentialsRequest,
  AlterUserScramCredentialsResponse,
  AlterUserScramCredentialsResponseAlterUserScramCredentialsResult,
} from '../protocol/generated/index.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../security/acl/types.js';
import {
  credentialOf,
  SCRAM_MAX_ITERATIONS,
  SCRAM_MIN_ITERATIONS,
  scramMechanismOfType,
  SCRAM_MECHANISMS,
} from '../security/scram-credentials.js';
import { defineHandler } from './handler.js';

type Result = AlterUserScramCredentialsResponseAlterUserScramCredentialsResult;

/**
 * Adds and removes SCRAM credentials (kafka-configs --alter --add-config 'SCRAM-SHA-256=[...]'),
 * with Kafka's checks and messages. The client sends the salted password, never the password.
 * Needs ALTER on the cluster.
 */
export default defineHandler<AlterUserScramCredentialsRequest, AlterUserScramCredentialsResponse>({
  apiKey: 51,
  minVersion: 0,
  maxVersion: 0,
  async handle(request, ctx) {
    const { security } = ctx.services;
    const users = [...new Set([...request.upsertions, ...request.deletions].map((a) => a.name))];
    if (!security.allowed(ctx.session, AclOperation.ALTER, ResourceType.CLUSTER, CLUSTER_NAME)) {
      const errorMessage = 'Cluster authorization failed.';
      return {
        throttleTimeMs: 0,
        results: users.map((user) => ({
          user,
          errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
          errorMessage,
        })),
      };
    }
    const seen = new Map<string, number>();
    for (const a of [...request.upsertions, ...request.deletions]) {
      const key = `${a.name}\u0000${a.mechanism}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    const results = new Map<string, Result>();
    const refuse = (user: string, errorCode: number, errorMessage: string): void => {
      if (!results.has(user)) results.set(user, { user, errorCode, errorMessage });
    };
    for (const a of [...request.upsertions, ...request.deletions]) {
      if (a.name === '') refuse(a.name, ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Username must not be empty');
      else if (scramMechanismOfType(a.mechanism) === undefined) {
        refuse(a.name, ErrorCode.UNSUPPORTED_SASL_MECHANISM, 'Unknown SCRAM mechanism');
      } else if ((seen.get(`${a.name}\u0000${a.mechanism}`) ?? 0) > 1) {
        refuse(
          a.name,
          ErrorCode.DUPLICATE_RESOURCE,
          'A user credential cannot be altered twice in the same request',
        );
      }
    }
    for (const u of request.upsertions) {
      const mechanism = scramMechanismOfType(u.mechanism);
      if (results.has(u.name) || mechanism === undefined) continue;
      if (u.iterations < SCRAM_MIN_ITERATIONS)
        refuse(u.name, ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Too few iterations');
      else if (u.iterations > SCRAM_MAX_ITERATIONS)
        refuse(u.name, ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Too many iterations');
      else if (u.saltedPassword.length !== SCRAM_MECHANISMS[mechanism].keyLength || u.salt.length === 0) {
        refuse(u.name, ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Salt and salted password must fit the mechanism');
      }
    }
    for (const d of request.deletions) {
      const mechanism = scramMechanismOfType(d.mechanism);
      if (results.has(d.name) || mechanism === undefined) continue;
      if (!(await security.scram.delete(d.name, mechanism))) {
        refuse(
          d.name,
          ErrorCode.RESOURCE_NOT_FOUND,
          'Attempt to delete a user credential that does not exist',
        );
      }
    }
    for (const u of request.upsertions) {
      const mechanism = scramMechanismOfType(u.mechanism);
      if (results.has(u.name) || mechanism === undefined) continue;
      await security.scram.upsert(
        u.name,
        mechanism,
        credentialOf(mechanism, u.salt, u.saltedPassword, u.iterations),
      );
      ctx.log.info({ user: u.name, mechanism }, 'SCRAM credential set');
    }
    for (const user of users) refuse(user, ErrorCode.NONE, '');
    return {
      throttleTimeMs: 0,
      results: users.map((user) => {
        const r = results.get(user)!;
        return r.errorCode === ErrorCode.NONE ? { ...r, errorMessage: null } : r;
      }),
    };
  },
});

/**
 * The security APIs' answers, compared with Apache Kafka 3.9.2's (scripts/kafka-reference): with no
 * authorizer the ACL APIs answer SECURITY_DISABLED; SaslHandshake on a listener without SASL answers
 * ILLEGAL_SASL_STATE; the SCRAM credential APIs validate and answer as Kafka does.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { DEFAULT_SECURITY } from '../../src/security/config.js';
import { createHarness } from '../server/support/harness.js';

const anyFilter = {
  resourceTypeFilter: 1,
  resourceNameFilter: null,
  patternTypeFilter: 1,
  principalFilter: null,
  hostFilter: null,
  operation: 1,
  permissionType: 1,
};
const creation = {
  resourceType: 2,
  resourceName: 't',
  resourcePatternType: 3,
  principal: 'User:a',
  host: '*',
  operation: 3,
  permissionType: 3,
};

describe('without an authorizer', () => {
  it("answers the ACL APIs SECURITY_DISABLED with Kafka's messages", async () => {
    const h = createHarness();
    expect(await h.call(29, 1, anyFilter)).toMatchObject({
      errorCode: ErrorCode.SECURITY_DISABLED,
      errorMessage: 'No Authorizer is configured on the broker',
      resources: [],
    });
    expect(await h.call(30, 1, { creations: [creation] })).toMatchObject({
      results: [{ errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: 'No Authorizer is configured.' }],
    });
    expect(await h.call(31, 1, { filters: [anyFilter] })).toMatchObject({
      filterResults: [
        { errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: 'No Authorizer is configured.' },
      ],
    });
  });

  it('answers SaslHandshake on a listener without SASL ILLEGAL_SASL_STATE, offering nothing', async () => {
    const h = createHarness();
    expect(await h.call(17, 1, { mechanism: 'PLAIN' })).toEqual({
      errorCode: ErrorCode.ILLEGAL_SASL_STATE,
      mechanisms: [],
    });
  });
});

describe('SCRAM credential APIs', () => {
  const upsert = (
    name: string,
    mechanism: number,
    iterations: number,
    keyLength = mechanism === 2 ? 64 : 32,
  ) => ({
    name,
    mechanism,
    iterations,
    salt: Buffer.from('salt'),
    saltedPassword: Buffer.alloc(keyLength, 7),
  });

  it("stores, describes and deletes credentials with Kafka's answers", async () => {
    const h = createHarness();
    const altered = await h.call<{
      results: { user: string; errorCode: number; errorMessage: string | null }[];
    }>(51, 0, {
      deletions: [{ name: 'x', mechanism: 1 }],
      upsertions: [
        upsert('alice', 1, 100),
        upsert('bob', 3, 4096),
        upsert('carol', 2, 4096),
        upsert('dave', 1, 20000),
      ],
    });
    const byUser = new Map(altered.results.map((r) => [r.user, r]));
    expect(byUser.get('carol')).toEqual({ user: 'carol', errorCode: ErrorCode.NONE, errorMessage: null });
    expect(byUser.get('bob')).toMatchObject({
      errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM,
      errorMessage: 'Unknown SCRAM mechanism',
    });
    expect(byUser.get('x')).toMatchObject({
      errorCode: ErrorCode.RESOURCE_NOT_FOUND,
      errorMessage: 'Attempt to delete a user credential that does not exist',
    });
    expect(byUser.get('alice')).toMatchObject({
      errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL,
      errorMessage: 'Too few iterations',
    });
    expect(byUser.get('dave')).toMatchObject({
      errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL,
      errorMessage: 'Too many iterations',
    });

    expect(await h.call(50, 0, { users: [{ name: 'carol' }] })).toMatchObject({
      errorCode: ErrorCode.NONE,
      results: [
        { user: 'carol', errorCode: ErrorCode.NONE, credentialInfos: [{ mechanism: 2, iterations: 4096 }] },
      ],
    });
    expect(await h.call(50, 0, { users: [{ name: 'nobody' }, { name: 'nobody' }] })).toMatchObject({
      results: [{ user: 'nobody', errorCode: ErrorCode.DUPLICATE_RESOURCE }],
    });
    expect(
      await h.call(51, 0, {
        deletions: [{ name: 'carol', mechanism: 2 }],
        upsertions: [upsert('carol', 2, 4096)],
      }),
    ).toMatchObject({
      results: [
        {
          user: 'carol',
          errorCode: ErrorCode.DUPLICATE_RESOURCE,
          errorMessage: 'A user credential cannot be altered twice in the same request',
        },
      ],
    });
    await h.call(51, 0, { deletions: [{ name: 'carol', mechanism: 2 }], upsertions: [] });
    expect(await h.call(50, 0, { users: null })).toMatchObject({ results: [] });
  });

  it('refuses both without ALTER/DESCRIBE on the cluster when ACLs are on', async () => {
    const h = createHarness({ security: { ...DEFAULT_SECURITY, authorizer: 'acl' } });
    await h.services.security.acls!.reload();
    h.session.principal = { type: 'User', name: 'eve' };
    expect(await h.call(50, 0, { users: null })).toMatchObject({
      errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
    });
    expect(await h.call(51, 0, { deletions: [], upsertions: [upsert('eve', 1, 4096)] })).toMatchObject({
      results: [{ user: 'eve', errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED }],
    });
  });
});

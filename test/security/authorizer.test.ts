import { describe, expect, it } from 'vitest';
import { AclAuthorizer } from '../../src/security/acl/authorizer.js';
import { filterMatches } from '../../src/security/acl/filter.js';
import {
  AclOperation as Op,
  PatternType,
  PermissionType,
  ResourceType,
  type AclBinding,
} from '../../src/security/acl/types.js';
import { aclProblem } from '../../src/security/acl/validate.js';

const alice = { type: 'User', name: 'alice' };
const bob = { type: 'User', name: 'bob' };

function acl(over: Partial<AclBinding>): AclBinding {
  return {
    resourceType: ResourceType.TOPIC,
    resourceName: 'orders',
    patternType: PatternType.LITERAL,
    principal: 'User:alice',
    host: '*',
    operation: Op.READ,
    permissionType: PermissionType.ALLOW,
    ...over,
  };
}

function authorizer(acls: AclBinding[], allowEveryone = false, superUsers: string[] = []): AclAuthorizer {
  const a = new AclAuthorizer({ superUsers, allowEveryoneIfNoAclFound: allowEveryone });
  a.setAcls(acls);
  return a;
}

const HOST = '10.0.0.1';

describe('ACL authorizer (StandardAuthorizer rules)', () => {
  it.each([
    // [description, acls, principal, host, operation, resource name, allowed]
    ['a literal ALLOW matches its own name only', [acl({})], alice, HOST, Op.READ, 'orders', true],
    ['… not a longer name', [acl({})], alice, HOST, Op.READ, 'orders-eu', false],
    [
      'a PREFIXED ALLOW matches names it starts',
      [acl({ patternType: PatternType.PREFIXED, resourceName: 'ord' })],
      alice,
      HOST,
      Op.READ,
      'orders-eu',
      true,
    ],
    [
      '… not names it does not start',
      [acl({ patternType: PatternType.PREFIXED, resourceName: 'ord' })],
      alice,
      HOST,
      Op.READ,
      'xorders',
      false,
    ],
    [
      'the literal * matches every name',
      [acl({ resourceName: '*' })],
      alice,
      HOST,
      Op.READ,
      'anything',
      true,
    ],
    ['User:* matches every user', [acl({ principal: 'User:*' })], bob, HOST, Op.READ, 'orders', true],
    ['another user does not match', [acl({})], bob, HOST, Op.READ, 'orders', false],
    ['a host must match', [acl({ host: '10.0.0.2' })], alice, HOST, Op.READ, 'orders', false],
    ['… unless it is *', [acl({ host: '*' })], alice, HOST, Op.READ, 'orders', true],
    [
      'DENY wins over ALLOW',
      [acl({}), acl({ permissionType: PermissionType.DENY })],
      alice,
      HOST,
      Op.READ,
      'orders',
      false,
    ],
    [
      'a prefixed DENY wins over a literal ALLOW',
      [
        acl({}),
        acl({ patternType: PatternType.PREFIXED, resourceName: 'o', permissionType: PermissionType.DENY }),
      ],
      alice,
      HOST,
      Op.READ,
      'orders',
      false,
    ],
    [
      'a wildcard-principal DENY wins',
      [acl({}), acl({ principal: 'User:*', permissionType: PermissionType.DENY })],
      alice,
      HOST,
      Op.READ,
      'orders',
      false,
    ],
    ['ALL allows any operation', [acl({ operation: Op.ALL })], alice, HOST, Op.DELETE, 'orders', true],
    ['READ implies DESCRIBE', [acl({ operation: Op.READ })], alice, HOST, Op.DESCRIBE, 'orders', true],
    ['WRITE implies DESCRIBE', [acl({ operation: Op.WRITE })], alice, HOST, Op.DESCRIBE, 'orders', true],
    ['READ does not imply WRITE', [acl({ operation: Op.READ })], alice, HOST, Op.WRITE, 'orders', false],
    [
      'ALTER_CONFIGS implies DESCRIBE_CONFIGS',
      [acl({ operation: Op.ALTER_CONFIGS })],
      alice,
      HOST,
      Op.DESCRIBE_CONFIGS,
      'orders',
      true,
    ],
    [
      'a DENY of READ does not deny DESCRIBE',
      [acl({ operation: Op.DESCRIBE }), acl({ permissionType: PermissionType.DENY })],
      alice,
      HOST,
      Op.DESCRIBE,
      'orders',
      true,
    ],
    [
      'an ACL of another resource type does not apply',
      [acl({ resourceType: ResourceType.GROUP })],
      alice,
      HOST,
      Op.READ,
      'orders',
      false,
    ],
  ] as const)('%s', (_d, acls, principal, host, op, name, expected) => {
    expect(authorizer([...acls]).authorize(principal, host, op, ResourceType.TOPIC, name)).toBe(expected);
  });

  it('with no ACL on a resource, allow.everyone.if.no.acl.found decides', () => {
    const other = acl({ resourceName: 'payments' });
    expect(authorizer([other], true).authorize(alice, HOST, Op.READ, ResourceType.TOPIC, 'orders')).toBe(
      true,
    );
    expect(authorizer([other], false).authorize(alice, HOST, Op.READ, ResourceType.TOPIC, 'orders')).toBe(
      false,
    );
    // An ACL on the resource for someone else counts: then only matching ACLs allow.
    expect(
      authorizer([acl({ principal: 'User:bob' })], true).authorize(
        alice,
        HOST,
        Op.READ,
        ResourceType.TOPIC,
        'orders',
      ),
    ).toBe(false);
  });

  it('super users may do anything, whatever the ACLs', () => {
    const a = authorizer(
      [acl({ principal: 'User:*', permissionType: PermissionType.DENY, operation: Op.ALL })],
      false,
      ['User:root'],
    );
    expect(a.authorize({ type: 'User', name: 'root' }, HOST, Op.DELETE, ResourceType.TOPIC, 'orders')).toBe(
      true,
    );
  });

  it('reports authorized operations as a bit per allowed operation', () => {
    const a = authorizer([acl({ operation: Op.READ })]);
    expect(a.authorizedOperations(alice, HOST, ResourceType.TOPIC, 'orders')).toBe(
      (1 << Op.READ) | (1 << Op.DESCRIBE),
    );
  });

  it('knows whether a principal may write some topic (idempotent producers)', () => {
    expect(
      authorizer([acl({ operation: Op.WRITE, resourceName: 'x' })]).authorizeSomeResource(
        alice,
        HOST,
        Op.WRITE,
        ResourceType.TOPIC,
      ),
    ).toBe(true);
    expect(
      authorizer([acl({ operation: Op.READ })]).authorizeSomeResource(
        alice,
        HOST,
        Op.WRITE,
        ResourceType.TOPIC,
      ),
    ).toBe(false);
    const denied = [
      acl({ operation: Op.WRITE }),
      acl({ resourceName: '*', operation: Op.WRITE, permissionType: PermissionType.DENY }),
    ];
    expect(authorizer(denied).authorizeSomeResource(alice, HOST, Op.WRITE, ResourceType.TOPIC)).toBe(false);
  });

  it('forgets cached decisions when the ACLs change', () => {
    const a = authorizer([acl({})]);
    expect(a.authorize(alice, HOST, Op.READ, ResourceType.TOPIC, 'orders')).toBe(true);
    a.setAcls([]);
    expect(a.authorize(alice, HOST, Op.READ, ResourceType.TOPIC, 'orders')).toBe(false);
  });
});

describe('ACL filters and validation', () => {
  const any = {
    resourceType: ResourceType.ANY,
    resourceName: null,
    patternType: PatternType.ANY,
    principal: null,
    host: null,
    operation: Op.ANY,
    permissionType: PermissionType.ANY,
  };

  it('MATCH selects every ACL that would apply to the name', () => {
    const filter = { ...any, resourceName: 'orders-eu', patternType: PatternType.MATCH };
    expect(filterMatches(filter, acl({ resourceName: 'orders-eu' }))).toBe(true);
    expect(filterMatches(filter, acl({ resourceName: '*' }))).toBe(true);
    expect(filterMatches(filter, acl({ resourceName: 'orders', patternType: PatternType.PREFIXED }))).toBe(
      true,
    );
    expect(filterMatches(filter, acl({ resourceName: 'orders' }))).toBe(false);
  });

  it('a concrete pattern type selects that type only', () => {
    expect(
      filterMatches({ ...any, patternType: PatternType.LITERAL }, acl({ patternType: PatternType.PREFIXED })),
    ).toBe(false);
    expect(filterMatches({ ...any, principal: 'User:bob' }, acl({}))).toBe(false);
  });

  it('refuses ACLs Kafka refuses', () => {
    expect(aclProblem(acl({}))).toBeUndefined();
    expect(aclProblem(acl({ resourceType: ResourceType.ANY }))).toMatch(/resource type/);
    expect(aclProblem(acl({ patternType: PatternType.MATCH }))).toMatch(/pattern type/);
    expect(aclProblem(acl({ principal: 'alice' }))).toMatch(/principal/);
    expect(aclProblem(acl({ host: 'not-an-ip' }))).toMatch(/host/);
    expect(aclProblem(acl({ resourceType: ResourceType.CLUSTER, resourceName: 'x' }))).toMatch(
      /kafka-cluster/,
    );
    expect(aclProblem(acl({ operation: Op.ANY }))).toMatch(/operation/);
  });
});

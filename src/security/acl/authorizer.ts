/**
 * An ACL authorizer with the behaviour of Kafka's StandardAuthorizer:
 * - super users may do anything;
 * - the ACLs that apply to a resource are its LITERAL ones with the same name, the LITERAL "*" ones,
 *   and the PREFIXED ones whose name starts the resource's name;
 * - among those, a matching DENY wins; else a matching ALLOW allows; else, if any ACL applied to the
 *   resource at all (whoever its principal), access is denied; if none did, the result is
 *   allow.everyone.if.no.acl.found;
 * - an ACL matches a request when its principal is the user's or "User:*", its host is the client's
 *   or "*", and its operation is the one asked for or ALL; an ALLOW for READ, WRITE, DELETE or ALTER
 *   also allows DESCRIBE, and one for ALTER_CONFIGS also allows DESCRIBE_CONFIGS (DENY does not imply).
 * Pure state: the ACLs are handed in (src/security/acl/store.ts keeps them in the store).
 */
import { principalString, type Principal } from '../principal.js';
import {
  AclOperation,
  OPERATIONS_BY_RESOURCE,
  PatternType,
  PermissionType,
  WILDCARD,
  type AclBinding,
} from './types.js';

export interface AuthorizerOptions {
  /** Principals ("User:admin") allowed everything. */
  readonly superUsers: readonly string[];
  readonly allowEveryoneIfNoAclFound: boolean;
}

const IMPLIES_DESCRIBE = new Set<number>([
  AclOperation.DESCRIBE,
  AclOperation.READ,
  AclOperation.WRITE,
  AclOperation.DELETE,
  AclOperation.ALTER,
]);
const IMPLIES_DESCRIBE_CONFIGS = new Set<number>([AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS]);

function operationMatches(acl: AclBinding, operation: AclOperation): boolean {
  if (acl.operation === AclOperation.ALL || acl.operation === operation) return true;
  if (acl.permissionType !== PermissionType.ALLOW) return false;
  if (operation === AclOperation.DESCRIBE) return IMPLIES_DESCRIBE.has(acl.operation);
  if (operation === AclOperation.DESCRIBE_CONFIGS) return IMPLIES_DESCRIBE_CONFIGS.has(acl.operation);
  return false;
}

function appliesTo(acl: AclBinding, name: string): boolean {
  if (acl.patternType === PatternType.LITERAL)
    return acl.resourceName === name || acl.resourceName === WILDCARD;
  return acl.patternType === PatternType.PREFIXED && name.startsWith(acl.resourceName);
}

/** Bounded memo of decisions; cleared whenever the ACLs change. */
const CACHE_LIMIT = 10_000;

export class AclAuthorizer {
  private byType = new Map<number, AclBinding[]>();
  private readonly superUsers: Set<string>;
  private readonly decisions = new Map<string, boolean>();

  constructor(private readonly options: AuthorizerOptions) {
    this.superUsers = new Set(options.superUsers);
  }

  /** Replaces every ACL. */
  setAcls(acls: readonly AclBinding[]): void {
    const byType = new Map<number, AclBinding[]>();
    for (const acl of acls) {
      const list = byType.get(acl.resourceType) ?? [];
      list.push(acl);
      byType.set(acl.resourceType, list);
    }
    this.byType = byType;
    this.decisions.clear();
  }

  isSuperUser(principal: Principal): boolean {
    return this.superUsers.has(principalString(principal));
  }

  authorize(
    principal: Principal,
    host: string,
    operation: AclOperation,
    resourceType: number,
    name: string,
  ): boolean {
    const user = principalString(principal);
    if (this.superUsers.has(user)) return true;
    const key = `${user}\u0000${host}\u0000${operation}\u0000${resourceType}\u0000${name}`;
    const known = this.decisions.get(key);
    if (known !== undefined) return known;
    const decision = this.decide(user, `${principal.type}:${WILDCARD}`, host, operation, resourceType, name);
    if (this.decisions.size >= CACHE_LIMIT) this.decisions.clear();
    this.decisions.set(key, decision);
    return decision;
  }

  private decide(
    user: string,
    anyUser: string,
    host: string,
    operation: AclOperation,
    resourceType: number,
    name: string,
  ): boolean {
    let applied = false;
    let allowed = false;
    for (const acl of this.byType.get(resourceType) ?? []) {
      if (!appliesTo(acl, name)) continue;
      applied = true;
      if (acl.principal !== user && acl.principal !== anyUser) continue;
      if (acl.host !== WILDCARD && acl.host !== host) continue;
      if (!operationMatches(acl, operation)) continue;
      if (acl.permissionType === PermissionType.DENY) return false;
      if (acl.permissionType === PermissionType.ALLOW) allowed = true;
    }
    return applied ? allowed : this.options.allowEveryoneIfNoAclFound;
  }

  /**
   * Whether the principal may perform `operation` on some resource of the type (Kafka's
   * authorizeByResourceType, used for idempotent producers): an ALLOW that matches it, not undone by a
   * DENY on every name; with no ACL of the type at all, allow.everyone.if.no.acl.found decides.
   */
  authorizeSomeResource(
    principal: Principal,
    host: string,
    operation: AclOperation,
    resourceType: number,
  ): boolean {
    const user = principalString(principal);
    if (this.superUsers.has(user)) return true;
    const anyUser = `${principal.type}:${WILDCARD}`;
    const acls = this.byType.get(resourceType) ?? [];
    if (acls.length === 0) return this.options.allowEveryoneIfNoAclFound;
    const matches = (acl: AclBinding): boolean =>
      (acl.principal === user || acl.principal === anyUser) &&
      (acl.host === WILDCARD || acl.host === host) &&
      operationMatches(acl, operation);
    const deniedEverywhere = acls.some(
      (acl) =>
        acl.permissionType === PermissionType.DENY &&
        acl.patternType === PatternType.LITERAL &&
        acl.resourceName === WILDCARD &&
        matches(acl),
    );
    return (
      !deniedEverywhere && acls.some((acl) => acl.permissionType === PermissionType.ALLOW && matches(acl))
    );
  }

  /** Kafka's authorized-operations bit field for a resource: a bit per operation allowed. */
  authorizedOperations(principal: Principal, host: string, resourceType: number, name: string): number {
    let bits = 0;
    for (const op of OPERATIONS_BY_RESOURCE[resourceType] ?? []) {
      if (this.authorize(principal, host, op, resourceType, name)) bits |= 1 << op;
    }
    return bits;
  }
}

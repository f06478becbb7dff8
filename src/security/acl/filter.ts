/** Which ACLs a DescribeAcls or DeleteAcls filter selects, as Kafka's AclBindingFilter.matches does. */
import {
  AclOperation,
  PatternType,
  PermissionType,
  ResourceType,
  WILDCARD,
  type AclBinding,
  type AclFilter,
} from './types.js';

function patternMatches(filter: AclFilter, acl: AclBinding): boolean {
  const name = filter.resourceName;
  switch (filter.patternType) {
    case PatternType.ANY:
      return name === null || acl.resourceName === name;
    case PatternType.MATCH:
      // Every ACL that would apply to a resource of that name.
      if (name === null) return true;
      if (acl.patternType === PatternType.LITERAL)
        return acl.resourceName === name || acl.resourceName === WILDCARD;
      return acl.patternType === PatternType.PREFIXED && name.startsWith(acl.resourceName);
    default:
      return acl.patternType === filter.patternType && (name === null || acl.resourceName === name);
  }
}

export function filterMatches(filter: AclFilter, acl: AclBinding): boolean {
  return (
    (filter.resourceType === ResourceType.ANY || filter.resourceType === acl.resourceType) &&
    patternMatches(filter, acl) &&
    (filter.principal === null || filter.principal === acl.principal) &&
    (filter.host === null || filter.host === acl.host) &&
    (filter.operation === AclOperation.ANY || filter.operation === acl.operation) &&
    (filter.permissionType === PermissionType.ANY || filter.permissionType === acl.permissionType)
  );
}

/** Why a filter can match nothing sensible (Kafka refuses these with INVALID_REQUEST), or undefined. */
export function filterProblem(filter: AclFilter): string | undefined {
  if (filter.resourceType === ResourceType.UNKNOWN) return 'Filter resource type must not be UNKNOWN';
  if (filter.patternType === PatternType.UNKNOWN) return 'Filter pattern type must not be UNKNOWN';
  if (filter.operation === AclOperation.UNKNOWN) return 'Filter operation must not be UNKNOWN';
  if (filter.permissionType === PermissionType.UNKNOWN) return 'Filter permission type must not be UNKNOWN';
  return undefined;
}

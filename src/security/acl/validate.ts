/** The checks Kafka makes on an ACL before creating it; each problem is INVALID_REQUEST with this text. */
import { isIP } from 'node:net';
import {
  AclOperation,
  CLUSTER_NAME,
  PatternType,
  PermissionType,
  ResourceType,
  WILDCARD,
  type AclBinding,
} from './types.js';

const CONCRETE_TYPES = new Set<number>([
  ResourceType.TOPIC,
  ResourceType.GROUP,
  ResourceType.CLUSTER,
  ResourceType.TRANSACTIONAL_ID,
  ResourceType.DELEGATION_TOKEN,
  ResourceType.USER,
]);

export function aclProblem(acl: AclBinding): string | undefined {
  if (!CONCRETE_TYPES.has(acl.resourceType)) return `Invalid resource type ${acl.resourceType}`;
  if (acl.patternType !== PatternType.LITERAL && acl.patternType !== PatternType.PREFIXED) {
    return `Invalid pattern type ${acl.patternType}: ACLs are LITERAL or PREFIXED`;
  }
  if (acl.resourceName === '') return 'Resource name must not be empty';
  if (
    acl.resourceType === ResourceType.CLUSTER &&
    (acl.resourceName !== CLUSTER_NAME || acl.patternType !== PatternType.LITERAL)
  ) {
    return `The only valid name for the CLUSTER resource is ${CLUSTER_NAME}`;
  }
  if (acl.patternType === PatternType.PREFIXED && acl.resourceName === WILDCARD) {
    return 'A PREFIXED ACL cannot use the wildcard name';
  }
  const colon = acl.principal.indexOf(':');
  if (colon <= 0 || colon === acl.principal.length - 1)
    return `Invalid principal ${acl.principal}: expected Type:name`;
  if (acl.host !== WILDCARD && isIP(acl.host) === 0) return `Invalid host ${acl.host}: an IP address or *`;
  if (acl.operation <= AclOperation.ANY || acl.operation > AclOperation.DESCRIBE_TOKENS) {
    return `Invalid operation ${acl.operation}`;
  }
  if (acl.permissionType !== PermissionType.ALLOW && acl.permissionType !== PermissionType.DENY) {
    return `Invalid permission type ${acl.permissionType}`;
  }
  return undefined;
}

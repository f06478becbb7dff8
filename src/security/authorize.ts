/**
 * What handlers ask before acting (Kafka's AuthHelper): whether this request's principal may perform
 * an operation on a resource. Everything is allowed when no authorizer is configured.
 */
import type { RequestContext } from '../handlers/handler.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from './acl/types.js';

export { AclOperation, ResourceType };

export function allowed(
  ctx: RequestContext,
  operation: AclOperation,
  resourceType: ResourceType,
  name: string,
  audit = true,
): boolean {
  return ctx.services.security.allowed(ctx.session, operation, resourceType, name, audit);
}

export function allowedOnCluster(ctx: RequestContext, operation: AclOperation, audit = true): boolean {
  return allowed(ctx, operation, ResourceType.CLUSTER, CLUSTER_NAME, audit);
}

export function allowedOnTopic(
  ctx: RequestContext,
  operation: AclOperation,
  topic: string,
  audit = true,
): boolean {
  return allowed(ctx, operation, ResourceType.TOPIC, topic, audit);
}

export function allowedOnGroup(
  ctx: RequestContext,
  operation: AclOperation,
  group: string,
  audit = true,
): boolean {
  return allowed(ctx, operation, ResourceType.GROUP, group, audit);
}

/**
 * CREATE on the cluster, or on the topic itself, as Kafka asks before creating a topic. Not audited:
 * auto-creation asks it of topics that may already exist.
 */
export function mayCreateTopic(ctx: RequestContext, topic: string, audit = false): boolean {
  return (
    allowed(ctx, AclOperation.CREATE, ResourceType.CLUSTER, CLUSTER_NAME, false) ||
    allowedOnTopic(ctx, AclOperation.CREATE, topic, audit)
  );
}

/** The authorized-operations bit field the client asked for (Metadata, DescribeGroups, DescribeCluster). */
export function authorizedOperations(ctx: RequestContext, resourceType: ResourceType, name: string): number {
  return ctx.services.security.authorizedOperations(ctx.session, resourceType, name);
}

/**
 * InitProducerId's check: WRITE on the transactional id, or for an idempotent producer
 * IDEMPOTENT_WRITE on the cluster or WRITE on some topic (KIP-679). The error code, or undefined.
 */
export function initProducerIdDenied(
  ctx: RequestContext,
  transactionalId: string | null,
): number | undefined {
  if (transactionalId !== null) {
    return allowed(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, transactionalId)
      ? undefined
      : ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
  }
  const ok =
    allowed(ctx, AclOperation.IDEMPOTENT_WRITE, ResourceType.CLUSTER, CLUSTER_NAME, false) ||
    ctx.services.security.allowedOnSomeResource(ctx.session, AclOperation.WRITE, ResourceType.TOPIC);
  return ok ? undefined : ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
}

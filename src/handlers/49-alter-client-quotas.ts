/**
 * AlterClientQuotas v0-1 (kafka-configs --alter --entity-type users/clients/ips): sets and removes
 * producer_byte_rate, consumer_byte_rate, request_percentage, controller_mutation_rate (users,
 * client ids) and connection_creation_rate (ips), stored in the store's metadata. Produce, fetch and
 * request quotas are enforced from the next request on (src/quotas/).
 */
import { ErrorCode } from '../protocol/error-codes.js';
import type { AlterClientQuotasRequest, AlterClientQuotasResponse } from '../protocol/generated/index.js';
import { entityOf, entityParts } from '../quotas/entity.js';
import { defineHandler } from './handler.js';
import { AclOperation, allowedOnCluster } from '../security/authorize.js';

export default defineHandler<AlterClientQuotasRequest, AlterClientQuotasResponse>({
  apiKey: 49,
  minVersion: 0,
  maxVersion: 1,
  async handle(request, ctx) {
    if (!allowedOnCluster(ctx, AclOperation.ALTER_CONFIGS)) {
      return {
        throttleTimeMs: 0,
        entries: request.entries.map((e) => ({
          errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
          errorMessage: 'Cluster authorization failed.',
          entity: e.entity,
        })),
      };
    }
    const outcomes = await ctx.services.quotas.store.alter(
      request.entries.map((e) => ({ entity: entityOf(e.entity), ops: e.ops })),
      request.validateOnly,
    );
    const changed = outcomes.filter((o) => o.error === undefined).map((o) => entityParts(o.entity));
    if (!request.validateOnly && changed.length > 0)
      ctx.log.info({ entities: changed }, 'client quotas changed');
    return {
      throttleTimeMs: 0,
      entries: outcomes.map((o) => ({
        errorCode: o.error?.code ?? ErrorCode.NONE,
        errorMessage: o.error?.message ?? null,
        entity: entityParts(o.entity),
      })),
    };
  },
});

/**
 * DescribeClientQuotas v0-1 (kafka-configs --describe --entity-type users/clients/ips): the quotas
 * set with AlterClientQuotas that match the filter, matched and refused as Kafka 3.9 does.
 */
import { ErrorCode, isKafkaError } from '../protocol/error-codes.js';
import type {
  DescribeClientQuotasRequest,
  DescribeClientQuotasResponse,
} from '../protocol/generated/index.js';
import { entityParts } from '../quotas/entity.js';
import { defineHandler } from './handler.js';
import { AclOperation, allowedOnCluster } from '../security/authorize.js';

export default defineHandler<DescribeClientQuotasRequest, DescribeClientQuotasResponse>({
  apiKey: 48,
  minVersion: 0,
  maxVersion: 1,
  handle(request, ctx) {
    if (!allowedOnCluster(ctx, AclOperation.DESCRIBE_CONFIGS)) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        errorMessage: 'Cluster authorization failed.',
        entries: null,
      };
    }
    try {
      const found = ctx.services.quotas.store.describe(request.components, request.strict);
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        // Kafka 3.9 answers success with an empty message, not a null one.
        errorMessage: '',
        entries: found.map(([entity, values]) => ({
          entity: entityParts(entity),
          values: Object.keys(values)
            .sort()
            .map((key) => ({ key, value: values[key]! })),
        })),
      };
    } catch (err) {
      if (!isKafkaError(err)) throw err;
      ctx.log.info({ reason: err.message }, 'DescribeClientQuotas refused');
      return { throttleTimeMs: 0, errorCode: err.code, errorMessage: err.message, entries: null };
    }
  },
});

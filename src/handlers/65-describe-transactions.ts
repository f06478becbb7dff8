import { ErrorCode } from '../protocol/error-codes.js';
import type {
  DescribeTransactionsRequest,
  DescribeTransactionsResponse,
  DescribeTransactionsResponseTransactionState,
} from '../protocol/generated/index.js';
import { AclOperation, allowed, allowedOnTopic, ResourceType } from '../security/authorize.js';
import { describeEntry } from '../transactions/describe.js';
import { defineHandler } from './handler.js';
import type { RequestContext } from './handler.js';

/**
 * As Kafka: DESCRIBE on the transactional id, else TRANSACTIONAL_ID_AUTHORIZATION_FAILED; the
 * transaction's topics the principal may not DESCRIBE are left out.
 */
function describeOne(id: string, ctx: RequestContext): DescribeTransactionsResponseTransactionState {
  if (!allowed(ctx, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, id)) {
    return describeEntry(id, undefined, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  }
  const state = ctx.services.transactions.coordinator.describe(id);
  return {
    ...state,
    topics: state.topics.filter((t) => allowedOnTopic(ctx, AclOperation.DESCRIBE, t.topic)),
  };
}

export default defineHandler<DescribeTransactionsRequest, DescribeTransactionsResponse>({
  apiKey: 65,
  minVersion: 0,
  maxVersion: 0,
  handle(request, ctx) {
    return {
      throttleTimeMs: 0,
      transactionStates: request.transactionalIds.map((id) => describeOne(id, ctx)),
    };
  },
});

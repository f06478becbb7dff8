import type { ListTransactionsRequest, ListTransactionsResponse } from '../protocol/generated/index.js';
import { AclOperation, allowed, ResourceType } from '../security/authorize.js';
import { defineHandler } from './handler.js';

export default defineHandler<ListTransactionsRequest, ListTransactionsResponse>({
  apiKey: 66,
  minVersion: 0,
  maxVersion: 1,
  handle(request, ctx) {
    const listed = ctx.services.transactions.coordinator.list({
      states: request.stateFilters,
      producerIds: request.producerIdFilters,
      // v0 has no duration filter; the decoder gives its default (-1).
      durationMs: request.durationFilter,
    });
    return {
      throttleTimeMs: 0,
      errorCode: listed.errorCode,
      unknownStateFilters: listed.unknownStateFilters,
      // Only the transactional ids the principal may DESCRIBE, as Kafka lists them (not audited: a filter).
      transactionStates: listed.transactions.filter((t) =>
        allowed(ctx, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, t.transactionalId, false),
      ),
    };
  },
});

import type { ListTransactionsRequest, ListTransactionsResponse } from '../protocol/generated/index.js';
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
      transactionStates: listed.transactions,
    };
  },
});

import type {
  DescribeTransactionsRequest,
  DescribeTransactionsResponse,
} from '../protocol/generated/index.js';
import { defineHandler } from './handler.js';

export default defineHandler<DescribeTransactionsRequest, DescribeTransactionsResponse>({
  apiKey: 65,
  minVersion: 0,
  maxVersion: 0,
  handle(request, ctx) {
    const { coordinator } = ctx.services.transactions;
    return {
      throttleTimeMs: 0,
      transactionStates: request.transactionalIds.map((id) => coordinator.describe(id)),
    };
  },
});

import type { EndTxnRequest, EndTxnResponse } from '../protocol/generated/index.js';
import { defineHandler } from './handler.js';
import { oldFencedCode } from './transactions/common.js';

export default defineHandler<EndTxnRequest, EndTxnResponse>({
  apiKey: 26,
  minVersion: 0,
  maxVersion: 4,
  async handle(request, ctx) {
    const errorCode = await ctx.services.transactions.coordinator.endTxn(
      request.transactionalId,
      request.producerId,
      request.producerEpoch,
      request.committed,
    );
    return { throttleTimeMs: 0, errorCode: oldFencedCode(errorCode, ctx.apiVersion, 2) };
  },
});

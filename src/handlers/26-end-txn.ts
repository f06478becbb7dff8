import type { EndTxnRequest, EndTxnResponse } from '../protocol/generated/index.js';
import { defineHandler } from './handler.js';
import { oldFencedCode } from './transactions/common.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { AclOperation, allowed, ResourceType } from '../security/authorize.js';

export default defineHandler<EndTxnRequest, EndTxnResponse>({
  apiKey: 26,
  minVersion: 0,
  maxVersion: 4,
  async handle(request, ctx) {
    if (!allowed(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, request.transactionalId)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED };
    }
    const errorCode = await ctx.services.transactions.coordinator.endTxn(
      request.transactionalId,
      request.producerId,
      request.producerEpoch,
      request.committed,
    );
    return { throttleTimeMs: 0, errorCode: oldFencedCode(errorCode, ctx.apiVersion, 2) };
  },
});

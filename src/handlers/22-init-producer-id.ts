import { ErrorCode } from '../protocol/error-codes.js';
import type { InitProducerIdRequest, InitProducerIdResponse } from '../protocol/generated/index.js';
import { defineHandler } from './handler.js';
import { initProducerIdDenied } from '../security/authorize.js';

export default defineHandler<InitProducerIdRequest, InitProducerIdResponse>({
  apiKey: 22,
  minVersion: 0,
  maxVersion: 5,
  handle(request, ctx) {
    const denied = initProducerIdDenied(ctx, request.transactionalId);
    if (denied !== undefined)
      return { throttleTimeMs: 0, errorCode: denied, producerId: -1n, producerEpoch: -1 };
    if (request.transactionalId !== null) {
      // Transactions are not served yet; an explicit error beats a client waiting on a coordinator.
      ctx.log.warn({ transactionalId: request.transactionalId }, 'transactional producer refused');
      return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, producerId: -1n, producerEpoch: -1 };
    }
    // Without a transactional id Kafka always hands out a fresh id at epoch 0.
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      producerId: ctx.services.producers.allocate(),
      producerEpoch: 0,
    };
  },
});

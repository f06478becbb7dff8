import { ErrorCode } from '../protocol/error-codes.js';
import type { InitProducerIdRequest, InitProducerIdResponse } from '../protocol/generated/index.js';
import { defineHandler } from './handler.js';
import { oldFencedCode } from './transactions/common.js';
import { initProducerIdDenied } from '../security/authorize.js';

const NO_PRODUCER_ID = -1n;
const NO_EPOCH = -1;

export default defineHandler<InitProducerIdRequest, InitProducerIdResponse>({
  apiKey: 22,
  minVersion: 0,
  maxVersion: 5,
  async handle(request, ctx) {
    const failed = (errorCode: number): InitProducerIdResponse => ({
      throttleTimeMs: 0,
      errorCode,
      producerId: NO_PRODUCER_ID,
      producerEpoch: NO_EPOCH,
    });
    const denied = initProducerIdDenied(ctx, request.transactionalId);
    if (denied !== undefined) return failed(denied);
    if (request.transactionalId === null) {
      // Without a transactional id Kafka always hands out a fresh id at epoch 0 (also to KIP-360 retries).
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        producerId: ctx.services.producers.allocate(),
        producerEpoch: 0,
      };
    }
    const { producerId, producerEpoch } = request;
    const given = producerId !== NO_PRODUCER_ID || producerEpoch !== NO_EPOCH;
    // An id without an epoch (or the reverse) is malformed (v3+ KIP-360 recovery sends both).
    if (given && (producerId === NO_PRODUCER_ID || producerEpoch === NO_EPOCH)) {
      return failed(ErrorCode.INVALID_REQUEST);
    }
    const result = await ctx.services.transactions.coordinator.initProducerId(
      request.transactionalId,
      request.transactionTimeoutMs,
      given ? { producerId, producerEpoch } : undefined,
    );
    if (result.errorCode !== ErrorCode.NONE)
      return failed(oldFencedCode(result.errorCode, ctx.apiVersion, 4));
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      producerId: result.producerId,
      producerEpoch: result.producerEpoch,
    };
  },
});

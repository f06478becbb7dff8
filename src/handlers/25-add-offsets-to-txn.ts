import type { AddOffsetsToTxnRequest, AddOffsetsToTxnResponse } from '../protocol/generated/index.js';
import { defineHandler } from './handler.js';
import { oldFencedCode } from './transactions/common.js';

/** The group's offsets join the transaction (Kafka adds the group's __consumer_offsets partition). */
export default defineHandler<AddOffsetsToTxnRequest, AddOffsetsToTxnResponse>({
  apiKey: 25,
  minVersion: 0,
  maxVersion: 4,
  async handle(request, ctx) {
    const errorCode = await ctx.services.transactions.coordinator.addOffsets(
      request.transactionalId,
      request.producerId,
      request.producerEpoch,
      request.groupId,
    );
    return { throttleTimeMs: 0, errorCode: oldFencedCode(errorCode, ctx.apiVersion, 2) };
  },
});

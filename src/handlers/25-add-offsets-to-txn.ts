import type { AddOffsetsToTxnRequest, AddOffsetsToTxnResponse } from '../protocol/generated/index.js';
import { defineHandler } from './handler.js';
import { oldFencedCode } from './transactions/common.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { AclOperation, allowed, allowedOnGroup, ResourceType } from '../security/authorize.js';

/** The group's offsets join the transaction (Kafka adds the group's __consumer_offsets partition). */
export default defineHandler<AddOffsetsToTxnRequest, AddOffsetsToTxnResponse>({
  apiKey: 25,
  minVersion: 0,
  maxVersion: 4,
  async handle(request, ctx) {
    // Kafka asks WRITE on the transactional id, then READ on the group.
    if (!allowed(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, request.transactionalId)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED };
    }
    if (!allowedOnGroup(ctx, AclOperation.READ, request.groupId)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED };
    }
    const errorCode = await ctx.services.transactions.coordinator.addOffsets(
      request.transactionalId,
      request.producerId,
      request.producerEpoch,
      request.groupId,
    );
    return { throttleTimeMs: 0, errorCode: oldFencedCode(errorCode, ctx.apiVersion, 2) };
  },
});

import { ErrorCode } from '../../protocol/error-codes.js';

/**
 * Clients older than KIP-588 do not know PRODUCER_FENCED; Kafka tells them INVALID_PRODUCER_EPOCH,
 * which they handle the same way. `firstVersion` is the first version of the API that knows it.
 */
export function oldFencedCode(errorCode: number, apiVersion: number, firstVersion: number): number {
  return apiVersion < firstVersion && errorCode === ErrorCode.PRODUCER_FENCED
    ? ErrorCode.INVALID_PRODUCER_EPOCH
    : errorCode;
}

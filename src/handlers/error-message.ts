import { ErrorCode, isKafkaError } from '../protocol/error-codes.js';
import type { RequestContext } from './handler.js';

/** A Kafka error code and message for a failure below a handler; other failures are logged. */
export function toKafkaError(err: unknown, ctx: RequestContext): { errorCode: number; errorMessage: string } {
  if (isKafkaError(err)) return { errorCode: err.code, errorMessage: err.message };
  ctx.log.error({ err }, 'unexpected failure');
  return {
    errorCode: ErrorCode.UNKNOWN_SERVER_ERROR,
    errorMessage: err instanceof Error ? err.message : String(err),
  };
}

import { status, type ServiceError } from '@grpc/grpc-js';
import { ErrorCode, KafkaError } from '../../protocol/error-codes.js';

/** SeaweedMQ broker error codes (weed/mq/broker/broker_errors.go) that we act on. */
export const BrokerError = {
  NONE: 0,
  UNKNOWN: 1,
  TOPIC_NOT_FOUND: 2,
  PARTITION_NOT_FOUND: 3,
  NOT_LEADER: 6,
  REQUEST_TIMED_OUT: 7,
  BROKER_NOT_AVAILABLE: 8,
  MESSAGE_TOO_LARGE: 10,
} as const;

export function isServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && typeof (err as Partial<ServiceError>).code === 'number';
}

/**
 * Turns a failed gRPC call into what a Kafka client should see. Every outcome of an unreachable or
 * slow SeaweedMQ is a retriable code, so clients back off and retry instead of giving up or (worse)
 * being told their data was stored.
 */
export function toKafkaError(err: unknown, what: string): KafkaError {
  if (err instanceof KafkaError) return err;
  if (isServiceError(err)) {
    switch (err.code) {
      case status.DEADLINE_EXCEEDED:
        return new KafkaError(ErrorCode.REQUEST_TIMED_OUT, `${what}: SeaweedMQ did not answer in time`);
      case status.UNAVAILABLE:
      case status.CANCELLED:
        return new KafkaError(
          ErrorCode.KAFKA_STORAGE_ERROR,
          `${what}: SeaweedMQ unreachable (${err.details})`,
        );
      case status.NOT_FOUND:
        return new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${what}: ${err.details}`);
      default:
        return new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `${what}: ${err.details || err.message}`);
    }
  }
  const message = err instanceof Error ? err.message : String(err);
  return new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `${what}: ${message}`);
}

/** The filer reports a missing entry as a plain error with this text (filer_pb.ErrNotFound). */
export function isFilerNotFound(err: unknown): boolean {
  return isServiceError(err) && /no entry is found/i.test(err.details ?? err.message);
}

export function unavailable(message: string): KafkaError {
  return new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, message);
}

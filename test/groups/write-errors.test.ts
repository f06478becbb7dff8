import { describe, expect, it } from 'vitest';
import { groupWriteErrorCode, offsetWriteErrorCode } from '../../src/groups/persistence.js';
import { ErrorCode, KafkaError } from '../../src/protocol/error-codes.js';

const k = (code: number) => new KafkaError(code, 'store failed');

describe('storage write failures as Kafka reports them', () => {
  it('group metadata writes', () => {
    expect(groupWriteErrorCode(new Error('disk gone'))).toBe(ErrorCode.NOT_COORDINATOR);
    expect(groupWriteErrorCode(k(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION))).toBe(
      ErrorCode.COORDINATOR_NOT_AVAILABLE,
    );
    expect(groupWriteErrorCode(k(ErrorCode.KAFKA_STORAGE_ERROR))).toBe(ErrorCode.NOT_COORDINATOR);
    expect(groupWriteErrorCode(k(ErrorCode.REQUEST_TIMED_OUT))).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect(groupWriteErrorCode(k(ErrorCode.MESSAGE_TOO_LARGE))).toBe(ErrorCode.UNKNOWN_SERVER_ERROR);
    expect(groupWriteErrorCode(k(ErrorCode.NETWORK_EXCEPTION))).toBe(ErrorCode.NETWORK_EXCEPTION);
  });

  it('offset commit writes', () => {
    expect(offsetWriteErrorCode(new Error('disk gone'))).toBe(ErrorCode.NOT_COORDINATOR);
    expect(offsetWriteErrorCode(k(ErrorCode.NOT_ENOUGH_REPLICAS))).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    expect(offsetWriteErrorCode(k(ErrorCode.NOT_LEADER_OR_FOLLOWER))).toBe(ErrorCode.NOT_COORDINATOR);
    expect(offsetWriteErrorCode(k(ErrorCode.NETWORK_EXCEPTION))).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    expect(offsetWriteErrorCode(k(ErrorCode.RECORD_LIST_TOO_LARGE))).toBe(
      ErrorCode.INVALID_COMMIT_OFFSET_SIZE,
    );
    expect(offsetWriteErrorCode(k(ErrorCode.REQUEST_TIMED_OUT))).toBe(ErrorCode.REQUEST_TIMED_OUT);
  });
});

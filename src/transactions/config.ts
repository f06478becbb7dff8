/** Broker settings of the transaction coordinator, named after the Kafka configs they mirror. */
export interface TxnConfig {
  /** transaction.max.timeout.ms: the largest transaction.timeout.ms a producer may ask for. */
  readonly maxTimeoutMs: number;
  /** transaction.abort.timed.out.transaction.cleanup.interval.ms */
  readonly abortTimedOutIntervalMs: number;
  /** transactional.id.expiration.ms: idle transactional ids (no transaction open) are forgotten after it. */
  readonly transactionalIdExpirationMs: number;
  /** transaction.remove.expired.transaction.cleanup.interval.ms */
  readonly removeExpiredIntervalMs: number;
  /** How often the per-partition transaction index is saved, so a restart replays only the log after it. */
  readonly partitionSnapshotIntervalMs: number;
}

export const DEFAULT_TXN_CONFIG: TxnConfig = {
  maxTimeoutMs: 900_000,
  abortTimedOutIntervalMs: 10_000,
  transactionalIdExpirationMs: 7 * 24 * 60 * 60 * 1000,
  removeExpiredIntervalMs: 3_600_000,
  partitionSnapshotIntervalMs: 30_000,
};

export function txnConfig(overrides: Partial<TxnConfig> = {}): TxnConfig {
  return { ...DEFAULT_TXN_CONFIG, ...overrides };
}

/** Broker settings of the classic group coordinator, named after the Kafka configs they mirror. */
export interface GroupConfig {
  /** group.min.session.timeout.ms */
  readonly minSessionTimeoutMs: number;
  /** group.max.session.timeout.ms */
  readonly maxSessionTimeoutMs: number;
  /** group.initial.rebalance.delay.ms */
  readonly initialRebalanceDelayMs: number;
  /** group.max.size */
  readonly maxSize: number;
  /** offsets.retention.minutes, in milliseconds */
  readonly offsetsRetentionMs: number;
  /** offsets.retention.check.interval.ms */
  readonly offsetsRetentionCheckIntervalMs: number;
  /** offset.metadata.max.bytes (compared with the string length, as Kafka does) */
  readonly offsetMetadataMaxBytes: number;
}

export const DEFAULT_GROUP_CONFIG: GroupConfig = {
  minSessionTimeoutMs: 6000,
  maxSessionTimeoutMs: 1_800_000,
  initialRebalanceDelayMs: 3000,
  maxSize: 2_147_483_647,
  offsetsRetentionMs: 7 * 24 * 60 * 60 * 1000,
  offsetsRetentionCheckIntervalMs: 600_000,
  offsetMetadataMaxBytes: 4096,
};

/**
 * How long a brand-new member may wait in JoinGroup before it is dropped. New members cannot heartbeat
 * yet, and a client that timed out and retried would otherwise leave a defunct member behind.
 */
export const NEW_MEMBER_JOIN_TIMEOUT_MS = 5 * 60 * 1000;

export function groupConfig(overrides: Partial<GroupConfig> = {}): GroupConfig {
  return { ...DEFAULT_GROUP_CONFIG, ...overrides };
}

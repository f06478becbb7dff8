/**
 * When a partition is worth cleaning, and with what settings, from the topic's configs: as Kafka's
 * LogCleanerManager decides, once dirty bytes make up min.cleanable.dirty.ratio of the cleanable
 * log, or once dirty records have waited max.compaction.lag.ms.
 */
import type { ConfigRegistry } from '../configs/registry.js';
import type { CompactionSettings, TopicConfigs } from '../storage/storage.js';

/** The topic's compaction settings, or undefined when its cleanup.policy does not include compact. */
export function compactionSettings(
  registry: ConfigRegistry,
  configs: TopicConfigs,
): CompactionSettings | undefined {
  const policy = registry.topicValue(configs, 'cleanup.policy') ?? 'delete';
  if (!policy.split(',').includes('compact')) return undefined;
  const long = (name: string, fallback: string): bigint =>
    BigInt(registry.topicValue(configs, name) ?? fallback);
  return {
    deleteRetentionMs: long('delete.retention.ms', '86400000'),
    minCleanableDirtyRatio: Number(registry.topicValue(configs, 'min.cleanable.dirty.ratio') ?? '0.5'),
    minCompactionLagMs: long('min.compaction.lag.ms', '0'),
    maxCompactionLagMs: long('max.compaction.lag.ms', '9223372036854775807'),
  };
}

export interface DirtyState {
  readonly cleanBytes: number;
  readonly dirtyBytes: number;
  /** Largest timestamp of the first dirty batch or segment, when there is one. */
  readonly firstDirtyTimestamp: bigint | undefined;
}

export function dirtyRatio(s: DirtyState): number {
  const total = s.cleanBytes + s.dirtyBytes;
  return total === 0 ? 0 : s.dirtyBytes / total;
}

/** Whether the dirty part is due for cleaning. */
export function needsCleaning(s: DirtyState, settings: CompactionSettings, nowMs: bigint): boolean {
  if (s.dirtyBytes === 0) return false;
  if (dirtyRatio(s) >= settings.minCleanableDirtyRatio) return true;
  return s.firstDirtyTimestamp !== undefined && nowMs - s.firstDirtyTimestamp > settings.maxCompactionLagMs;
}

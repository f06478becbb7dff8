/** Committed offsets: commit, fetch, delete, expiry, and group removal once nothing is left. */
import { ErrorCode } from '../protocol/error-codes.js';
import { isLive, type Ctx } from './context.js';
import { Group } from './group.js';
import { validateCurrentMember } from './join.js';
import type { OffsetEntry } from './offsets.js';
import { scheduleHeartbeat } from './rebalance.js';
import type {
  OffsetCommitInput,
  OffsetCommitPartitionInput,
  OffsetDeleteResult,
  OffsetFetchInput,
  OffsetFetchPartition,
  PartitionError,
  TopicPartition,
} from './types.js';

function allWith(input: OffsetCommitInput, errorCode: number): PartitionError[] {
  return input.partitions.map((p) => ({ topic: p.topic, partition: p.partition, errorCode }));
}

function validateCommit(group: Group, input: OffsetCommitInput): number | undefined {
  if (group.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  // Generation -1 comes from consumers that use assign() or from admin tools: fine while nobody is a member.
  if (input.generationId < 0 && group.is('Empty')) return undefined;
  if (input.generationId >= 0 || input.memberId !== '' || input.groupInstanceId !== null) {
    const memberError = validateCurrentMember(group, input.memberId, input.groupInstanceId);
    if (memberError !== undefined) return memberError;
    return input.generationId === group.generationId ? undefined : ErrorCode.ILLEGAL_GENERATION;
  }
  // Anonymous commits into a group with members would overwrite their progress.
  return group.is('Empty') ? undefined : ErrorCode.UNKNOWN_MEMBER_ID;
}

/** `group` exists (created on the fly for anonymous commits) and the coordinator is active. */
export async function commitOffsets(
  ctx: Ctx,
  group: Group,
  input: OffsetCommitInput,
): Promise<PartitionError[]> {
  const error = validateCommit(group, input);
  if (error !== undefined) return allWith(input, error);
  switch (group.state) {
    case 'Empty':
      break;
    case 'Stable':
    case 'PreparingRebalance':
      // Commits are still accepted during PreparingRebalance; the heartbeat response tells of the rebalance.
      scheduleHeartbeat(ctx, group, group.get(input.memberId));
      break;
    case 'CompletingRebalance':
      // The member holds this generation but has no assignment yet: it must not commit for old partitions.
      return allWith(input, ErrorCode.REBALANCE_IN_PROGRESS);
    case 'Dead':
      throw new Error(`group ${group.groupId} is Dead`);
  }
  return storeOffsets(ctx, group, input);
}

/**
 * The entries a commit stores, stamped now: every partition whose metadata fits
 * offset.metadata.max.bytes (the others answer OFFSET_METADATA_TOO_LARGE, told by `tooLarge`).
 * `retentionTimeMs` -1: no expiry of its own.
 */
export function commitEntries(
  ctx: Ctx,
  partitions: readonly OffsetCommitPartitionInput[],
  retentionTimeMs: number,
): { entries: OffsetEntry[]; tooLarge: (metadata: string | null) => boolean } {
  const now = ctx.clock.now();
  const maxLen = ctx.config.offsetMetadataMaxBytes;
  const tooLarge = (metadata: string | null): boolean => metadata !== null && metadata.length > maxLen;
  const entries: OffsetEntry[] = partitions
    .filter((p) => !tooLarge(p.metadata))
    .map((p) => ({
      topic: p.topic,
      partition: p.partition,
      offset: p.offset,
      leaderEpoch: p.leaderEpoch,
      metadata: p.metadata,
      commitTimestampMs: p.commitTimestampMs === -1 ? now : p.commitTimestampMs,
      expireTimestampMs: retentionTimeMs === -1 ? undefined : now + retentionTimeMs,
    }));
  return { entries, tooLarge };
}

async function storeOffsets(ctx: Ctx, group: Group, input: OffsetCommitInput): Promise<PartitionError[]> {
  const { entries, tooLarge } = commitEntries(ctx, input.partitions, input.retentionTimeMs);
  let code: number = ErrorCode.NONE;
  if (entries.length > 0) {
    group.offsets.stage(entries);
    code = await ctx.persistence.commitOffsets(group, entries);
    if (!group.is('Dead')) group.offsets.complete(entries, code === ErrorCode.NONE);
  }
  return input.partitions.map((p) => ({
    topic: p.topic,
    partition: p.partition,
    errorCode: tooLarge(p.metadata) ? ErrorCode.OFFSET_METADATA_TOO_LARGE : code,
  }));
}

function noOffset(tp: TopicPartition, errorCode: number): OffsetFetchPartition {
  return { topic: tp.topic, partition: tp.partition, offset: -1n, leaderEpoch: -1, metadata: '', errorCode };
}

/** Offsets are answered whatever the group's state: groups may use Kafka for offsets only. */
export function fetchOffsets(group: Group | undefined, input: OffsetFetchInput): OffsetFetchPartition[] {
  if (group === undefined || group.is('Dead')) {
    return (input.partitions ?? []).map((tp) => noOffset(tp, ErrorCode.NONE));
  }
  const wanted = input.partitions ?? group.offsets.all();
  return wanted.map((tp) => {
    const unstable =
      group.offsets.isPending(tp.topic, tp.partition) || group.offsets.isPendingTxn(tp.topic, tp.partition);
    if (input.requireStable && unstable) {
      return noOffset(tp, ErrorCode.UNSTABLE_OFFSET_COMMIT);
    }
    const e = group.offsets.get(tp.topic, tp.partition);
    if (e === undefined) return noOffset(tp, ErrorCode.NONE);
    return {
      topic: e.topic,
      partition: e.partition,
      offset: e.offset,
      leaderEpoch: e.leaderEpoch,
      metadata: e.metadata,
      errorCode: ErrorCode.NONE,
    };
  });
}

/**
 * OffsetDelete: an Empty group loses the offsets; a consumer group with members keeps those of topics
 * it is subscribed to (GROUP_SUBSCRIBED_TO_TOPIC); other groups with members refuse (NON_EMPTY_GROUP).
 */
export async function deleteOffsets(
  ctx: Ctx,
  group: Group,
  partitions: readonly TopicPartition[],
): Promise<OffsetDeleteResult> {
  let eligible: readonly TopicPartition[];
  switch (group.state) {
    case 'Dead':
      return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, partitions: [] };
    case 'Empty':
      eligible = partitions;
      break;
    default:
      if (!group.isConsumerGroup()) return { errorCode: ErrorCode.NON_EMPTY_GROUP, partitions: [] };
      eligible = partitions.filter((tp) => !group.isSubscribedToTopic(tp.topic));
  }
  if (eligible.length > 0) {
    group.offsets.remove(eligible);
    await cleanupGroup(ctx, group, eligible);
  }
  return {
    errorCode: ErrorCode.NONE,
    partitions: partitions.map((tp) => ({
      topic: tp.topic,
      partition: tp.partition,
      errorCode: eligible.includes(tp) ? ErrorCode.NONE : ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC,
    })),
  };
}

/**
 * After offsets were removed from memory: an Empty group with nothing left dies and is forgotten; the
 * removals (and the group's metadata, if it ever had a generation) are then deleted from storage.
 */
export async function cleanupGroup(
  ctx: Ctx,
  group: Group,
  removed: readonly TopicPartition[],
): Promise<void> {
  if (group.is('Empty') && !group.offsets.hasOffsets()) group.transitionTo('Dead', ctx.clock.now());
  let removeGroup = false;
  if (group.is('Dead') && ctx.groups.get(group.groupId) === group) {
    ctx.groups.delete(group.groupId);
    group.cancelTimers();
    // A group that never had a generation only ever stored offsets, no metadata.
    removeGroup = group.generationId > 0;
    ctx.log.info({ groupId: group.groupId }, 'group is now dead and removed');
  }
  if (removed.length > 0 || removeGroup) await ctx.persistence.remove(group, removed, removeGroup);
}

/** The periodic retention check (offsets.retention.check.interval.ms). */
export async function expireOffsets(ctx: Ctx): Promise<number> {
  const now = ctx.clock.now();
  const retention = ctx.config.offsetsRetentionMs;
  let count = 0;
  const work: Promise<void>[] = [];
  for (const group of [...ctx.groups.values()]) {
    if (!isLive(ctx, group)) continue;
    const expired = expiredOffsets(group, now, retention);
    count += expired.length;
    work.push(cleanupGroup(ctx, group, expired));
  }
  await Promise.all(work);
  if (count > 0) ctx.log.info({ count }, 'expired committed offsets');
  return count;
}

function expiredOffsets(group: Group, now: number, retention: number): OffsetEntry[] {
  // With members gone, retention counts from when the group became Empty.
  if (group.protocolType !== undefined && group.is('Empty')) {
    return group.offsets.expire(now, retention, (e) => group.stateTimestamp ?? e.commitTimestampMs);
  }
  // A stable consumer group keeps offsets of subscribed topics; others expire from their last commit.
  if (group.isConsumerGroup() && group.subscribedTopics !== undefined && group.is('Stable')) {
    return group.offsets.expire(now, retention, (e) => e.commitTimestampMs, group.subscribedTopics);
  }
  // Groups that only store offsets (assign() consumers): each offset expires from its last commit.
  if (group.protocolType === undefined) {
    return group.offsets.expire(now, retention, (e) => e.commitTimestampMs);
  }
  return [];
}

export async function deleteGroups(ctx: Ctx, groups: readonly Group[]): Promise<void> {
  await Promise.all(
    groups.map((group) => {
      const removed = group.offsets.partitions();
      group.offsets.removeAll();
      return cleanupGroup(ctx, group, removed);
    }),
  );
}

export function createGroup(ctx: Ctx, groupId: string): Group {
  const group = new Group(groupId, 'Empty', ctx.clock.now());
  ctx.groups.set(groupId, group);
  return group;
}

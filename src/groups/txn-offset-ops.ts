/**
 * Transactional offset commits (TxnOffsetCommit, KIP-98/KIP-447): offsets written inside a producer's
 * transaction stay pending, invisible to OffsetFetch, until the transaction's marker applies or
 * drops them (Kafka's GroupMetadata pending transactional offsets).
 */
import { ErrorCode } from '../protocol/error-codes.js';
import type { Ctx } from './context.js';
import type { Group } from './group.js';
import { validateCurrentMember } from './join.js';
import { commitEntries } from './offset-ops.js';
import type { OffsetCommitPartitionInput, PartitionError } from './types.js';

export interface TxnOffsetCommitInput {
  readonly groupId: string;
  readonly producerId: bigint;
  readonly producerEpoch: number;
  /** '' from clients before KIP-447 (TxnOffsetCommit v0-2). */
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  /** -1 from clients before KIP-447. */
  readonly generationId: number;
  readonly partitions: readonly OffsetCommitPartitionInput[];
}

/** Kafka's validateOffsetCommit with isTransactional: members are checked only when they identify. */
function validate(group: Group, input: TxnOffsetCommitInput): number | undefined {
  if (group.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  if (input.generationId >= 0 || input.memberId !== '' || input.groupInstanceId !== null) {
    const memberError = validateCurrentMember(group, input.memberId, input.groupInstanceId);
    if (memberError !== undefined) return memberError;
    if (input.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
  }
  return undefined;
}

export async function commitTxnOffsets(
  ctx: Ctx,
  group: Group,
  input: TxnOffsetCommitInput,
): Promise<PartitionError[]> {
  const all = (errorCode: number): PartitionError[] =>
    input.partitions.map((p) => ({ topic: p.topic, partition: p.partition, errorCode }));
  const error = validate(group, input);
  if (error !== undefined) return all(error);
  // Transactional offsets carry no retention of their own (the group's applies once committed).
  const { entries, tooLarge } = commitEntries(ctx, input.partitions, -1);
  let code: number = ErrorCode.NONE;
  if (entries.length > 0) {
    const held = [...group.offsets.txnOffsets(input.producerId)];
    const merged = new Map(held.map((e) => [`${e.partition}:${e.topic}`, e]));
    for (const e of entries) merged.set(`${e.partition}:${e.topic}`, e);
    code = await ctx.persistence.storeTxnOffsets(group, input.producerId, [...merged.values()]);
    if (code === ErrorCode.NONE && !group.is('Dead')) group.offsets.stageTxn(input.producerId, entries);
  }
  return input.partitions.map((p) => ({
    topic: p.topic,
    partition: p.partition,
    errorCode: tooLarge(p.metadata) ? ErrorCode.OFFSET_METADATA_TOO_LARGE : code,
  }));
}

/** The transaction of `producerId` ended: its pending offsets in the group are committed or dropped. */
export async function completeTxnOffsets(
  ctx: Ctx,
  group: Group,
  producerId: bigint,
  commit: boolean,
): Promise<number> {
  const entries = group.offsets.txnOffsets(producerId);
  if (entries.length === 0) return ErrorCode.NONE;
  if (commit) {
    const code = await ctx.persistence.commitOffsets(group, entries);
    if (code !== ErrorCode.NONE) return code;
  }
  const code = await ctx.persistence.removeTxnOffsets(group, producerId);
  if (code !== ErrorCode.NONE) return code;
  group.offsets.completeTxn(producerId, commit);
  ctx.log.debug(
    { groupId: group.groupId, producerId, commit, partitions: entries.length },
    'transactional offsets completed',
  );
  return ErrorCode.NONE;
}

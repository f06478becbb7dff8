import type { TopicInfo } from '../../storage/storage.js';
import type { OffsetCommitPartitionInput } from '../../groups/index.js';
import type { RequestContext } from '../handler.js';

/** The client address as Kafka reports it in DescribeGroups (InetAddress.toString(): "/127.0.0.1"). */
export function clientHost(ctx: RequestContext): string {
  return `/${ctx.remoteHost}`;
}

export interface TopicPartitionLike {
  readonly topic: string;
  readonly partition: number;
}

/**
 * Groups per-partition results into the topic → partitions shape of the responses, keeping topics in
 * the order they first appear (the order of the request) and partitions in their own order.
 */
export function byTopic<T extends TopicPartitionLike, P>(
  items: readonly T[],
  toPartition: (item: T) => P,
): { name: string; partitions: P[] }[] {
  const topics = new Map<string, P[]>();
  for (const item of items) {
    let partitions = topics.get(item.topic);
    if (partitions === undefined) {
      partitions = [];
      topics.set(item.topic, partitions);
    }
    partitions.push(toPartition(item));
  }
  return [...topics].map(([name, partitions]) => ({ name, partitions }));
}

/**
 * Whether topic-partitions exist, looking each topic up once per request. Kafka's API layer answers
 * UNKNOWN_TOPIC_OR_PARTITION for commits and offset deletes of partitions it does not host.
 */
export class PartitionLookup {
  private readonly topics = new Map<string, Promise<TopicInfo | undefined>>();

  constructor(private readonly ctx: RequestContext) {}

  async exists(topic: string, partition: number): Promise<boolean> {
    let info = this.topics.get(topic);
    if (info === undefined) {
      info = this.ctx.services.topics.describe(topic);
      this.topics.set(topic, info);
    }
    const t = await info;
    return t !== undefined && partition >= 0 && partition < t.partitions;
  }
}

/** A partition of an OffsetCommit or TxnOffsetCommit request, as given to the group coordinator. */
export interface CommitRequested {
  readonly topic: string;
  readonly partition: number;
  /** undefined: the partition is not passed to the coordinator, and is answered with `error`. */
  readonly input: OffsetCommitPartitionInput | undefined;
  readonly error?: number;
}

interface CommitRequestPartition {
  readonly partitionIndex: number;
  readonly committedOffset: bigint;
  readonly committedLeaderEpoch: number;
  readonly committedMetadata: string | null;
}

/**
 * The partitions of a commit request in order. A topic `refused` names an error for (authorization)
 * is answered with it whole; a partition that does not exist is not passed on and answers
 * UNKNOWN_TOPIC_OR_PARTITION; a null metadata is stored as "", as Kafka stores it.
 */
export async function commitRequests<P extends CommitRequestPartition>(
  ctx: RequestContext,
  topics: readonly { readonly name: string; readonly partitions: readonly P[] }[],
  refused: (topic: string) => number | undefined,
  commitTimestampOf: (p: P) => number,
): Promise<CommitRequested[]> {
  const lookup = new PartitionLookup(ctx);
  const requested: CommitRequested[] = [];
  for (const t of topics) {
    const error = refused(t.name);
    for (const p of t.partitions) {
      if (error !== undefined) {
        requested.push({ topic: t.name, partition: p.partitionIndex, input: undefined, error });
        continue;
      }
      const exists = await lookup.exists(t.name, p.partitionIndex);
      requested.push({
        topic: t.name,
        partition: p.partitionIndex,
        input: exists
          ? {
              topic: t.name,
              partition: p.partitionIndex,
              offset: p.committedOffset,
              leaderEpoch: p.committedLeaderEpoch,
              metadata: p.committedMetadata ?? '',
              commitTimestampMs: commitTimestampOf(p),
            }
          : undefined,
      });
    }
  }
  return requested;
}

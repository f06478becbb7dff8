import type { TopicInfo } from '../../storage/storage.js';
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

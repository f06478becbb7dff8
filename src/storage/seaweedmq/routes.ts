/**
 * Which SeaweedMQ partition (ring range + generation) and leader broker serve each Kafka partition.
 * Kafka partition i is the i-th assignment by ring range. The source of truth is topic.conf in the
 * filer, which brokers rewrite when they move a partition to another broker; broker-side caches of
 * it live 30 s and survive a delete through the filer, so we do not rely on them.
 */
import type { PbAssignment, PbPartition } from './proto.js';

export interface PartitionRoute {
  readonly partition: PbPartition;
  readonly leader: string;
  /** Identifies the SeaweedMQ partition generation: a new one means new data, new offsets. */
  readonly generation: string;
}

export function toRoutes(assignments: readonly PbAssignment[]): PartitionRoute[] {
  return assignments
    .filter((a) => a.partition !== null)
    .sort((a, b) => a.partition!.range_start - b.partition!.range_start)
    .map((a) => {
      const p = a.partition!;
      return {
        partition: p,
        leader: a.leader_broker,
        generation: `${p.unix_time_ns}:${p.range_start}-${p.range_stop}`,
      };
    });
}

interface JsonAssignment {
  partition?: { ringSize?: number; rangeStart?: number; rangeStop?: number; unixTimeNs?: string | number };
  leaderBroker?: string;
  followerBroker?: string;
}

/** Routes from topic.conf, a ConfigureTopicResponse in protobuf JSON (zero values left out). */
export function routesFromConf(content: Buffer): PartitionRoute[] | undefined {
  let conf: { brokerPartitionAssignments?: JsonAssignment[] };
  try {
    conf = JSON.parse(content.toString('utf8')) as typeof conf;
  } catch {
    return undefined;
  }
  const list = conf.brokerPartitionAssignments;
  if (!Array.isArray(list)) return undefined;
  return toRoutes(
    list.map((a) => ({
      partition: {
        ring_size: a.partition?.ringSize ?? 0,
        range_start: a.partition?.rangeStart ?? 0,
        range_stop: a.partition?.rangeStop ?? 0,
        unix_time_ns: String(a.partition?.unixTimeNs ?? '0'),
      },
      leader_broker: a.leaderBroker ?? '',
      follower_broker: a.followerBroker ?? '',
    })),
  );
}

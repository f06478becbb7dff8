/**
 * The per-partition transaction index as saved in the kv namespace "txn-partitions", one value per
 * partition that ever took part in a transaction, keyed `<topic id>:<partition>`: JSON with offsets
 * and producer ids as decimal strings. A restart reads it back and replays the log after nextOffset.
 */
import type { PartitionTxnSnapshot } from './partition-state.js';

export const TXN_PARTITIONS_NAMESPACE = 'txn-partitions';

export interface StoredPartition {
  readonly topic: string;
  readonly topicId: string;
  readonly partition: number;
  readonly snapshot: PartitionTxnSnapshot;
}

export function partitionKvKey(topicId: string, partition: number): string {
  return `${topicId}:${partition}`;
}

interface Json {
  version: 1;
  topic: string;
  topicId: string;
  partition: number;
  nextOffset: string;
  ongoing: { producerId: string; producerEpoch: number; firstOffset: string }[];
  aborted: { producerId: string; firstOffset: string; lastOffset: string }[];
}

export function encodePartition(p: StoredPartition): Buffer {
  const json: Json = {
    version: 1,
    topic: p.topic,
    topicId: p.topicId,
    partition: p.partition,
    nextOffset: p.snapshot.nextOffset.toString(),
    ongoing: p.snapshot.ongoing.map((t) => ({
      producerId: t.producerId.toString(),
      producerEpoch: t.producerEpoch,
      firstOffset: t.firstOffset.toString(),
    })),
    aborted: p.snapshot.aborted.map((a) => ({
      producerId: a.producerId.toString(),
      firstOffset: a.firstOffset.toString(),
      lastOffset: a.lastOffset.toString(),
    })),
  };
  return Buffer.from(JSON.stringify(json), 'utf8');
}

export function decodePartition(bytes: Buffer): StoredPartition {
  const j = JSON.parse(bytes.toString('utf8')) as Json;
  if (j.version !== 1 || typeof j.topic !== 'string' || typeof j.topicId !== 'string') {
    throw new Error('stored transaction index: unknown format');
  }
  return {
    topic: j.topic,
    topicId: j.topicId,
    partition: j.partition,
    snapshot: {
      nextOffset: BigInt(j.nextOffset),
      ongoing: j.ongoing.map((t) => ({
        producerId: BigInt(t.producerId),
        producerEpoch: t.producerEpoch,
        firstOffset: BigInt(t.firstOffset),
      })),
      aborted: j.aborted.map((a) => ({
        producerId: BigInt(a.producerId),
        firstOffset: BigInt(a.firstOffset),
        lastOffset: BigInt(a.lastOffset),
      })),
    },
  };
}

/**
 * Transactional offset commits waiting for their transaction's end, as persisted in the kv namespace
 * "txn-offsets" (one value per group and producer id): Kafka keeps them in __consumer_offsets until
 * the marker; here they survive a restart the same way and are applied or dropped by the marker.
 */
import type { OffsetEntry } from './offsets.js';

export const TXN_OFFSETS_NAMESPACE = 'txn-offsets';

export function txnOffsetsKey(groupId: string, producerId: bigint): string {
  return `${producerId}:${groupId}`;
}

interface Stored {
  version: 1;
  groupId: string;
  producerId: string;
  offsets: {
    topic: string;
    partition: number;
    offset: string;
    leaderEpoch: number;
    metadata: string | null;
    commitTimestampMs: number;
  }[];
}

export function encodeTxnOffsets(
  groupId: string,
  producerId: bigint,
  entries: readonly OffsetEntry[],
): Buffer {
  const stored: Stored = {
    version: 1,
    groupId,
    producerId: producerId.toString(),
    offsets: entries.map((e) => ({
      topic: e.topic,
      partition: e.partition,
      offset: e.offset.toString(),
      leaderEpoch: e.leaderEpoch,
      metadata: e.metadata,
      commitTimestampMs: e.commitTimestampMs,
    })),
  };
  return Buffer.from(JSON.stringify(stored), 'utf8');
}

export function decodeTxnOffsets(bytes: Buffer): {
  groupId: string;
  producerId: bigint;
  entries: OffsetEntry[];
} {
  const s = JSON.parse(bytes.toString('utf8')) as Stored;
  if (s.version !== 1 || typeof s.groupId !== 'string' || !Array.isArray(s.offsets)) {
    throw new Error('stored transactional offsets: unknown format');
  }
  return {
    groupId: s.groupId,
    producerId: BigInt(s.producerId),
    entries: s.offsets.map((o) => ({
      topic: o.topic,
      partition: o.partition,
      offset: BigInt(o.offset),
      leaderEpoch: o.leaderEpoch,
      metadata: o.metadata,
      commitTimestampMs: o.commitTimestampMs,
      expireTimestampMs: undefined,
    })),
  };
}

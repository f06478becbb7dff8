/**
 * A partition's idempotent-producer state as stored in the key-value namespace: the producers with
 * their epoch and last batches, and the offset from which the log must be replayed to bring it up
 * to date (every batch below it is reflected in the state).
 */
import type { BatchRecord, PartitionProducers, ProducerEntry } from './producer-state.js';

type StoredBatch = [
  firstSeq: number,
  lastSeq: number,
  baseOffset: string,
  logAppendTime: string,
  stored: number | null,
];
type StoredProducer = [producerId: string, epoch: number, lastSeenMs: number, recent: StoredBatch[]];

interface StoredSnapshot {
  readonly v: 1;
  readonly replayFrom: string;
  readonly producers: StoredProducer[];
}

export interface ProducerSnapshot {
  readonly replayFrom: bigint;
  readonly producers: ReadonlyMap<bigint, ProducerEntry>;
}

export function encodeSnapshot(replayFrom: bigint, state: PartitionProducers | undefined): Buffer {
  const producers: StoredProducer[] = [];
  for (const [id, e] of state?.producers ?? []) {
    // A batch still being appended is not in the log yet: the replay after a restart finds it if it lands.
    const recent = e.recent
      .filter((b) => b.pending === undefined)
      .map((b): StoredBatch => [
        b.firstSeq,
        b.lastSeq,
        b.baseOffset.toString(),
        b.logAppendTimeMs.toString(),
        b.storedRecords ?? null,
      ]);
    producers.push([id.toString(), e.epoch, e.lastSeenMs, recent]);
  }
  const snapshot: StoredSnapshot = { v: 1, replayFrom: replayFrom.toString(), producers };
  return Buffer.from(JSON.stringify(snapshot));
}

/** The snapshot, or undefined when the bytes are not one this version wrote. */
export function decodeSnapshot(raw: Buffer): ProducerSnapshot | undefined {
  let parsed: StoredSnapshot;
  try {
    parsed = JSON.parse(raw.toString('utf8')) as StoredSnapshot;
  } catch {
    return undefined;
  }
  if (parsed?.v !== 1) return undefined;
  const producers = new Map<bigint, ProducerEntry>();
  for (const [id, epoch, lastSeenMs, recent] of parsed.producers) {
    const batches = recent.map(([firstSeq, lastSeq, baseOffset, logAppendTime, stored]): BatchRecord => {
      const b = { firstSeq, lastSeq, baseOffset: BigInt(baseOffset), logAppendTimeMs: BigInt(logAppendTime) };
      return stored === null ? b : { ...b, storedRecords: stored };
    });
    producers.set(BigInt(id), { epoch, lastSeenMs, recent: batches });
  }
  return { replayFrom: BigInt(parsed.replayFrom), producers };
}

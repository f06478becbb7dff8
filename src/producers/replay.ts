/**
 * Replaying a partition's log tail into the idempotent-producer state after a restart. Only batch
 * headers are read (producer id, epoch, sequence, offsets); records are never decoded. Observers
 * see the same batches: the transaction state (ongoing transactions, aborted ranges) is rebuilt from
 * the same headers by plugging one in (ProducerStateStore.addObserver).
 */
import { RecordBatch } from '../protocol/records/batch.js';
import type { Storage } from '../storage/storage.js';
import type { PartitionProducers } from './producer-state.js';

export interface ReplayObserver {
  /**
   * Where this observer needs the replay of a partition to start (the offset its own snapshot
   * covers), or undefined when it is content with where the producer state starts. Called once per
   * partition before its replay.
   */
  replayFrom?(topicId: string, partition: number): Promise<bigint | undefined>;
  /** Every batch of the replayed range in offset order, control batches included. */
  onBatch(topicId: string, partition: number, batch: RecordBatch): void;
  /** The replay of the partition reached `highWatermark`. */
  onReplayed?(topicId: string, partition: number, highWatermark: bigint): void;
}

export interface ReplayRange {
  readonly topic: string;
  readonly topicId: string;
  readonly partition: number;
  /** Where the producer state needs batches from. */
  readonly stateFrom: bigint;
  /** Where reading starts (at or before stateFrom, when an observer asks for more). */
  readonly from: bigint;
  readonly to: bigint;
}

const READ_BYTES = 4 * 1024 * 1024;

/** Reads [from, to) and feeds every batch to the state and the observers; returns the batches seen. */
export async function replayTail(
  storage: Storage,
  r: ReplayRange,
  state: PartitionProducers,
  observers: readonly ReplayObserver[],
): Promise<number> {
  let offset = r.from;
  let batches = 0;
  reading: while (offset < r.to) {
    const read = await storage.read(r.topic, r.partition, offset, READ_BYTES);
    if (read.batches.length === 0) break;
    for (const buf of read.batches) {
      const b = new RecordBatch(buf);
      if (b.baseOffset >= r.to) break reading;
      if (b.lastOffset < offset) continue;
      batches++;
      for (const o of observers) o.onBatch(r.topicId, r.partition, b);
      if (b.producerId < 0n || b.isControl || b.lastOffset < r.stateFrom) continue;
      const logAppendTime = b.timestampType === 1 ? b.maxTimestamp : -1n;
      state.replay(
        b.producerId,
        b.producerEpoch,
        b.baseSequence,
        b.lastOffsetDelta,
        b.baseOffset,
        logAppendTime,
      );
    }
    offset = new RecordBatch(read.batches[read.batches.length - 1]!).lastOffset + 1n;
  }
  for (const o of observers) o.onReplayed?.(r.topicId, r.partition, r.to);
  return batches;
}

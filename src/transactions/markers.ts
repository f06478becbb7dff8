/**
 * Writes a transaction's outcome: a marker (control batch) appended to each of its partitions through
 * the store, and the group coordinator told to commit or drop each group's pending offsets. Kafka's
 * coordinator sends WriteTxnMarkers to partition leaders; every gateway leads every partition, so the
 * markers are local appends.
 */
import type { Logger } from 'pino';
import type { ProducerRegistry } from '../producers/producer-state.js';
import { ErrorCode, isKafkaError } from '../protocol/error-codes.js';
import { RecordBatch } from '../protocol/records/batch.js';
import { buildMarkerBatch, type MarkerType } from '../protocol/records/control.js';
import type { Storage, TopicInfo } from '../storage/storage.js';
import type { MarkerWriter } from './completion.js';
import type { TxnPartitions } from './partitions.js';
import type { MarkerJob, TopicPartition } from './types.js';

/** The coordinator epoch the gateway writes in markers: it never hands coordination over. */
export const COORDINATOR_EPOCH = 0;

/** What the markers need from the group coordinator. */
export interface TxnOffsetsCompleter {
  /** Commits (or drops) the producer's pending transactional offsets in the group; resolves to an error code. */
  completeTransaction(groupId: string, producerId: bigint, commit: boolean): Promise<number>;
}

export interface MarkerAppendInput {
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly type: MarkerType;
  readonly coordinatorEpoch: number;
}

/**
 * Appends one marker to a partition and feeds it to the producer state and the transaction index.
 * Throws what the store throws; undefined when the partition does not exist (a deleted topic).
 */
export async function appendMarker(
  deps: { storage: Storage; producers: ProducerRegistry; partitions: TxnPartitions },
  topic: TopicInfo,
  partition: number,
  marker: MarkerAppendInput,
): Promise<bigint> {
  const now = BigInt(Date.now());
  const bytes = buildMarkerBatch({ ...marker, timestampMs: now });
  const logAppendTime = topic.configs['message.timestamp.type'] === 'LogAppendTime';
  const result = await deps.storage.append(topic.name, partition, bytes, {
    origin: 'coordinator',
    ...(logAppendTime ? { logAppendTimeMs: now } : {}),
  });
  // The marker's epoch fences older epochs of the producer on this partition (Kafka's producer state).
  // ready(): a partition whose producer state is still being restored from a snapshot is fenced after it.
  (await deps.producers.ready(topic.id, partition)).fence(marker.producerId, marker.producerEpoch);
  deps.partitions.onAppend(topic, partition, result.baseOffset, [new RecordBatch(bytes)]);
  return result.baseOffset;
}

export class StoreMarkerWriter implements MarkerWriter {
  constructor(
    private readonly storage: Storage,
    private readonly producers: ProducerRegistry,
    private readonly partitions: TxnPartitions,
    private readonly groups: TxnOffsetsCompleter,
    private readonly log: Logger,
  ) {}

  async write(job: MarkerJob): Promise<MarkerJob | undefined> {
    const marker: MarkerAppendInput = {
      producerId: job.producerId,
      producerEpoch: job.producerEpoch,
      type: job.result,
      coordinatorEpoch: COORDINATOR_EPOCH,
    };
    const [partitions, groups] = await Promise.all([
      Promise.all(job.partitions.map(async (tp) => ((await this.writeOne(tp, marker)) ? undefined : tp))),
      Promise.all(
        job.groups.map(async (g) => {
          const code = await this.groups
            .completeTransaction(g, job.producerId, job.result === 'commit')
            .catch((err: unknown) => (isKafkaError(err) ? err.code : ErrorCode.UNKNOWN_SERVER_ERROR));
          return code === ErrorCode.NONE ? undefined : g;
        }),
      ),
    ]);
    const leftPartitions = partitions.filter((tp): tp is TopicPartition => tp !== undefined);
    const leftGroups = groups.filter((g): g is string => g !== undefined);
    if (leftPartitions.length === 0 && leftGroups.length === 0) return undefined;
    return { ...job, partitions: leftPartitions, groups: leftGroups };
  }

  /** True when the marker is written or needs no writing (the partition is gone). */
  private async writeOne(tp: TopicPartition, marker: MarkerAppendInput): Promise<boolean> {
    try {
      const topic = await this.storage.describeTopic(tp.topic);
      if (topic === undefined || tp.partition >= topic.partitions) {
        this.log.info(
          { topic: tp.topic, partition: tp.partition },
          'transaction marker skipped: partition is gone',
        );
        return true;
      }
      await appendMarker(
        { storage: this.storage, producers: this.producers, partitions: this.partitions },
        topic,
        tp.partition,
        marker,
      );
      return true;
    } catch (err) {
      if (isKafkaError(err) && err.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) return true;
      this.log.warn({ err, topic: tp.topic, partition: tp.partition }, 'transaction marker not written');
      return false;
    }
  }
}

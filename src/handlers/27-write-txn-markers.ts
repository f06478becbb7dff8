import { ErrorCode } from '../protocol/error-codes.js';
import type {
  WriteTxnMarkersRequest,
  WriteTxnMarkersRequestWritableTxnMarker,
  WriteTxnMarkersResponse,
  WriteTxnMarkersResponseWritableTxnMarkerResult,
} from '../protocol/generated/index.js';
import { appendMarker } from '../transactions/markers.js';
import { OFFSETS_TOPIC, offsetsPartitionFor } from '../transactions/offsets-topic.js';
import { toKafkaError } from './error-message.js';
import { byTopic } from './groups/common.js';
import type { RequestContext } from './handler.js';
import { defineHandler } from './handler.js';
import { AclOperation, allowedOnCluster } from '../security/authorize.js';

/**
 * A marker for one partition. For __consumer_offsets partitions the marker reaches the groups that
 * partition would hold: their pending offsets of the producer are committed or dropped.
 */
async function writeOne(
  marker: WriteTxnMarkersRequestWritableTxnMarker,
  topicName: string,
  partition: number,
  ctx: RequestContext,
): Promise<number> {
  const { storage, producers, groups, transactions } = ctx.services;
  const commit = marker.transactionResult;
  if (topicName === OFFSETS_TOPIC) {
    const codes = await Promise.all(
      groups
        .groupsWithTransaction(marker.producerId)
        .filter((g) => offsetsPartitionFor(g) === partition)
        .map((g) => groups.completeTransaction(g, marker.producerId, commit)),
    );
    return codes.find((c) => c !== ErrorCode.NONE) ?? ErrorCode.NONE;
  }
  const topic = await ctx.services.topics.describe(topicName);
  if (topic === undefined || partition < 0 || partition >= topic.partitions) {
    return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  }
  // A marker may not go back in time for the producer (Kafka's ProducerAppendInfo epoch check).
  const known = producers
    .existing(topic.id, partition)
    ?.describe()
    .find((p) => p.producerId === marker.producerId);
  if (known !== undefined && known.epoch > marker.producerEpoch) return ErrorCode.INVALID_PRODUCER_EPOCH;
  try {
    await appendMarker({ storage, producers, partitions: transactions.partitions }, topic, partition, {
      producerId: marker.producerId,
      producerEpoch: marker.producerEpoch,
      type: commit ? 'commit' : 'abort',
      coordinatorEpoch: marker.coordinatorEpoch,
    });
    return ErrorCode.NONE;
  } catch (err) {
    return toKafkaError(err, ctx).errorCode;
  }
}

/**
 * Broker-to-broker in Kafka (the coordinator's markers); here it serves tools that end a hanging
 * transaction on a partition (kafka-transactions.sh abort), writing the marker directly.
 */
export default defineHandler<WriteTxnMarkersRequest, WriteTxnMarkersResponse>({
  apiKey: 27,
  minVersion: 0,
  maxVersion: 1,
  async handle(request, ctx) {
    // Kafka asks CLUSTER_ACTION on the cluster; refused, every partition answers the error.
    const denied = !allowedOnCluster(ctx, AclOperation.CLUSTER_ACTION);
    const markers = await Promise.all(
      request.markers.map(async (m): Promise<WriteTxnMarkersResponseWritableTxnMarkerResult> => {
        const partitions = m.topics.flatMap((t) =>
          t.partitionIndexes.map((partition) => ({ topic: t.name, partition })),
        );
        const codes = denied
          ? partitions.map(() => ErrorCode.CLUSTER_AUTHORIZATION_FAILED)
          : await Promise.all(partitions.map((tp) => writeOne(m, tp.topic, tp.partition, ctx)));
        const results = partitions.map((tp, i) => ({ ...tp, code: codes[i]! }));
        return {
          producerId: m.producerId,
          topics: byTopic(results, (r) => ({ partitionIndex: r.partition, errorCode: r.code })).map((t) => ({
            name: t.name,
            partitions: t.partitions,
          })),
        };
      }),
    );
    return { markers };
  },
});

/**
 * Kafka records a consumer group in a transaction as the partition of __consumer_offsets holding the
 * group. The gateway has no such topic, but DescribeTransactions and WriteTxnMarkers speak of it, so
 * groups map to partitions exactly as Kafka's default of 50 offsets partitions would place them.
 */
export const OFFSETS_TOPIC = '__consumer_offsets';
export const OFFSETS_TOPIC_PARTITIONS = 50;

/** Java's String.hashCode. */
function javaHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** Kafka's partitionFor(groupId): Utils.abs(hashCode) % partitions, where abs(MIN_VALUE) is 0. */
export function offsetsPartitionFor(groupId: string): number {
  const h = javaHash(groupId);
  return (h === -2147483648 ? 0 : Math.abs(h)) % OFFSETS_TOPIC_PARTITIONS;
}

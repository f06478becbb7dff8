import { ErrorCode, KafkaError } from '../protocol/error-codes.js';
import type {
  ListOffsetsRequest,
  ListOffsetsRequestListOffsetsPartition,
  ListOffsetsResponse,
  ListOffsetsResponseListOffsetsPartitionResponse,
} from '../protocol/generated/index.js';
import type { TimestampLookup, TopicInfo } from '../storage/storage.js';
import { toKafkaError } from './error-message.js';
import type { RequestContext } from './handler.js';
import { defineHandler } from './handler.js';
import { AclOperation, allowedOnTopic } from '../security/authorize.js';

const LATEST = -1n;
const EARLIEST = -2n;
const MAX_TIMESTAMP = -3n;
const EARLIEST_LOCAL = -4n;
const LATEST_TIERED = -5n;
const LEADER_EPOCH = 0;
const READ_COMMITTED = 1;

async function lookup(
  topic: TopicInfo,
  p: ListOffsetsRequestListOffsetsPartition,
  readCommitted: boolean,
  ctx: RequestContext,
) {
  const { storage } = ctx.services;
  const txnPartitions = ctx.services.transactions.partitions;
  // read_committed sees the log up to the last stable offset (only partitions with transactions differ).
  const stable = readCommitted && txnPartitions.isTracked(topic.id, p.partitionIndex);
  const ts = p.timestamp;
  if (ts === LATEST && stable) {
    return { timestamp: -1n, offset: await txnPartitions.lastStableOffset(topic, p.partitionIndex) };
  }
  if (ts === LATEST || ts === EARLIEST || ts === EARLIEST_LOCAL) {
    const offsets = await storage.offsets(topic.name, p.partitionIndex);
    return { timestamp: -1n, offset: ts === LATEST ? offsets.highWatermark : offsets.logStartOffset };
  }
  // Nothing is tiered: there is no tiered offset to report.
  if (ts === LATEST_TIERED) return undefined;
  let found: TimestampLookup | undefined;
  if (ts === MAX_TIMESTAMP) found = await storage.maxTimestamp(topic.name, p.partitionIndex);
  else if (ts < 0n) throw new KafkaError(ErrorCode.INVALID_REQUEST, `unknown special timestamp ${ts}`);
  else found = await storage.offsetForTimestamp(topic.name, p.partitionIndex, ts);
  if (
    found !== undefined &&
    stable &&
    found.offset >= (await txnPartitions.lastStableOffset(topic, p.partitionIndex))
  ) {
    return undefined;
  }
  return found;
}

async function listPartition(
  topic: TopicInfo | undefined,
  p: ListOffsetsRequestListOffsetsPartition,
  readCommitted: boolean,
  ctx: RequestContext,
): Promise<ListOffsetsResponseListOffsetsPartitionResponse> {
  const base = {
    partitionIndex: p.partitionIndex,
    timestamp: -1n,
    offset: -1n,
    leaderEpoch: -1,
    oldStyleOffsets: [],
  };
  if (topic === undefined || p.partitionIndex < 0 || p.partitionIndex >= topic.partitions) {
    return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
  }
  if (p.currentLeaderEpoch >= 0 && p.currentLeaderEpoch !== LEADER_EPOCH) {
    const errorCode =
      p.currentLeaderEpoch < LEADER_EPOCH ? ErrorCode.FENCED_LEADER_EPOCH : ErrorCode.UNKNOWN_LEADER_EPOCH;
    return { ...base, errorCode };
  }
  try {
    const found = await lookup(topic, p, readCommitted, ctx);
    if (found === undefined) return { ...base, errorCode: ErrorCode.NONE };
    return {
      ...base,
      errorCode: ErrorCode.NONE,
      timestamp: found.timestamp,
      offset: found.offset,
      leaderEpoch: LEADER_EPOCH,
      oldStyleOffsets: [found.offset],
    };
  } catch (err) {
    return { ...base, errorCode: toKafkaError(err, ctx).errorCode };
  }
}

export default defineHandler<ListOffsetsRequest, ListOffsetsResponse>({
  apiKey: 2,
  minVersion: 0,
  maxVersion: 9,
  async handle(request, ctx) {
    const topics = await Promise.all(
      request.topics.map(async (t) => {
        if (!allowedOnTopic(ctx, AclOperation.DESCRIBE, t.name)) {
          const errorCode = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
          return {
            name: t.name,
            partitions: t.partitions.map((p) => ({
              partitionIndex: p.partitionIndex,
              errorCode,
              timestamp: -1n,
              offset: -1n,
              leaderEpoch: -1,
              oldStyleOffsets: [],
            })),
          };
        }
        const topic = await ctx.services.topics.describe(t.name);
        return {
          name: t.name,
          partitions: await Promise.all(
            t.partitions.map((p) => listPartition(topic, p, request.isolationLevel === READ_COMMITTED, ctx)),
          ),
        };
      }),
    );
    return { throttleTimeMs: 0, topics };
  },
});

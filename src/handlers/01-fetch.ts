import { AclOperation, allowedOnTopic } from '../security/authorize.js';
import { ChangeWatch } from '../fetch/change-watch.js';
import { ErrorCode, isKafkaError } from '../protocol/error-codes.js';
import type {
  FetchRequest,
  FetchRequestFetchPartition,
  FetchResponse,
  FetchResponseAbortedTransaction,
  FetchResponsePartitionData,
} from '../protocol/generated/index.js';
import type { ReadResult, TopicInfo } from '../storage/storage.js';
import type { RequestContext } from './handler.js';
import { defineHandler } from './handler.js';

const READ_COMMITTED = 1;
/** The single leader epoch the gateway keeps for every partition. */
const LEADER_EPOCH = 0;

interface Target {
  readonly topic: TopicInfo | undefined;
  readonly missingError: number;
  readonly requestTopic: string;
  readonly requestTopicId: string;
  readonly partitions: readonly FetchRequestFetchPartition[];
}

interface Pass {
  readonly topics: {
    topic: string;
    topicId: string;
    /** The topic's name when it exists, for metrics (v13+ requests name topics by id only). */
    name: string | undefined;
    partitions: FetchResponsePartitionData[];
  }[];
  readonly bytes: number;
  readonly hasError: boolean;
}

function partitionError(
  index: number,
  errorCode: number,
  hw = -1n,
  logStart = -1n,
): FetchResponsePartitionData {
  return {
    partitionIndex: index,
    errorCode,
    highWatermark: hw,
    lastStableOffset: hw,
    logStartOffset: logStart,
    abortedTransactions: null,
    preferredReadReplica: -1,
    // Kafka sends empty records with a partition error; librdkafka rejects a null (size -1) record set.
    records: [],
  };
}

function epochError(requested: number): number | undefined {
  if (requested < 0 || requested === LEADER_EPOCH) return undefined;
  return requested < LEADER_EPOCH ? ErrorCode.FENCED_LEADER_EPOCH : ErrorCode.UNKNOWN_LEADER_EPOCH;
}

async function resolveTargets(request: FetchRequest, ctx: RequestContext): Promise<Target[]> {
  const byId = ctx.apiVersion >= 13;
  const { topics } = ctx.services;
  return Promise.all(
    request.topics.map(async (t) => {
      const topic = byId ? await topics.byId(t.topicId) : await topics.describe(t.topic);
      // Reading needs READ on the topic; a topic the client may not read is answered as Kafka does.
      const denied = topic !== undefined && !allowedOnTopic(ctx, AclOperation.READ, topic.name);
      return {
        topic: denied ? undefined : topic,
        missingError: denied
          ? ErrorCode.TOPIC_AUTHORIZATION_FAILED
          : byId
            ? ErrorCode.UNKNOWN_TOPIC_ID
            : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        requestTopic: t.topic,
        requestTopicId: t.topicId,
        partitions: t.partitions,
      };
    }),
  );
}

/**
 * Reads started ahead of the partition being answered, so that on a remote store (SeaweedMQ: one
 * FetchMessage round trip each) partitions overlap their waits. Bounded, because a read started early
 * may return up to its partition limit that the response budget then leaves out.
 */
const READ_AHEAD = 8;

interface Slot {
  readonly out: FetchResponsePartitionData[];
  readonly request: FetchRequestFetchPartition;
  readonly topic: TopicInfo | undefined;
  /** Set when the partition is answered with an error without reading. */
  readonly error: number | undefined;
}

type ReadOutcome = { readonly ok: ReadResult } | { readonly err: unknown };

/** The leading batches that fit in `budget` bytes. */
function fit(batches: readonly Buffer[], budget: number): Buffer[] {
  const kept: Buffer[] = [];
  let size = 0;
  for (const b of batches) {
    if (size + b.length > budget) break;
    kept.push(b);
    size += b.length;
  }
  return kept;
}

function slotsOf(targets: readonly Target[], topics: Pass['topics']): Slot[] {
  const slots: Slot[] = [];
  for (const target of targets) {
    const out: FetchResponsePartitionData[] = [];
    topics.push({
      topic: target.requestTopic,
      topicId: target.requestTopicId,
      name: target.topic?.name,
      partitions: out,
    });
    const topic = target.topic;
    for (const p of target.partitions) {
      let error: number | undefined;
      if (topic === undefined) error = target.missingError;
      else if (p.partition < 0 || p.partition >= topic.partitions)
        error = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      else error = epochError(p.currentLeaderEpoch);
      slots.push({ out, request: p, topic, error });
    }
  }
  return slots;
}

/** One read of every requested partition, within the response and partition byte limits. */
async function readOnce(
  request: FetchRequest,
  targets: readonly Target[],
  ctx: RequestContext,
): Promise<Pass> {
  const { storage } = ctx.services;
  const txnPartitions = ctx.services.transactions.partitions;
  const maxBytes = ctx.apiVersion >= 3 ? request.maxBytes : Number.MAX_SAFE_INTEGER;
  const readCommitted = request.isolationLevel === READ_COMMITTED;
  const topics: Pass['topics'] = [];
  const slots = slotsOf(targets, topics);
  let bytes = 0;
  let hasError = false;
  const pending: (Promise<ReadOutcome> | undefined)[] = [];
  const start = (i: number): void => {
    const slot = slots[i]!;
    if (slot.error !== undefined || slot.topic === undefined || pending[i] !== undefined) return;
    const p = slot.request;
    const budget = Math.min(p.partitionMaxBytes, maxBytes - bytes);
    // KIP-74: only the first partition with data may exceed the limits, by one batch.
    const read: Promise<ReadResult> =
      budget > 0 || bytes === 0
        ? storage.read(slot.topic.name, p.partition, p.fetchOffset, Math.max(budget, 0))
        : storage.offsets(slot.topic.name, p.partition).then((o) => ({ ...o, batches: [] }));
    pending[i] = read.then(
      (ok) => ({ ok }),
      (err: unknown) => ({ err }),
    );
  };
  for (let i = 0; i < slots.length; i++) {
    for (let j = i; j < Math.min(slots.length, i + READ_AHEAD); j++) start(j);
    const slot = slots[i]!;
    const p = slot.request;
    if (slot.error !== undefined || slot.topic === undefined) {
      slot.out.push(partitionError(p.partition, slot.error ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
      hasError = true;
      continue;
    }
    const outcome = await pending[i]!;
    pending[i] = undefined;
    if ('err' in outcome) {
      if (!isKafkaError(outcome.err)) throw outcome.err;
      hasError = true;
      const offsets = await storage.offsets(slot.topic.name, p.partition).catch(() => undefined);
      slot.out.push(
        partitionError(
          p.partition,
          outcome.err.code,
          offsets?.highWatermark ?? -1n,
          offsets?.logStartOffset ?? -1n,
        ),
      );
      continue;
    }
    const result = outcome.ok;
    // A read started ahead did not know what the partitions before it would take.
    let batches =
      bytes > 0 ? fit(result.batches, Math.min(p.partitionMaxBytes, maxBytes - bytes)) : result.batches;
    let lastStableOffset = txnPartitions.knownLastStableOffset(slot.topic.id, p.partition, result);
    let abortedTransactions: FetchResponseAbortedTransaction[] | null = readCommitted ? [] : null;
    // read_committed: only below the last stable offset, with the aborted transactions there.
    if (readCommitted && txnPartitions.needsIsolation(slot.topic.id, p.partition, batches)) {
      let isolated;
      try {
        isolated = await txnPartitions.isolate(slot.topic, p.partition, p.fetchOffset, {
          ...result,
          batches,
        });
      } catch (err) {
        if (!isKafkaError(err)) throw err;
        hasError = true;
        slot.out.push(partitionError(p.partition, err.code, result.highWatermark, result.logStartOffset));
        continue;
      }
      batches = isolated.batches;
      lastStableOffset = isolated.lastStableOffset;
      abortedTransactions = isolated.abortedTransactions.map((a) => ({
        producerId: a.producerId,
        firstOffset: a.firstOffset,
      }));
    }
    for (const b of batches) bytes += b.length;
    slot.out.push({
      partitionIndex: p.partition,
      errorCode: ErrorCode.NONE,
      highWatermark: result.highWatermark,
      lastStableOffset,
      logStartOffset: result.logStartOffset,
      abortedTransactions,
      preferredReadReplica: -1,
      records: batches,
    });
  }
  return { topics, bytes, hasError };
}

function respond(pass: Pass, errorCode: number = ErrorCode.NONE, ctx?: RequestContext): FetchResponse {
  const metrics = ctx?.services.metrics;
  if (metrics?.enabled === true) {
    for (const t of pass.topics) {
      if (t.name === undefined) continue;
      for (const p of t.partitions) metrics.fetched(t.name, p.records as Buffer[]);
    }
  }
  return {
    throttleTimeMs: 0,
    errorCode,
    sessionId: 0,
    responses: pass.topics.map((t) => ({ topic: t.topic, topicId: t.topicId, partitions: t.partitions })),
  };
}

/**
 * Fetch without sessions: every response carries every requested partition, and a client asking
 * for a new session is told session 0, which clients take to mean "send full requests".
 */
export default defineHandler<FetchRequest, FetchResponse>({
  apiKey: 1,
  minVersion: 0,
  maxVersion: 17,
  async handle(request, ctx) {
    if (request.sessionId !== 0) {
      return respond({ topics: [], bytes: 0, hasError: true }, ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
    }
    if (request.sessionEpoch !== 0 && request.sessionEpoch !== -1) {
      return respond({ topics: [], bytes: 0, hasError: true }, ErrorCode.INVALID_FETCH_SESSION_EPOCH);
    }
    const targets = await resolveTargets(request, ctx);
    const deadline = Date.now() + Math.max(0, request.maxWaitMs);
    const watched = targets.flatMap((t) =>
      t.topic === undefined
        ? []
        : t.partitions.map((p) => ({ topic: t.topic!.name, partition: p.partition })),
    );
    for (;;) {
      const watch = new ChangeWatch(ctx.services.storage, watched);
      try {
        const pass = await readOnce(request, targets, ctx);
        const remaining = deadline - Date.now();
        // Like Kafka, a fetch of no partitions has nothing to wait for.
        const nothingToWaitFor = watched.length === 0;
        if (
          pass.bytes >= request.minBytes ||
          pass.hasError ||
          remaining <= 0 ||
          nothingToWaitFor ||
          ctx.signal.aborted
        ) {
          return respond(pass, ErrorCode.NONE, ctx);
        }
        if (!(await watch.wait(remaining, ctx.signal))) {
          return respond(await readOnce(request, targets, ctx), ErrorCode.NONE, ctx);
        }
      } finally {
        watch.close();
      }
    }
  },
});

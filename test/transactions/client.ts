import { expect } from 'vitest';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import type {
  AddPartitionsToTxnResponse,
  EndTxnResponse,
  FetchResponse,
  FetchResponsePartitionData,
  InitProducerIdResponse,
  ListOffsetsResponse,
  ProduceResponse,
} from '../../src/protocol/generated/index.js';
import { validateBatches } from '../../src/protocol/records/batch.js';
import { markerTypeOf } from '../../src/protocol/records/control.js';
import type { Harness } from '../server/support/harness.js';
import { batch } from '../server/support/harness.js';

/** Transaction requests as a client sends them, through a dispatcher harness; the topic is 't'. */

export const API = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  OffsetFetch: 9,
  InitProducerId: 22,
  AddPartitionsToTxn: 24,
  AddOffsetsToTxn: 25,
  EndTxn: 26,
  WriteTxnMarkers: 27,
  TxnOffsetCommit: 28,
  DescribeProducers: 61,
  DescribeTransactions: 65,
  ListTransactions: 66,
};

export interface Producer {
  id: string;
  producerId: bigint;
  epoch: number;
  seq: number[];
}

export async function initProducer(h: Harness, id: string): Promise<Producer> {
  const res = await h.call<InitProducerIdResponse>(API.InitProducerId, 4, {
    transactionalId: id,
    transactionTimeoutMs: 60_000,
    producerId: -1n,
    producerEpoch: -1,
  });
  expect(res.errorCode).toBe(ErrorCode.NONE);
  return { id, producerId: res.producerId!, epoch: res.producerEpoch, seq: [0, 0] };
}

export async function addPartitions(h: Harness, p: Producer, partitions: number[], topic = 't', version = 3) {
  const res = await h.call<AddPartitionsToTxnResponse>(API.AddPartitionsToTxn, version, {
    v3AndBelowTransactionalId: p.id,
    v3AndBelowProducerId: p.producerId,
    v3AndBelowProducerEpoch: p.epoch,
    v3AndBelowTopics: [{ name: topic, partitions }],
    transactions: [],
  });
  return res.resultsByTopicV3AndBelow!.flatMap((t) =>
    t.resultsByPartition.map((r) => [t.name, r.partitionIndex, r.partitionErrorCode]),
  );
}

export async function produce(
  h: Harness,
  p: Producer,
  partition: number,
  count: number,
  transactional = true,
) {
  const records = batch(count, {
    producerId: p.producerId,
    producerEpoch: p.epoch,
    baseSequence: p.seq[partition]!,
    transactional,
  });
  const res = await h.call<ProduceResponse>(API.Produce, 9, {
    transactionalId: transactional ? p.id : null,
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: 't', partitionData: [{ index: partition, records }] }],
  });
  const r = res.responses[0]!.partitionResponses[0]!;
  if (r.errorCode === ErrorCode.NONE) p.seq[partition]! += count;
  return r;
}

export async function endTxn(h: Harness, p: Producer, commit: boolean): Promise<number> {
  const res = await h.call<EndTxnResponse>(API.EndTxn, 3, {
    transactionalId: p.id,
    producerId: p.producerId,
    producerEpoch: p.epoch,
    committed: commit,
  });
  return res.errorCode;
}

export async function fetch(
  h: Harness,
  partition: number,
  isolationLevel: 0 | 1,
  fetchOffset = 0n,
): Promise<FetchResponsePartitionData> {
  const t = (await h.services.topics.describe('t'))!;
  const res = await h.call<FetchResponse>(API.Fetch, 12, {
    clusterId: null,
    replicaId: -1,
    replicaState: { replicaId: -1, replicaEpoch: -1n },
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 50 << 20,
    isolationLevel,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic: 't',
        topicId: t.id,
        partitions: [
          {
            partition,
            currentLeaderEpoch: -1,
            fetchOffset,
            lastFetchedEpoch: -1,
            logStartOffset: -1n,
            partitionMaxBytes: 1 << 20,
            replicaDirectoryId: '0'.repeat(32),
          },
        ],
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  });
  return res.responses[0]!.partitions[0]!;
}

/** What the batches of a fetch hold: [base offset, records or marker type, producer id]. */
export function shape(p: FetchResponsePartitionData): [bigint, number | string, bigint][] {
  const records = p.records as Buffer[] | Buffer | null;
  const buf = Array.isArray(records) ? Buffer.concat(records) : (records ?? Buffer.alloc(0));
  return validateBatches(buf, { fromClient: false }).map((b) => [
    b.baseOffset,
    b.isControl ? markerTypeOf(b)! : b.recordCount,
    b.producerId,
  ]);
}

export async function latest(h: Harness, isolationLevel: 0 | 1, partition = 0): Promise<bigint> {
  const res = await h.call<ListOffsetsResponse>(API.ListOffsets, 7, {
    replicaId: -1,
    isolationLevel,
    topics: [
      {
        name: 't',
        partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp: -1n, maxNumOffsets: 1 }],
      },
    ],
  });
  return res.topics[0]!.partitions[0]!.offset!;
}

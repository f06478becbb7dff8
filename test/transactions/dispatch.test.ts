import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { registerStateGauges } from '../../src/metrics/scrape.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import type {
  AddPartitionsToTxnResponse,
  DescribeProducersResponse,
  DescribeTransactionsResponse,
  EndTxnResponse,
  InitProducerIdResponse,
  ListTransactionsResponse,
  OffsetFetchResponse,
  TxnOffsetCommitResponse,
  WriteTxnMarkersResponse,
} from '../../src/protocol/generated/index.js';
import type { Harness } from '../server/support/harness.js';
import { createHarness } from '../server/support/harness.js';
import { addPartitions, API, endTxn, fetch, initProducer, latest, produce, shape } from './client.js';

// The transaction APIs through the dispatcher with a memory store, byte for byte as a client sends
// them: a transactional producer's whole path, and what read_committed and read_uncommitted see.

let h: Harness;
afterEach(async () => {
  await h?.services.transactions.close();
  await h?.services.groups.close();
});

async function harness(): Promise<Harness> {
  h = createHarness();
  await h.services.groups.load();
  await h.services.transactions.load();
  await h.createTopic('t', 2);
  return h;
}

describe('transactions through the dispatcher', () => {
  it('a committed transaction becomes visible to read_committed only once committed', async () => {
    await harness();
    const p = await initProducer(h, 'tx');
    expect(await produce(h, { ...p, id: 'other' }, 0, 1, false)).toMatchObject({ errorCode: ErrorCode.NONE });
    expect(await addPartitions(h, p, [0])).toEqual([['t', 0, ErrorCode.NONE]]);
    expect((await produce(h, p, 0, 3)).baseOffset).toBe(1n);
    expect((await produce(h, p, 0, 2)).baseOffset).toBe(4n);

    const uncommitted = await fetch(h, 0, 0);
    expect(shape(uncommitted)).toEqual([
      [0n, 1, p.producerId],
      [1n, 3, p.producerId],
      [4n, 2, p.producerId],
    ]);
    expect(uncommitted).toMatchObject({ highWatermark: 6n, lastStableOffset: 1n, abortedTransactions: null });
    const before = await fetch(h, 0, 1);
    expect(shape(before)).toEqual([[0n, 1, p.producerId]]);
    expect(before).toMatchObject({ highWatermark: 6n, lastStableOffset: 1n, abortedTransactions: [] });
    expect(await latest(h, 1)).toBe(1n);
    expect(await latest(h, 0)).toBe(6n);

    expect(await endTxn(h, p, true)).toBe(ErrorCode.NONE);
    const after = await fetch(h, 0, 1);
    expect(shape(after)).toEqual([
      [0n, 1, p.producerId],
      [1n, 3, p.producerId],
      [4n, 2, p.producerId],
      [6n, 'commit', p.producerId],
    ]);
    expect(after).toMatchObject({ highWatermark: 7n, lastStableOffset: 7n, abortedTransactions: [] });
    expect(await latest(h, 1)).toBe(7n);
  });

  it('an aborted transaction is listed for read_committed consumers, which skip its batches themselves', async () => {
    await harness();
    const p = await initProducer(h, 'tx');
    await addPartitions(h, p, [0, 1]);
    await produce(h, p, 0, 2);
    await produce(h, p, 1, 1);
    expect(await endTxn(h, p, false)).toBe(ErrorCode.NONE);
    await addPartitions(h, p, [0]);
    await produce(h, p, 0, 1);
    expect(await endTxn(h, p, true)).toBe(ErrorCode.NONE);
    const read = await fetch(h, 0, 1);
    expect(shape(read)).toEqual([
      [0n, 2, p.producerId],
      [2n, 'abort', p.producerId],
      [3n, 1, p.producerId],
      [4n, 'commit', p.producerId],
    ]);
    expect(read.abortedTransactions).toEqual([{ producerId: p.producerId, firstOffset: 0n }]);
    // A fetch past the aborted transaction does not list it.
    expect((await fetch(h, 0, 1, 3n)).abortedTransactions).toEqual([]);
    expect((await fetch(h, 1, 1)).abortedTransactions).toEqual([
      { producerId: p.producerId, firstOffset: 0n },
    ]);
  });

  it('refuses transactional data for a partition not added to the transaction, and plain data from a producer inside one', async () => {
    await harness();
    const p = await initProducer(h, 'tx');
    await addPartitions(h, p, [0]);
    expect(await produce(h, p, 1, 1)).toMatchObject({
      errorCode: ErrorCode.INVALID_TXN_STATE,
      errorMessage: 'Partition was not added to the transaction',
    });
    await produce(h, p, 0, 1);
    expect(await produce(h, p, 0, 1, false)).toMatchObject({ errorCode: ErrorCode.INVALID_TXN_STATE });
    expect((await fetch(h, 1, 0)).highWatermark).toBe(0n);
  });

  it('fences a zombie: after a new InitProducerId its old epoch is refused everywhere', async () => {
    await harness();
    const zombie = await initProducer(h, 'tx');
    await addPartitions(h, zombie, [0]);
    await produce(h, zombie, 0, 2);
    // The new instance's first InitProducerId aborts the zombie's transaction...
    const first = await h.call<InitProducerIdResponse>(API.InitProducerId, 4, {
      transactionalId: 'tx',
      transactionTimeoutMs: 60_000,
      producerId: -1n,
      producerEpoch: -1,
    });
    expect(first.errorCode).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
    const fresh = await initProducer(h, 'tx');
    expect(fresh.epoch).toBe(zombie.epoch + 2);
    expect(await produce(h, zombie, 0, 1)).toMatchObject({ errorCode: ErrorCode.INVALID_PRODUCER_EPOCH });
    expect(await endTxn(h, zombie, true)).toBe(ErrorCode.PRODUCER_FENCED);
    expect(await addPartitions(h, zombie, [0])).toEqual([['t', 0, ErrorCode.PRODUCER_FENCED]]);
    // Before v2 clients do not know PRODUCER_FENCED.
    expect(await addPartitions(h, zombie, [0], 't', 1)).toEqual([['t', 0, ErrorCode.INVALID_PRODUCER_EPOCH]]);
    const read = await fetch(h, 0, 1);
    expect(shape(read)).toEqual([
      [0n, 2, zombie.producerId],
      [2n, 'abort', zombie.producerId],
    ]);
    expect(read.abortedTransactions).toEqual([{ producerId: zombie.producerId, firstOffset: 0n }]);
  });

  it('adds nothing when a topic does not exist, naming the others OPERATION_NOT_ATTEMPTED', async () => {
    await harness();
    const p = await initProducer(h, 'tx');
    const res = await h.call<AddPartitionsToTxnResponse>(API.AddPartitionsToTxn, 3, {
      v3AndBelowTransactionalId: p.id,
      v3AndBelowProducerId: p.producerId,
      v3AndBelowProducerEpoch: p.epoch,
      v3AndBelowTopics: [
        { name: 't', partitions: [0] },
        { name: 'missing', partitions: [0] },
      ],
      transactions: [],
    });
    expect(res.resultsByTopicV3AndBelow).toEqual([
      {
        name: 't',
        resultsByPartition: [{ partitionIndex: 0, partitionErrorCode: ErrorCode.OPERATION_NOT_ATTEMPTED }],
      },
      {
        name: 'missing',
        resultsByPartition: [{ partitionIndex: 0, partitionErrorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }],
      },
    ]);
    expect(h.services.transactions.coordinator.metadata('tx')?.state).toBe('Empty');
  });

  it('v4+ adds and verifies batches of transactions', async () => {
    await harness();
    const a = await initProducer(h, 'a');
    const b = await initProducer(h, 'b');
    const res = await h.call<AddPartitionsToTxnResponse>(API.AddPartitionsToTxn, 5, {
      transactions: [
        {
          transactionalId: 'a',
          producerId: a.producerId,
          producerEpoch: 0,
          verifyOnly: false,
          topics: [{ name: 't', partitions: [0] }],
        },
        {
          transactionalId: 'b',
          producerId: b.producerId,
          producerEpoch: 0,
          verifyOnly: true,
          topics: [{ name: 't', partitions: [1] }],
        },
      ],
    });
    expect(res.errorCode).toBe(ErrorCode.NONE);
    expect(res.resultsByTransaction).toEqual([
      {
        transactionalId: 'a',
        topicResults: [
          { name: 't', resultsByPartition: [{ partitionIndex: 0, partitionErrorCode: ErrorCode.NONE }] },
        ],
      },
      {
        transactionalId: 'b',
        topicResults: [
          {
            name: 't',
            resultsByPartition: [{ partitionIndex: 1, partitionErrorCode: ErrorCode.TRANSACTION_ABORTABLE }],
          },
        ],
      },
    ]);
  });

  it('transactional offsets stay pending until the commit, and vanish on abort', async () => {
    await harness();
    const p = await initProducer(h, 'tx');
    const txnCommit = (version: number, offset: bigint) =>
      h.call<TxnOffsetCommitResponse>(API.TxnOffsetCommit, version, {
        transactionalId: 'tx',
        groupId: 'g',
        producerId: p.producerId,
        producerEpoch: p.epoch,
        generationId: -1,
        memberId: '',
        groupInstanceId: null,
        topics: [
          {
            name: 't',
            partitions: [
              {
                partitionIndex: 0,
                committedOffset: offset,
                committedLeaderEpoch: -1,
                committedMetadata: 'm',
              },
            ],
          },
        ],
      });
    const fetched = async (requireStable: boolean) => {
      const res = await h.call<OffsetFetchResponse>(API.OffsetFetch, 7, {
        groupId: 'g',
        topics: [{ name: 't', partitionIndexes: [0] }],
        groups: [],
        requireStable,
      });
      const part = res.topics![0]!.partitions[0]!;
      return [part.committedOffset, part.errorCode];
    };
    // Without AddOffsetsToTxn the group is not in the transaction.
    expect((await txnCommit(3, 5n)).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.INVALID_TXN_STATE);
    expect((await txnCommit(4, 5n)).topics[0]!.partitions[0]!.errorCode).toBe(
      ErrorCode.TRANSACTION_ABORTABLE,
    );

    expect(
      (
        await h.call<EndTxnResponse>(API.AddOffsetsToTxn, 3, {
          transactionalId: 'tx',
          producerId: p.producerId,
          producerEpoch: p.epoch,
          groupId: 'g',
        })
      ).errorCode,
    ).toBe(ErrorCode.NONE);
    expect((await txnCommit(3, 5n)).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
    expect(await fetched(false)).toEqual([-1n, ErrorCode.NONE]);
    expect(await fetched(true)).toEqual([-1n, ErrorCode.UNSTABLE_OFFSET_COMMIT]);
    expect(await endTxn(h, p, true)).toBe(ErrorCode.NONE);
    expect(await fetched(true)).toEqual([5n, ErrorCode.NONE]);

    await h.call(API.AddOffsetsToTxn, 3, {
      transactionalId: 'tx',
      producerId: p.producerId,
      producerEpoch: p.epoch,
      groupId: 'g',
    });
    await txnCommit(3, 9n);
    expect(await endTxn(h, p, false)).toBe(ErrorCode.NONE);
    expect(await fetched(true)).toEqual([5n, ErrorCode.NONE]);
  });

  it('describes producers, lists and describes transactions', async () => {
    await harness();
    const p = await initProducer(h, 'tx');
    await addPartitions(h, p, [1]);
    await produce(h, p, 1, 2);
    const producers = await h.call<DescribeProducersResponse>(API.DescribeProducers, 0, {
      topics: [
        { name: 't', partitionIndexes: [1] },
        { name: 'nope', partitionIndexes: [0] },
      ],
    });
    expect(producers.topics[0]!.partitions[0]!.activeProducers).toEqual([
      expect.objectContaining({
        producerId: p.producerId,
        producerEpoch: 0,
        lastSequence: 1,
        currentTxnStartOffset: 0n,
      }),
    ]);
    expect(producers.topics[1]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const listed = await h.call<ListTransactionsResponse>(API.ListTransactions, 1, {
      stateFilters: ['Ongoing'],
      producerIdFilters: [],
      durationFilter: -1n,
    });
    expect(listed.transactionStates).toEqual([
      { transactionalId: 'tx', producerId: p.producerId, transactionState: 'Ongoing' },
    ]);
    const described = await h.call<DescribeTransactionsResponse>(API.DescribeTransactions, 0, {
      transactionalIds: ['tx', 'none'],
    });
    expect(described.transactionStates[0]).toMatchObject({
      transactionState: 'Ongoing',
      topics: [{ topic: 't', partitions: [1] }],
    });
    expect(described.transactionStates[1]!.errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
  });

  it('WriteTxnMarkers ends a hanging transaction on a partition (kafka-transactions.sh abort)', async () => {
    await harness();
    const p = await initProducer(h, 'tx');
    await addPartitions(h, p, [0]);
    await produce(h, p, 0, 2);
    expect(await latest(h, 1)).toBe(0n);
    const res = await h.call<WriteTxnMarkersResponse>(API.WriteTxnMarkers, 1, {
      markers: [
        {
          producerId: p.producerId,
          producerEpoch: p.epoch,
          transactionResult: false,
          topics: [
            { name: 't', partitionIndexes: [0] },
            { name: 'missing', partitionIndexes: [0] },
          ],
          coordinatorEpoch: 0,
        },
      ],
    });
    expect(res.markers[0]!.topics).toEqual([
      { name: 't', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.NONE }] },
      {
        name: 'missing',
        partitions: [{ partitionIndex: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }],
      },
    ]);
    expect(await latest(h, 1)).toBe(3n);
    expect((await fetch(h, 0, 1)).abortedTransactions).toEqual([
      { producerId: p.producerId, firstOffset: 0n },
    ]);
  });
});

describe('transaction metrics', () => {
  it('counts the transactional ids per state', async () => {
    await harness();
    const registry = new Registry();
    registerStateGauges(registry, h.services, silentLogger);
    const states = async () =>
      Object.fromEntries(
        (await registry.getSingleMetric('kafka_gateway_transactions')!.get()).values.map((v) => [
          v.labels.state,
          v.value,
        ]),
      );
    const p = await initProducer(h, 'tx-metrics');
    expect(await states()).toEqual({ Empty: 1 });
    expect(await addPartitions(h, p, [0])).toEqual([['t', 0, ErrorCode.NONE]]);
    expect(await states()).toEqual({ Ongoing: 1 });
    expect(await endTxn(h, p, true)).toBe(ErrorCode.NONE);
    expect(await states()).toEqual({ CompleteCommit: 1 });
  });
});

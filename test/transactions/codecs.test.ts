import { describe, expect, it } from 'vitest';
import { RecordBatch, validateBatches } from '../../src/protocol/records/batch.js';
import { buildMarkerBatch, markerTypeOf } from '../../src/protocol/records/control.js';
import { decodePartition, encodePartition } from '../../src/transactions/partition-codec.js';
import { decodeTxn, encodeTxn } from '../../src/transactions/txn-codec.js';
import { offsetsPartitionFor } from '../../src/transactions/offsets-topic.js';
import { txn } from './harness.js';

describe('transaction markers', () => {
  it('are control batches in Kafka control record format', () => {
    const bytes = buildMarkerBatch({
      producerId: 42n,
      producerEpoch: 3,
      type: 'commit',
      coordinatorEpoch: 5,
      timestampMs: 1234n,
    });
    expect(() => validateBatches(bytes)).toThrow(/control/);
    const [batch] = validateBatches(bytes, { fromClient: false });
    expect(batch).toMatchObject({
      isControl: true,
      isTransactional: true,
      producerId: 42n,
      producerEpoch: 3,
      baseSequence: -1,
    });
    const [record] = batch!.records();
    // key: version 0, type 1 (COMMIT); value: version 0, coordinator epoch 5
    expect(record!.key).toEqual(Buffer.from([0, 0, 0, 1]));
    expect(record!.value).toEqual(Buffer.from([0, 0, 0, 0, 0, 5]));
    expect(record!.timestamp).toBe(1234n);
    expect(markerTypeOf(batch!)).toBe('commit');
    const abort = new RecordBatch(
      buildMarkerBatch({
        producerId: 1n,
        producerEpoch: 0,
        type: 'abort',
        coordinatorEpoch: 0,
        timestampMs: 0n,
      }),
    );
    expect(markerTypeOf(abort)).toBe('abort');
  });
});

describe('persisted transaction state', () => {
  it('round-trips a transactional id', () => {
    const m = txn({
      transactionalId: 'x',
      producerId: 9_007_199_254_740_993n,
      state: 'PrepareCommit',
      partitions: [{ topic: 't', partition: 2 }],
      groups: ['g'],
      txnStartTimestamp: 5,
    });
    expect(decodeTxn('x', encodeTxn(m))).toEqual(m);
    expect(() => decodeTxn('x', Buffer.from('{"version":1,"state":"Nope"}'))).toThrow(/state/);
  });

  it('round-trips a partition index', () => {
    const stored = {
      topic: 't',
      topicId: 'abc',
      partition: 3,
      snapshot: {
        nextOffset: 10n,
        ongoing: [{ producerId: 1n, producerEpoch: 2, firstOffset: 7n }],
        aborted: [{ producerId: 3n, firstOffset: 1n, lastOffset: 4n }],
      },
    };
    expect(decodePartition(encodePartition(stored))).toEqual(stored);
  });

  it("places groups in __consumer_offsets partitions as Kafka's default 50 partitions do", () => {
    // Hash codes computed with Java (jshell): "my-group" -1906497762; "polygenelubricants" is
    // Integer.MIN_VALUE, which Kafka's Utils.abs maps to 0.
    expect(offsetsPartitionFor('my-group')).toBe(1906497762 % 50);
    expect(offsetsPartitionFor('Aa')).toBe(2112 % 50);
    expect(offsetsPartitionFor('polygenelubricants')).toBe(0);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import type { OffsetFetchResponse, TxnOffsetCommitResponse } from '../../src/protocol/generated/index.js';
import { MemoryStorage } from '../../src/storage/memory/memory-storage.js';
import { encodeTxn, TRANSACTIONS_NAMESPACE } from '../../src/transactions/txn-codec.js';
import { createHarness, type Harness } from '../server/support/harness.js';
import { addPartitions, API, endTxn, fetch, initProducer, latest, produce, shape } from './client.js';

// A gateway that starts over a store another gateway wrote (a restart, or a second gateway on one
// SeaweedMQ namespace) rebuilds what read_committed needs from the store alone: the saved
// partition indexes and the log after them, the transaction states, the pending offsets.

const running: Harness[] = [];
afterEach(async () => {
  for (const h of running.splice(0)) {
    await h.services.transactions.close();
    await h.services.groups.close();
  }
});

async function gateway(storage: MemoryStorage): Promise<Harness> {
  const h = createHarness({}, storage);
  running.push(h);
  await h.services.groups.load();
  await h.services.transactions.load();
  return h;
}

describe('transactions over a store another gateway wrote', () => {
  it('rebuilds the last stable offset and the aborted index, and finishes the open transaction', async () => {
    const storage = new MemoryStorage({ logger: silentLogger });
    await storage.createTopic({ name: 't', partitions: 2, configs: {} });
    const a = await gateway(storage);
    const p = await initProducer(a, 'tx');
    await addPartitions(a, p, [0]);
    await produce(a, p, 0, 2);
    await endTxn(a, p, false);
    await addPartitions(a, p, [0]);
    await produce(a, p, 0, 1);
    await endTxn(a, p, true);
    // Saved indexes stop here; what follows is only in the log.
    await a.services.transactions.partitions.saveSnapshots();
    await addPartitions(a, p, [0]);
    await produce(a, p, 0, 3);

    const b = await gateway(storage);
    const read = await fetch(b, 0, 1);
    expect(read.lastStableOffset).toBe(5n);
    expect(shape(read)).toEqual([
      [0n, 2, p.producerId],
      [2n, 'abort', p.producerId],
      [3n, 1, p.producerId],
      [4n, 'commit', p.producerId],
    ]);
    expect(read.abortedTransactions).toEqual([{ producerId: p.producerId, firstOffset: 0n }]);
    expect(await latest(b, 1)).toBe(5n);
    // The restarted coordinator still knows the open transaction: the producer commits it there.
    expect(await endTxn(b, p, true)).toBe(ErrorCode.NONE);
    expect(await latest(b, 1)).toBe(9n);
  });

  it('completes a transaction found prepared (the gateway stopped after deciding it)', async () => {
    const storage = new MemoryStorage({ logger: silentLogger });
    await storage.createTopic({ name: 't', partitions: 2, configs: {} });
    const a = await gateway(storage);
    const p = await initProducer(a, 'tx');
    await addPartitions(a, p, [0, 1]);
    await produce(a, p, 0, 1);
    await produce(a, p, 1, 1);
    const m = a.services.transactions.coordinator.metadata('tx')!;
    await a.services.transactions.close();
    await storage.kvPut(TRANSACTIONS_NAMESPACE, 'tx', encodeTxn({ ...m, state: 'PrepareCommit' }));

    const b = await gateway(storage);
    await expect.poll(() => b.services.transactions.coordinator.metadata('tx')?.state).toBe('CompleteCommit');
    expect(shape(await fetch(b, 1, 1))).toEqual([
      [0n, 1, p.producerId],
      [1n, 'commit', p.producerId],
    ]);
  });

  it('keeps transactional offsets pending across the restart until the transaction commits', async () => {
    const storage = new MemoryStorage({ logger: silentLogger });
    await storage.createTopic({ name: 't', partitions: 1, configs: {} });
    const a = await gateway(storage);
    const p = await initProducer(a, 'tx');
    await a.call(API.AddOffsetsToTxn, 3, {
      transactionalId: 'tx',
      producerId: p.producerId,
      producerEpoch: 0,
      groupId: 'g',
    });
    const res = await a.call<TxnOffsetCommitResponse>(API.TxnOffsetCommit, 3, {
      transactionalId: 'tx',
      groupId: 'g',
      producerId: p.producerId,
      producerEpoch: 0,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [
        {
          name: 't',
          partitions: [
            { partitionIndex: 0, committedOffset: 42n, committedLeaderEpoch: -1, committedMetadata: null },
          ],
        },
      ],
    });
    expect(res.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);

    const b = await gateway(storage);
    const offset = async () => {
      const r = await b.call<OffsetFetchResponse>(API.OffsetFetch, 7, {
        groupId: 'g',
        topics: [{ name: 't', partitionIndexes: [0] }],
        groups: [],
        requireStable: true,
      });
      const part = r.topics![0]!.partitions[0]!;
      return [part.committedOffset, part.errorCode];
    };
    expect(await offset()).toEqual([-1n, ErrorCode.UNSTABLE_OFFSET_COMMIT]);
    expect(await endTxn(b, p, true)).toBe(ErrorCode.NONE);
    expect(await offset()).toEqual([42n, ErrorCode.NONE]);
  });
});

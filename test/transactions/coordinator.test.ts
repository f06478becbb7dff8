import { beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { KafkaError } from '../../src/protocol/error-codes.js';
import { setup, settle, T0, T1, txn, U0, type Setup } from './harness.js';

const ID = 'app-1';

async function init(s: Setup, id = ID, timeoutMs = 60_000) {
  const r = await s.coordinator.initProducerId(id, timeoutMs, undefined);
  expect(r.errorCode).toBe(ErrorCode.NONE);
  return r;
}

describe('transaction coordinator: InitProducerId', () => {
  let s: Setup;
  beforeEach(async () => {
    s = setup();
    await s.coordinator.load();
  });

  it('gives a new transactional id a fresh producer id at epoch 0 and persists it Empty', async () => {
    const r = await init(s);
    expect(r).toEqual({ errorCode: ErrorCode.NONE, producerId: 1000n, producerEpoch: 0 });
    expect(s.stored(ID)).toMatchObject({
      producerId: 1000n,
      producerEpoch: 0,
      state: 'Empty',
      lastProducerEpoch: -1,
    });
  });

  it('bumps the epoch of a known id, keeping its producer id', async () => {
    await init(s);
    const again = await init(s);
    expect(again).toEqual({ errorCode: ErrorCode.NONE, producerId: 1000n, producerEpoch: 1 });
    expect(s.stored(ID)?.producerEpoch).toBe(1);
  });

  it('refuses an empty transactional id and timeouts outside (0, transaction.max.timeout.ms]', async () => {
    expect((await s.coordinator.initProducerId('', 1000, undefined)).errorCode).toBe(
      ErrorCode.INVALID_REQUEST,
    );
    expect((await s.coordinator.initProducerId(ID, 0, undefined)).errorCode).toBe(
      ErrorCode.INVALID_TRANSACTION_TIMEOUT,
    );
    const tooLong = await s.coordinator.initProducerId(ID, 900_001, undefined);
    expect(tooLong).toEqual({
      errorCode: ErrorCode.INVALID_TRANSACTION_TIMEOUT,
      producerId: -1n,
      producerEpoch: -1,
    });
    expect((await s.coordinator.initProducerId(ID, 900_000, undefined)).errorCode).toBe(ErrorCode.NONE);
  });

  it('KIP-360: a producer holding the current epoch gets the next one, and a retry of that bump the same', async () => {
    const first = await init(s);
    const expected = { producerId: first.producerId, producerEpoch: first.producerEpoch };
    const bumped = await s.coordinator.initProducerId(ID, 60_000, expected);
    expect(bumped).toEqual({ errorCode: ErrorCode.NONE, producerId: first.producerId, producerEpoch: 1 });
    expect(s.stored(ID)?.lastProducerEpoch).toBe(0);
    // The response was lost: the producer asks again with the epoch it still holds.
    const retry = await s.coordinator.initProducerId(ID, 60_000, expected);
    expect(retry).toEqual({ errorCode: ErrorCode.NONE, producerId: first.producerId, producerEpoch: 1 });
  });

  it('KIP-360: fences a producer whose id or epoch is not (or no longer) the current one', async () => {
    const first = await init(s);
    await init(s); // another producer instance took the id: epoch 1, last epoch -1
    const stale = await s.coordinator.initProducerId(ID, 60_000, {
      producerId: first.producerId,
      producerEpoch: 0,
    });
    expect(stale.errorCode).toBe(ErrorCode.PRODUCER_FENCED);
    const wrongId = await s.coordinator.initProducerId(ID, 60_000, { producerId: 7n, producerEpoch: 1 });
    expect(wrongId.errorCode).toBe(ErrorCode.PRODUCER_FENCED);
  });

  it('rotates to a new producer id when the epoch is exhausted', async () => {
    s = setup();
    s.preload(txn({ transactionalId: ID, producerId: 500n, producerEpoch: 32766 }));
    await s.coordinator.load();
    const r = await init(s);
    expect(r).toEqual({ errorCode: ErrorCode.NONE, producerId: 1000n, producerEpoch: 0 });
    expect(s.stored(ID)).toMatchObject({ producerId: 1000n, lastProducerId: 500n, producerEpoch: 0 });
  });

  it('aborts the open transaction with a bumped epoch and answers CONCURRENT_TRANSACTIONS, then hands out a newer epoch', async () => {
    const p = await init(s);
    expect(await s.coordinator.addPartitions(ID, p.producerId, 0, [T0])).toBe(ErrorCode.NONE);
    const fenced = await s.coordinator.initProducerId(ID, 60_000, undefined);
    expect(fenced.errorCode).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
    expect(s.markers.jobs).toEqual([
      expect.objectContaining({
        producerId: p.producerId,
        producerEpoch: 1,
        result: 'abort',
        partitions: [T0],
      }),
    ]);
    expect(s.stored(ID)).toMatchObject({ state: 'CompleteAbort', producerEpoch: 1, partitions: [] });
    // The zombie still holds epoch 0.
    expect(await s.coordinator.endTxn(ID, p.producerId, 0, true)).toBe(ErrorCode.PRODUCER_FENCED);
    const retried = await init(s);
    expect(retried.producerEpoch).toBe(2);
  });

  it('answers CONCURRENT_TRANSACTIONS while a transition is being written', async () => {
    await init(s);
    const release = s.store.hold('kvPut');
    const pending = s.coordinator.initProducerId(ID, 60_000, undefined);
    await settle();
    expect((await s.coordinator.initProducerId(ID, 60_000, undefined)).errorCode).toBe(
      ErrorCode.CONCURRENT_TRANSACTIONS,
    );
    release();
    expect((await pending).producerEpoch).toBe(1);
  });
});

describe('transaction coordinator: adding partitions and offsets', () => {
  let s: Setup;
  beforeEach(async () => {
    s = setup();
    await s.coordinator.load();
  });

  it('starts the transaction: Ongoing, start time now, partitions tracked before the state is written', async () => {
    const p = await init(s);
    s.time.advance(50);
    expect(await s.coordinator.addPartitions(ID, p.producerId, 0, [T1, T0])).toBe(ErrorCode.NONE);
    expect(s.stored(ID)).toMatchObject({
      state: 'Ongoing',
      partitions: [T0, T1],
      txnStartTimestamp: 1_000_050,
    });
    expect(s.tracker.tracked).toEqual([T1, T0]);
    s.time.advance(50);
    expect(await s.coordinator.addOffsets(ID, p.producerId, 0, 'group-a')).toBe(ErrorCode.NONE);
    expect(await s.coordinator.addPartitions(ID, p.producerId, 0, [U0, T0])).toBe(ErrorCode.NONE);
    // Start time stays; only the new partition is tracked.
    expect(s.stored(ID)).toMatchObject({
      partitions: [T0, T1, U0],
      groups: ['group-a'],
      txnStartTimestamp: 1_000_050,
    });
    expect(s.tracker.tracked).toEqual([T1, T0, U0]);
  });

  it('does not write again when every partition is already in the transaction', async () => {
    const p = await init(s);
    await s.coordinator.addPartitions(ID, p.producerId, 0, [T0]);
    const writes = s.store.calls.filter((c) => c === 'kvPut').length;
    expect(await s.coordinator.addPartitions(ID, p.producerId, 0, [T0])).toBe(ErrorCode.NONE);
    expect(s.store.calls.filter((c) => c === 'kvPut').length).toBe(writes);
  });

  it('refuses unknown ids, other producer ids and other epochs', async () => {
    expect(await s.coordinator.addPartitions('nobody', 1n, 0, [T0])).toBe(
      ErrorCode.INVALID_PRODUCER_ID_MAPPING,
    );
    const p = await init(s);
    expect(await s.coordinator.addPartitions(ID, p.producerId + 1n, 0, [T0])).toBe(
      ErrorCode.INVALID_PRODUCER_ID_MAPPING,
    );
    expect(await s.coordinator.addPartitions(ID, p.producerId, 3, [T0])).toBe(ErrorCode.PRODUCER_FENCED);
    expect(await s.coordinator.addOffsets(ID, p.producerId, 3, 'g')).toBe(ErrorCode.PRODUCER_FENCED);
    expect(await s.coordinator.addPartitions('', p.producerId, 0, [T0])).toBe(ErrorCode.INVALID_REQUEST);
  });

  it('translates a failed write as Kafka does and leaves the state as it was', async () => {
    const p = await init(s);
    s.store.failNext('kvPut', new KafkaError(ErrorCode.REQUEST_TIMED_OUT, 'slow'));
    expect(await s.coordinator.addPartitions(ID, p.producerId, 0, [T0])).toBe(
      ErrorCode.COORDINATOR_NOT_AVAILABLE,
    );
    expect(s.coordinator.metadata(ID)?.state).toBe('Empty');
    s.store.failNext('kvPut', new Error('filer is down'));
    expect(await s.coordinator.addPartitions(ID, p.producerId, 0, [T0])).toBe(ErrorCode.NOT_COORDINATOR);
    expect(await s.coordinator.addPartitions(ID, p.producerId, 0, [T0])).toBe(ErrorCode.NONE);
  });

  it('verifies partitions and groups of the open transaction (KIP-890)', async () => {
    const p = await init(s);
    await s.coordinator.addPartitions(ID, p.producerId, 0, [T0]);
    await s.coordinator.addOffsets(ID, p.producerId, 0, 'g');
    expect(await s.coordinator.verify(ID, p.producerId, 0, [T0, T1])).toEqual({
      results: [ErrorCode.NONE, ErrorCode.TRANSACTION_ABORTABLE],
    });
    expect(await s.coordinator.verify(ID, p.producerId, 1, [T0])).toEqual({
      errorCode: ErrorCode.PRODUCER_FENCED,
    });
    expect(await s.coordinator.verify('other', p.producerId, 0, [T0])).toEqual({
      errorCode: ErrorCode.INVALID_PRODUCER_ID_MAPPING,
    });
    expect(await s.coordinator.verifyGroup(ID, p.producerId, 0, 'g')).toBe(ErrorCode.NONE);
    expect(await s.coordinator.verifyGroup(ID, p.producerId, 0, 'h')).toBe(ErrorCode.TRANSACTION_ABORTABLE);
  });
});

describe('transaction coordinator: ending transactions', () => {
  let s: Setup;
  beforeEach(async () => {
    s = setup();
    await s.coordinator.load();
  });

  it('commit: writes PrepareCommit, the markers, then CompleteCommit, and answers once they are written', async () => {
    const p = await init(s);
    await s.coordinator.addPartitions(ID, p.producerId, 0, [T0, U0]);
    await s.coordinator.addOffsets(ID, p.producerId, 0, 'g');
    const states: string[] = [];
    const put = s.store.kvPut.bind(s.store);
    s.store.kvPut = async (ns, key, value) => {
      states.push((JSON.parse(value.toString()) as { state: string }).state);
      return put(ns, key, value);
    };
    expect(await s.coordinator.endTxn(ID, p.producerId, 0, true)).toBe(ErrorCode.NONE);
    expect(states).toEqual(['PrepareCommit', 'CompleteCommit']);
    expect(s.markers.jobs).toEqual([
      {
        transactionalId: ID,
        producerId: p.producerId,
        producerEpoch: 0,
        result: 'commit',
        partitions: [T0, U0],
        groups: ['g'],
      },
    ]);
    expect(s.stored(ID)).toMatchObject({ state: 'CompleteCommit', partitions: [], groups: [] });
  });

  it('answers a repeated EndTxn as Kafka does in each state', async () => {
    const p = await init(s);
    expect(await s.coordinator.endTxn(ID, p.producerId, 0, true)).toBe(ErrorCode.INVALID_TXN_STATE); // Empty
    await s.coordinator.addPartitions(ID, p.producerId, 0, [T0]);
    expect(await s.coordinator.endTxn(ID, p.producerId, 0, false)).toBe(ErrorCode.NONE);
    expect(await s.coordinator.endTxn(ID, p.producerId, 0, false)).toBe(ErrorCode.NONE); // CompleteAbort, abort again
    expect(await s.coordinator.endTxn(ID, p.producerId, 0, true)).toBe(ErrorCode.INVALID_TXN_STATE);
    expect(await s.coordinator.endTxn(ID, p.producerId + 1n, 0, true)).toBe(
      ErrorCode.INVALID_PRODUCER_ID_MAPPING,
    );
    expect(await s.coordinator.endTxn(ID, p.producerId, 1, false)).toBe(ErrorCode.PRODUCER_FENCED);
    expect(await s.coordinator.endTxn('nobody', p.producerId, 0, false)).toBe(
      ErrorCode.INVALID_PRODUCER_ID_MAPPING,
    );
  });

  it('retries markers that failed; meanwhile requests get CONCURRENT_TRANSACTIONS', async () => {
    const p = await init(s);
    await s.coordinator.addPartitions(ID, p.producerId, 0, [T0, T1]);
    s.markers.failing.add('orders:1');
    // The decision is written, so the client is told NONE although markers are still being written.
    expect(await s.coordinator.endTxn(ID, p.producerId, 0, true)).toBe(ErrorCode.NONE);
    expect(s.stored(ID)?.state).toBe('PrepareCommit');
    expect(await s.coordinator.addPartitions(ID, p.producerId, 0, [T0])).toBe(
      ErrorCode.CONCURRENT_TRANSACTIONS,
    );
    expect((await s.coordinator.initProducerId(ID, 60_000, undefined)).errorCode).toBe(
      ErrorCode.CONCURRENT_TRANSACTIONS,
    );
    expect(await s.coordinator.endTxn(ID, p.producerId, 0, true)).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
    s.time.advance(100);
    await settle();
    expect(s.markers.jobs.map((j) => j.partitions)).toEqual([[T0, T1], [T1]]);
    s.markers.failing.clear();
    s.time.advance(200);
    await settle();
    expect(s.markers.jobs.map((j) => j.partitions)).toEqual([[T0, T1], [T1], [T1]]);
    expect(s.stored(ID)?.state).toBe('CompleteCommit');
    expect(await s.coordinator.addPartitions(ID, p.producerId, 0, [T0])).toBe(ErrorCode.NONE);
  });

  it('retries writing the completed state until the store takes it', async () => {
    const p = await init(s);
    await s.coordinator.addPartitions(ID, p.producerId, 0, [T0]);
    const put = s.store.kvPut.bind(s.store);
    let failures = 2;
    s.store.kvPut = async (ns, key, value) => {
      if (value.toString().includes('CompleteAbort') && failures-- > 0) throw new Error('filer hiccup');
      return put(ns, key, value);
    };
    expect(await s.coordinator.endTxn(ID, p.producerId, 0, false)).toBe(ErrorCode.NONE);
    expect(s.coordinator.metadata(ID)?.state).toBe('PrepareAbort');
    s.time.advance(100);
    await settle();
    s.time.advance(200);
    await settle();
    expect(s.stored(ID)?.state).toBe('CompleteAbort');
    expect(s.markers.jobs).toHaveLength(1);
  });
});

describe('transaction coordinator: timeouts', () => {
  it('aborts a transaction open past transaction.timeout.ms with a bumped epoch, fencing its producer', async () => {
    const s = setup({ abortTimedOutIntervalMs: 1000 });
    await s.coordinator.load();
    const p = await init(s, ID, 5000);
    await s.coordinator.addPartitions(ID, p.producerId, 0, [T0]);
    s.time.advance(5000);
    await settle();
    expect(s.markers.jobs).toEqual([]); // not past the timeout yet (start + timeout < now is required)
    s.time.advance(1000);
    await settle();
    expect(s.markers.jobs).toEqual([
      expect.objectContaining({ result: 'abort', producerEpoch: 1, partitions: [T0] }),
    ]);
    expect(s.stored(ID)).toMatchObject({ state: 'CompleteAbort', producerEpoch: 1 });
    expect(await s.coordinator.addPartitions(ID, p.producerId, 0, [T0])).toBe(ErrorCode.PRODUCER_FENCED);
    expect(await s.coordinator.endTxn(ID, p.producerId, 0, true)).toBe(ErrorCode.PRODUCER_FENCED);
  });

  it('a fence whose write failed is retried with the same epoch, which was never handed out', async () => {
    const s = setup({ abortTimedOutIntervalMs: 1000 });
    await s.coordinator.load();
    const p = await init(s, ID, 1000);
    await s.coordinator.addPartitions(ID, p.producerId, 0, [T0]);
    s.store.failNext('kvPut', new Error('down'));
    s.time.advance(2000);
    await settle();
    expect(s.coordinator.metadata(ID)).toMatchObject({ state: 'Ongoing', producerEpoch: 1 });
    expect(s.stored(ID)).toMatchObject({ state: 'Ongoing', producerEpoch: 0 });
    s.time.advance(1000);
    await settle();
    expect(s.stored(ID)).toMatchObject({ state: 'CompleteAbort', producerEpoch: 1 });
  });

  it('expires transactional ids idle past transactional.id.expiration.ms', async () => {
    const s = setup({
      transactionalIdExpirationMs: 10_000,
      removeExpiredIntervalMs: 5000,
      abortTimedOutIntervalMs: 100_000,
    });
    await s.coordinator.load();
    await init(s);
    await init(s, 'busy');
    const busy = s.coordinator.metadata('busy')!;
    s.time.advance(5000);
    await settle();
    await s.coordinator.addPartitions('busy', busy.producerId, busy.producerEpoch, [T0]);
    s.time.advance(5000);
    await settle();
    expect(s.stored(ID)).toBeUndefined();
    expect(s.coordinator.describe(ID).errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
    expect(s.coordinator.describe('busy')).toMatchObject({
      errorCode: ErrorCode.NONE,
      transactionState: 'Ongoing',
    });
  });
});

describe('transaction coordinator: loading', () => {
  it('completes transactions found prepared and keeps open ones open', async () => {
    const s = setup();
    s.preload(
      txn({
        transactionalId: 'a',
        state: 'PrepareCommit',
        partitions: [T0],
        groups: ['g'],
        txnStartTimestamp: 999_000,
      }),
    );
    s.preload(
      txn({
        transactionalId: 'b',
        producerId: 501n,
        state: 'Ongoing',
        partitions: [T1],
        txnStartTimestamp: 999_000,
      }),
    );
    s.store.kv.get('transactions')!.set('broken', Buffer.from('{not json'));
    await s.coordinator.load();
    await settle();
    expect(s.markers.jobs).toEqual([
      expect.objectContaining({ transactionalId: 'a', result: 'commit', partitions: [T0], groups: ['g'] }),
    ]);
    expect(s.stored('a')?.state).toBe('CompleteCommit');
    expect(s.coordinator.metadata('b')?.state).toBe('Ongoing');
    expect(s.coordinator.describe('broken').errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
  });

  it('answers COORDINATOR_LOAD_IN_PROGRESS until the store answers, then serves', async () => {
    const s = setup();
    s.store.failNext('kvList', new Error('not up'));
    const { loaded } = await s.coordinator.loadInBackground();
    expect((await s.coordinator.initProducerId(ID, 1000, undefined)).errorCode).toBe(
      ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
    );
    expect(s.coordinator.list({ states: [], producerIds: [], durationMs: -1n }).errorCode).toBe(
      ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
    );
    s.time.advance(250);
    await loaded;
    expect((await s.coordinator.initProducerId(ID, 1000, undefined)).errorCode).toBe(ErrorCode.NONE);
  });

  it('a gateway that does not coordinate answers NOT_COORDINATOR but verifies produce from the store', async () => {
    const s = setup({}, true);
    s.preload(
      txn({ transactionalId: ID, producerId: 77n, state: 'Ongoing', partitions: [T0], txnStartTimestamp: 1 }),
    );
    await s.coordinator.load();
    expect((await s.coordinator.initProducerId(ID, 1000, undefined)).errorCode).toBe(
      ErrorCode.NOT_COORDINATOR,
    );
    expect(await s.coordinator.endTxn(ID, 77n, 0, true)).toBe(ErrorCode.NOT_COORDINATOR);
    expect(await s.coordinator.verify(ID, 77n, 0, [T0, T1])).toEqual({
      results: [ErrorCode.NONE, ErrorCode.TRANSACTION_ABORTABLE],
    });
  });
});

describe('transaction coordinator: describe and list', () => {
  it('describes partitions and groups (as their __consumer_offsets partition) and filters lists', async () => {
    const s = setup();
    await s.coordinator.load();
    const a = await init(s, 'a');
    await init(s, 'b');
    await s.coordinator.addPartitions('a', a.producerId, 0, [T0, T1]);
    await s.coordinator.addOffsets('a', a.producerId, 0, 'my-group');
    const d = s.coordinator.describe('a');
    expect(d).toMatchObject({
      errorCode: ErrorCode.NONE,
      transactionState: 'Ongoing',
      producerId: a.producerId,
      transactionTimeoutMs: 60_000,
      transactionStartTimeMs: 1_000_000n,
    });
    // Kafka: abs("my-group".hashCode()) % 50.
    expect(d.topics).toEqual([
      { topic: 'orders', partitions: [0, 1] },
      { topic: '__consumer_offsets', partitions: [Math.abs(javaHash('my-group')) % 50] },
    ]);
    const all = s.coordinator.list({ states: [], producerIds: [], durationMs: -1n });
    expect(all.transactions.map((t) => t.transactionalId).sort()).toEqual(['a', 'b']);
    const ongoing = s.coordinator.list({ states: ['Ongoing', 'Bogus'], producerIds: [], durationMs: -1n });
    expect(ongoing).toMatchObject({
      unknownStateFilters: ['Bogus'],
      transactions: [{ transactionalId: 'a' }],
    });
    expect(
      s.coordinator.list({ states: [], producerIds: [a.producerId], durationMs: -1n }).transactions,
    ).toHaveLength(1);
    s.time.advance(5000);
    const longRunning = s.coordinator.list({ states: ['Ongoing'], producerIds: [], durationMs: 4000n });
    expect(longRunning.transactions).toHaveLength(1);
    expect(
      s.coordinator.list({ states: ['Ongoing'], producerIds: [], durationMs: 6000n }).transactions,
    ).toHaveLength(0);
  });
});

function javaHash(str: string): number {
  let h = 0;
  for (let i = 0; i < str.length; i++) h = (Math.imul(31, h) + str.charCodeAt(i)) | 0;
  return h;
}

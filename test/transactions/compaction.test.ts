import { afterEach, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import type { Harness } from '../server/support/harness.js';
import { createHarness } from '../server/support/harness.js';
import { addPartitions, fetch, initProducer, produce, shape } from './client.js';

// The log cleaner stops at the last stable offset, as Kafka's does: records of an open transaction
// (which may yet abort) must not displace the committed values of their keys.

let h: Harness;
afterEach(async () => {
  await h?.services.transactions.close();
  await h?.services.groups.close();
});

it('a compacted topic keeps the values an open transaction would replace', async () => {
  h = createHarness();
  await h.services.groups.load();
  await h.services.transactions.load();
  await h.createTopic('t', 1, { 'cleanup.policy': 'compact', 'min.cleanable.dirty.ratio': '0.01' });
  const plain = await initProducer(h, 'plain');
  // Keys k0, k1 at offsets 0-1, committed.
  expect(await produce(h, plain, 0, 2, false)).toMatchObject({ errorCode: ErrorCode.NONE });
  const txn = await initProducer(h, 'tx');
  expect(await addPartitions(h, txn, [0])).toEqual([['t', 0, ErrorCode.NONE]]);
  // k0, k1 again at 2-3 in the open transaction, then k0 at 4 outside it (the newest batch is never
  // cleaned, so the transaction's batch is cleanable but for the bound).
  expect(await produce(h, txn, 0, 2)).toMatchObject({ errorCode: ErrorCode.NONE });
  expect(await produce(h, plain, 0, 1, false)).toMatchObject({ errorCode: ErrorCode.NONE });

  await h.services.cleaner.runNow();
  // [base offset, records]: the committed k0, k1 are all still there.
  expect(shape(await fetch(h, 0, 0)).map(([offset, records]) => [offset, records])).toEqual([
    [0n, 2],
    [2n, 2],
    [4n, 1],
  ]);
});

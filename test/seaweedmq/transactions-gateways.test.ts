/**
 * Transactions across gateways on one SeaweedMQ namespace: the outcome lives in SeaweedMQ (markers
 * and transactional records in the envelope, indexes and states in the filer), so a second gateway,
 * or a gateway restarted over the namespace, answers read_committed as the writing one would.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { javaCreateTopic, javaHarness, type JavaHarness } from '../support/clients/java.js';
import { uniqueTopic } from '../support/clients/target.js';
import { javaReadValues, javaTxnProduce, valuesOf } from '../support/transactions/java-txn.js';
import { FAST_TXN_CONFIG } from '../support/transactions/target.js';
import { startSeaweedGateway, waitFor, type SeaweedGateway } from './support/gateway.js';
import { uniqueNamespace } from './support/storage.js';

const java = await javaHarness();
const SLOW = 240_000;
const sorted = (v: string[]): string[] => [...v].sort();

describe.skipIf(!java.ok)('transactions across gateways on one SeaweedMQ namespace', () => {
  const running: SeaweedGateway[] = [];
  const harness = (): JavaHarness => {
    if (!java.ok) throw new Error(java.reason);
    return java.client;
  };

  afterAll(async () => {
    for (const g of running.reverse()) await g.stop().catch(() => undefined);
  });

  it(
    'a second gateway, with the first coordinating, serves producers and read_committed readers alike',
    async () => {
      const namespace = uniqueNamespace('txn2');
      const a = await startSeaweedGateway({ namespace, config: { ...FAST_TXN_CONFIG, nodeId: 1 } });
      running.push(a);
      const b = await startSeaweedGateway({
        namespace,
        config: {
          ...FAST_TXN_CONFIG,
          nodeId: 2,
          groupCoordinator: { nodeId: 1, host: '127.0.0.1', port: a.port },
        },
      });
      running.push(b);
      const topic = uniqueTopic('txn-two');
      await javaCreateTopic(harness(), { bootstrap: a.bootstrap, topic, partitions: 3 });
      // Written through A (coordinator and partition leader).
      const viaA = await javaTxnProduce(harness(), {
        bootstrap: a.bootstrap,
        topic,
        partitions: 3,
        transactionalId: `${topic}-a`,
        plan: 'c3,a2,c2',
      });
      // Written through B: its produce requests are checked against A's transaction in the store.
      const viaB = await javaTxnProduce(harness(), {
        bootstrap: b.bootstrap,
        topic,
        partitions: 3,
        transactionalId: `${topic}-b`,
        plan: 'a2,c3',
      });
      const committed = sorted([...valuesOf(viaA, ['c']), ...valuesOf(viaB, ['c'])]);
      const everything = sorted([...valuesOf(viaA, ['c', 'a']), ...valuesOf(viaB, ['c', 'a'])]);
      for (const g of [a, b]) {
        const bootstrap = g.bootstrap;
        expect(
          sorted(await javaReadValues(harness(), { bootstrap, topic, isolation: 'read_committed' })),
        ).toEqual(committed);
        expect(
          sorted(await javaReadValues(harness(), { bootstrap, topic, isolation: 'read_uncommitted' })),
        ).toEqual(everything);
      }
    },
    SLOW,
  );

  it(
    'a restarted gateway stops read_committed at a transaction left open, then aborts it on its timeout',
    async () => {
      const namespace = uniqueNamespace('txnr');
      const first = await startSeaweedGateway({ namespace, config: FAST_TXN_CONFIG });
      running.push(first);
      const topic = uniqueTopic('txn-restart');
      await javaCreateTopic(harness(), { bootstrap: first.bootstrap, topic, partitions: 2 });
      const run = await javaTxnProduce(harness(), {
        bootstrap: first.bootstrap,
        topic,
        partitions: 2,
        transactionalId: `${topic}-tx`,
        plan: 'c3,a2,o2',
        timeoutMs: 4000,
      });
      await first.stop();
      running.splice(running.indexOf(first), 1);

      const second = await startSeaweedGateway({ namespace, config: FAST_TXN_CONFIG });
      running.push(second);
      const bootstrap = second.bootstrap;
      expect(
        sorted(await javaReadValues(harness(), { bootstrap, topic, isolation: 'read_committed' })),
      ).toEqual(sorted(valuesOf(run, ['c'])));
      // The open transaction came back with the coordinator's state and is aborted when it times out.
      await waitFor(
        'the open transaction aborted',
        () => second.services.transactions.coordinator.metadata(`${topic}-tx`)?.state === 'CompleteAbort',
        60_000,
      );
      expect(
        sorted(await javaReadValues(harness(), { bootstrap, topic, isolation: 'read_committed' })),
      ).toEqual(sorted(valuesOf(run, ['c'])));
      expect(
        sorted(await javaReadValues(harness(), { bootstrap, topic, isolation: 'read_uncommitted' })),
      ).toEqual(sorted(valuesOf(run, ['c', 'a', 'o'])));
    },
    SLOW,
  );
});

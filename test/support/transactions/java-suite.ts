import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Availability } from '../clients/availability.js';
import { javaCreateTopic, type JavaHarness } from '../clients/java.js';
import { uniqueTopic } from '../clients/target.js';
import type { StartTarget, TxnTarget } from './target.js';
import { javaReadValues, javaTxnProduce, javaTxnScenario, valuesOf } from './java-txn.js';

// The official Java client (kafka-clients 3.9 and 4.x) as a
// transactional producer: commits and aborts, what read_committed and read_uncommitted consumers
// see, zombie fencing and the coordinator aborting a transaction past its timeout.
// KAFKA_BOOTSTRAP=host:port runs the same checks against a real Kafka broker.

const PARTITIONS = 3;
const SLOW = 240_000;

const sorted = (values: string[]): string[] => [...values].sort();

/** The suite with one kafka-clients version (javaHarness(version) builds it). */
export function javaTransactionsSuite(
  store: string,
  start: StartTarget,
  java: Availability<JavaHarness>,
): void {
  const harness = (): JavaHarness => {
    if (!java.ok) throw new Error(java.reason);
    return java.client;
  };
  describe.skipIf(!java.ok)(
    `transactions with the Java client ${java.ok ? java.client.kafkaClientsVersion : ''} (${store})`,
    () => {
      let target: TxnTarget | undefined;
      let bootstrap: string;

      beforeAll(async () => {
        target = await start({});
        bootstrap = target.bootstrap;
      });

      afterAll(async () => {
        await target?.stop();
      });

      it(
        'read_committed sees exactly the committed transactions, read_uncommitted sees every record',
        async () => {
          const topic = uniqueTopic('txn-java');
          await javaCreateTopic(harness(), { bootstrap, topic, partitions: PARTITIONS });
          const run = await javaTxnProduce(harness(), {
            bootstrap,
            topic,
            partitions: PARTITIONS,
            transactionalId: `${topic}-tx`,
            plan: 'c4,a3,c5,a2,c3,o2',
          });
          expect(run.transactions.map((t) => t.outcome)).toEqual(['c', 'a', 'c', 'a', 'c', 'o']);
          const committed = await javaReadValues(harness(), {
            bootstrap,
            topic,
            isolation: 'read_committed',
          });
          expect(sorted(committed)).toEqual(sorted(valuesOf(run, ['c'])));
          const everything = await javaReadValues(harness(), {
            bootstrap,
            topic,
            isolation: 'read_uncommitted',
          });
          expect(sorted(everything)).toEqual(sorted(valuesOf(run, ['c', 'a', 'o'])));
        },
        SLOW,
      );

      it(
        'fences a zombie: a second producer with the same transactional id aborts its transaction',
        async () => {
          const topic = uniqueTopic('txn-java-fence');
          await javaCreateTopic(harness(), { bootstrap, topic, partitions: 1 });
          const result = await javaTxnScenario<{
            zombieSendError: string | null;
            zombieCommitError: string | null;
            committed: string[];
          }>(harness(), 'txn-fence', [
            '--bootstrap',
            bootstrap,
            '--topic',
            topic,
            '--transactional-id',
            `${topic}-tx`,
          ]);
          expect(result.zombieSendError ?? result.zombieCommitError).toMatch(
            /ProducerFenced|InvalidProducerEpoch/,
          );
          expect(result.zombieCommitError).not.toBeNull();
          expect(await javaReadValues(harness(), { bootstrap, topic, isolation: 'read_committed' })).toEqual(
            result.committed,
          );
          const all = await javaReadValues(harness(), { bootstrap, topic, isolation: 'read_uncommitted' });
          expect(all).toContain('zombie-0');
          expect(all.filter((v) => v.startsWith('fresh'))).toEqual(result.committed);
        },
        SLOW,
      );

      it(
        'aborts a transaction open past transaction.timeout.ms; its commit then fails',
        async () => {
          const topic = uniqueTopic('txn-java-timeout');
          await javaCreateTopic(harness(), { bootstrap, topic, partitions: 1 });
          const timeoutMs = 2000;
          // Kafka checks for timed-out transactions every 10 s by default.
          const waitMs = target?.services !== undefined ? 6000 : 15_000;
          const result = await javaTxnScenario<{ commitError: string | null }>(harness(), 'txn-timeout', [
            '--bootstrap',
            bootstrap,
            '--topic',
            topic,
            '--transactional-id',
            `${topic}-tx`,
            '--transaction-timeout-ms',
            String(timeoutMs),
            '--wait-ms',
            String(waitMs),
          ]);
          expect(result.commitError).not.toBeNull();
          expect(await javaReadValues(harness(), { bootstrap, topic, isolation: 'read_committed' })).toEqual(
            [],
          );
          expect(
            await javaReadValues(harness(), { bootstrap, topic, isolation: 'read_uncommitted' }),
          ).toEqual(['late-0']);
        },
        SLOW,
      );
    },
  );
}

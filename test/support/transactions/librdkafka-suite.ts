import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkResult, runProcess } from '../clients/process.js';
import { uniqueTopic } from '../clients/target.js';
import { type StartTarget, type TxnTarget } from './target.js';
import { pythonClient } from '../groups/other-clients.js';

// librdkafka's transactional producer and read_committed consumer through confluent-kafka-python:
// commits and aborts, and a consume-transform-produce loop that sends its offsets to the
// transaction, aborts one transaction and restarts from the committed offsets.

const python = await pythonClient();
const script = fileURLToPath(new URL('../../clients/python/txn_scenarios.py', import.meta.url));
const SLOW = 180_000;

async function run<T>(command: string, args: string[]): Promise<T> {
  if (!python.ok) throw new Error(python.reason);
  const result = await runProcess(python.client, [script, command, ...args], { timeoutMs: SLOW });
  return JSON.parse(checkResult(`txn_scenarios ${command}`, result).stdout.toString('utf8')) as T;
}

export function librdkafkaSuite(store: string, start: StartTarget): void {
  describe.skipIf(!python.ok)(`transactions with librdkafka (confluent-kafka-python) (${store})`, () => {
    let target: TxnTarget | undefined;
    let bootstrap: string;

    beforeAll(async () => {
      target = await start({});
      bootstrap = target.bootstrap;
    });

    afterAll(async () => {
      await target?.stop();
    });

    const createTopic = async (topic: string, partitions: number): Promise<void> => {
      if (!python.ok) throw new Error(python.reason);
      const code = `from confluent_kafka.admin import AdminClient, NewTopic
a = AdminClient({'bootstrap.servers': '${bootstrap}'})
[f.result() for f in a.create_topics([NewTopic('${topic}', ${partitions}, 1)]).values()]`;
      checkResult('create topic', await runProcess(python.client, ['-c', code], { timeoutMs: 60_000 }));
    };

    it(
      'read_committed sees the committed transactions only, read_uncommitted every record',
      async () => {
        const topic = uniqueTopic('txn-rdkafka');
        await createTopic(topic, 3);
        const produced = await run<{ transactions: { outcome: string; values: string[] }[] }>('produce', [
          '--bootstrap',
          bootstrap,
          '--topic',
          topic,
          '--partitions',
          '3',
          '--transactional-id',
          `${topic}-tx`,
          '--plan',
          'c4,a3,c5,a2',
        ]);
        const values = (outcomes: string[]) =>
          produced.transactions
            .filter((t) => outcomes.includes(t.outcome))
            .flatMap((t) => t.values)
            .sort();
        const read = async (isolation: string) =>
          (
            await run<{ values: string[] }>('consume', [
              '--bootstrap',
              bootstrap,
              '--topic',
              topic,
              '--isolation',
              isolation,
            ])
          ).values.sort();
        expect(await read('read_committed')).toEqual(values(['c']));
        expect(await read('read_uncommitted')).toEqual(values(['c', 'a']));
      },
      SLOW,
    );

    it(
      'consume-transform-produce with offsets in the transaction writes each input once, even after an abort',
      async () => {
        const input = uniqueTopic('txn-rdkafka-in');
        const output = uniqueTopic('txn-rdkafka-out');
        await createTopic(input, 3);
        await createTopic(output, 2);
        const count = 200;
        await run('produce', [
          '--bootstrap',
          bootstrap,
          '--topic',
          input,
          '--partitions',
          '3',
          '--transactional-id',
          `${input}-feed`,
          '--plan',
          `c${count}`,
        ]);
        const eos = await run<{ transactions: number; aborted: number }>('eos', [
          '--bootstrap',
          bootstrap,
          '--in',
          input,
          '--out',
          output,
          '--group',
          `${input}-g`,
          '--batch',
          '20',
          '--expect',
          String(count),
        ]);
        expect(eos.aborted).toBe(1);
        const out = (
          await run<{ values: string[] }>('consume', ['--bootstrap', bootstrap, '--topic', output])
        ).values;
        const expected = Array.from({ length: count }, (_, i) => `T0C-${i}`);
        expect([...out].sort()).toEqual([...expected].sort());
        // The aborted transaction's output is in the log, invisible to read_committed.
        const all = (
          await run<{ values: string[] }>('consume', [
            '--bootstrap',
            bootstrap,
            '--topic',
            output,
            '--isolation',
            'read_uncommitted',
          ])
        ).values;
        expect(all.length).toBeGreaterThan(count);
      },
      SLOW,
    );
  });
}

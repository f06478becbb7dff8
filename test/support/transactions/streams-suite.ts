import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { javaHarness } from '../clients/java.js';
import { javaReadRecords } from './java-txn.js';
import { uniqueTopic } from '../clients/target.js';
import { abortedTransactions, type StartTarget, type TxnTarget } from './target.js';
import type { LineProcess } from '../groups/line-process.js';
import { expectedCounts, lineOf, streamsApp } from './streams.js';

// Kafka Streams 3.9 WordCount with processing.guarantee=exactly_once_v2, two instances, one killed
// with SIGKILL while it processes. Its open transactions are aborted by the coordinator's timeout,
// the survivor takes its tasks over and rebuilds their state from the changelogs. Record caching is
// off, so each word occurrence yields one output update: read with read_committed, every word's
// counts must go 1, 2, ..., N exactly — a duplicate, a gap or a wrong final count means the
// exactly-once chain (transactions, offsets in transactions, fencing, read_committed) broke.

const app = await streamsApp();
const java = await javaHarness();
const LINES = 2000;
/** Input keeps arriving around the kill, so the killed instance has transactions open. */
const LINES_PER_TICK = 20;
const WAIT = 240_000;

export function streamsSuite(store: string, start: StartTarget): void {
  describe.skipIf(!app.ok || !java.ok)(`Kafka Streams exactly_once_v2 WordCount (${store})`, () => {
    let target: TxnTarget | undefined;
    let bootstrap: string;
    const running: LineProcess[] = [];
    const stateDir = mkdtempSync(path.join(tmpdir(), 'kgw-streams-'));

    beforeAll(async () => {
      target = await start({});
      bootstrap = target.bootstrap;
    });

    afterAll(async () => {
      for (const p of running) p.kill();
      await Promise.all(running.map((p) => p.exited));
      await target?.stop();
      rmSync(stateDir, { recursive: true, force: true });
    });

    it(
      'counts every word exactly once although an instance is killed mid-run',
      async () => {
        if (!app.ok || !java.ok) throw new Error('skipped');
        const input = uniqueTopic('wc-in');
        const output = uniqueTopic('wc-out');
        const appId = uniqueTopic('wc');
        const kafka = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING, clientId: 'wc-test' });
        const admin = kafka.admin();
        await admin.connect();
        await admin.createTopics({
          topics: [
            { topic: input, numPartitions: 3 },
            { topic: output, numPartitions: 3 },
          ],
        });
        await admin.disconnect();
        const producer = kafka.producer();
        await producer.connect();
        const send = (from: number, to: number) =>
          producer.send({
            topic: input,
            messages: Array.from({ length: to - from }, (_, k) => ({
              key: `line-${from + k}`,
              value: lineOf(from + k),
            })),
          });

        const start = (label: string): LineProcess => {
          const p = app.client.start({
            bootstrap,
            appId,
            input,
            output,
            stateDir: path.join(stateDir, label),
            label,
          });
          running.push(p);
          return p;
        };
        const a = start('instance-a');
        const b = start('instance-b');
        const runningState = (p: LineProcess) => p.waitFor('RUNNING', (e) => e.state === 'RUNNING', WAIT);
        await Promise.all([runningState(a), runningState(b)]);

        let sent = 0;
        const feeding = (async () => {
          while (sent < LINES) {
            await send(sent, sent + LINES_PER_TICK);
            sent += LINES_PER_TICK;
            await new Promise((r) => setTimeout(r, 100));
          }
        })();
        const readOutput = async (): Promise<Map<string, number[]>> => {
          const records = await javaReadRecords(java.client, {
            bootstrap,
            topic: output,
            isolation: 'read_committed',
          });
          const counts = new Map<string, number[]>();
          for (const r of records) {
            const word = r.key!.toString('utf8');
            counts.set(word, [...(counts.get(word) ?? []), Number(r.value.readBigInt64BE(0))]);
          }
          return counts;
        };
        // Kill A while it is processing: output is being committed and input is still arriving.
        const deadline = Date.now() + WAIT;
        while ((await readOutput()).size === 0 || sent < LINES / 4) {
          if (Date.now() > deadline) throw new Error('no committed output before the kill');
        }
        expect(a.running).toBe(true);
        expect(sent).toBeLessThan(LINES);
        const killedAt = Date.now();
        a.kill('SIGKILL');
        await feeding;
        await producer.disconnect();

        const expected = expectedCounts(LINES);
        let counts = new Map<string, number[]>();
        const complete = () => [...expected].every(([w, n]) => (counts.get(w)?.at(-1) ?? 0) >= n);
        while (!complete()) {
          if (Date.now() > deadline || !b.running) {
            throw b.failure(
              `output incomplete: ${JSON.stringify([...counts].map(([w, c]) => [w, c.length]))}`,
            );
          }
          counts = await readOutput();
        }
        // The survivor really took the killed instance's tasks over, and (on the gateway, whose
        // coordinator the test can ask) the kill left transactions open that had to be aborted.
        expect(b.events.some((e) => e.state === 'REBALANCING' && e.t >= killedAt)).toBe(true);
        const aborted = abortedTransactions(target!, appId);
        if (aborted !== undefined) expect(aborted).toBeGreaterThan(0);
        for (const [word, n] of expected) {
          expect(counts.get(word), word).toEqual(Array.from({ length: n }, (_, i) => i + 1));
        }
        expect([...counts.keys()].sort()).toEqual([...expected.keys()].sort());
      },
      WAIT + 60_000,
    );
  });
}

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type GatewayConfig } from '../../src/config.js';
import { javaCreateTopic, javaHarness, type JavaHarness } from '../support/clients/java.js';
import { uniqueTopic } from '../support/clients/target.js';
import { startGateway, type RunningGateway } from '../support/gateway.js';
import { franzSuite } from '../support/transactions/franz-suite.js';
import { javaReadValues, javaTxnProduce, valuesOf } from '../support/transactions/java-txn.js';
import { javaTransactionsSuite } from '../support/transactions/java-suite.js';
import { streamsSuite } from '../support/transactions/streams-suite.js';
import { FAST_TXN_CONFIG, logStoreTarget } from '../support/transactions/target.js';

// The transaction suites on the durable log store (the command line's default store), and a
// restart over its data directory: markers, transaction state and indexes come back from disk.

const java = await javaHarness();
javaTransactionsSuite('log store', logStoreTarget, java);
franzSuite('log store', logStoreTarget);
streamsSuite('log store', logStoreTarget);

const sorted = (v: string[]): string[] => [...v].sort();

/** Polls `check` every 100 ms until it holds; fails after `timeoutMs`. */
async function waitFor(check: () => boolean, o: { timeoutMs: number; what: string }): Promise<void> {
  const deadline = Date.now() + o.timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${o.what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!java.ok)('transactions across a restart of a log-store gateway', () => {
  const harness = (): JavaHarness => {
    if (!java.ok) throw new Error(java.reason);
    return java.client;
  };
  let dataDir: string | undefined;
  let running: RunningGateway | undefined;
  afterAll(async () => {
    await running?.stop();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  it('stops read_committed at a transaction left open, then aborts it on its timeout', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'txn-restart-'));
    const config: Partial<GatewayConfig> = {
      ...FAST_TXN_CONFIG,
      store: 'log',
      log: { ...DEFAULT_CONFIG.log, dataDir },
    };
    running = await startGateway({ config });
    const topic = uniqueTopic('txn-log-restart');
    await javaCreateTopic(harness(), { bootstrap: running.bootstrap, topic, partitions: 2 });
    const run = await javaTxnProduce(harness(), {
      bootstrap: running.bootstrap,
      topic,
      partitions: 2,
      transactionalId: `${topic}-tx`,
      plan: 'c3,a2,o2',
      timeoutMs: 4000,
    });
    await running.stop();
    running = await startGateway({ config });
    const bootstrap = running.bootstrap;
    const read = async (isolation: 'read_committed' | 'read_uncommitted'): Promise<string[]> =>
      sorted(await javaReadValues(harness(), { bootstrap, topic, isolation }));
    expect(await read('read_committed')).toEqual(sorted(valuesOf(run, ['c'])));
    const gateway = running;
    await waitFor(
      () => gateway.services.transactions.coordinator.metadata(`${topic}-tx`)?.state === 'CompleteAbort',
      { timeoutMs: 60_000, what: 'the open transaction aborted' },
    );
    expect(await read('read_committed')).toEqual(sorted(valuesOf(run, ['c'])));
    expect(await read('read_uncommitted')).toEqual(sorted(valuesOf(run, ['c', 'a', 'o'])));
  }, 240_000);
});

/**
 * The client compatibility matrix: every scenario through every client, against a gateway this
 * process starts (memory store by default) or an existing broker (--bootstrap, e.g. the reference
 * Kafka of scripts/kafka-reference). Prints the matrix, writes docs/COMPATIBILITY.md and exits 1 if
 * any cell failed.
 *
 *   npm run test:compat -- [--store memory] [--clients kcat,franz] [--bootstrap 127.0.0.1:19092]
 *                          [--count 1000] [--jobs 2] [--report docs/COMPATIBILITY.md] [--require-all]
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_CONFIG, type GatewayConfig } from '../../src/config.js';
import { startGateway } from '../../src/gateway.js';
import { silentLogger } from '../../src/log.js';
import { CLIENTS } from './clients.js';
import { counts, textMatrix, writeMarkdown } from './report.js';
import type { Target } from './scenarios/context.js';
import { runClient, type ClientResult } from './scenarios/index.js';
import { Fixture } from './support/fixture.js';
import { advertisedApis } from './support/wire.js';
import { SCENARIOS } from './types.js';

const JOIN_GROUP = 11;
const END_TXN = 26;
const root = fileURLToPath(new URL('../..', import.meta.url));

const { values: args } = parseArgs({
  options: {
    store: { type: 'string', default: 'memory' },
    clients: { type: 'string' },
    bootstrap: { type: 'string' },
    count: { type: 'string', default: '1000' },
    jobs: { type: 'string', default: '2' },
    report: { type: 'string', default: path.join(root, 'docs/COMPATIBILITY.md') },
    'require-all': { type: 'boolean', default: false },
  },
});

const log = (line: string): void => {
  process.stdout.write(`[compat ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
};

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (ok: boolean): void => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(3000, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

async function bootstraps(host: string, port: number, kind: Target['kind']): Promise<Target['bootstraps']> {
  const forms = {
    'meta-ipv4': ['127.0.0.1', `127.0.0.1:${port}`],
    'meta-localhost': ['localhost', `localhost:${port}`],
    'meta-ipv6': ['::1', `[::1]:${port}`],
  } as const;
  const out = {} as Record<keyof typeof forms, string | { skip: string }>;
  for (const [scenario, [h, bootstrap]] of Object.entries(forms) as Array<
    [keyof typeof forms, readonly [string, string]]
  >) {
    // The gateway started here must answer on all three; an external broker may listen on fewer.
    if (kind === 'external' && !(await canConnect(h, port)))
      out[scenario] = { skip: `the target does not listen on ${bootstrap}` };
    else out[scenario] = bootstrap;
  }
  if (kind === 'external' && host !== '127.0.0.1' && host !== 'localhost')
    out['meta-ipv4'] = `${host}:${port}`;
  return out;
}

async function pool<T, R>(items: readonly T[], jobs: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, worker));
  return results;
}

async function main(): Promise<number> {
  const started = new Date();
  const wanted = args.clients
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = wanted?.filter((id) => !CLIENTS.some((c) => c.id === id)) ?? [];
  if (unknown.length > 0) {
    log(`unknown client(s) ${unknown.join(', ')}; known: ${CLIENTS.map((c) => c.id).join(', ')}`);
    return 2;
  }
  const clients = wanted ? CLIENTS.filter((c) => wanted.includes(c.id)) : CLIENTS;

  let host: string;
  let port: number;
  let stop = async (): Promise<void> => undefined;
  let description: string;
  if (args.bootstrap) {
    const at = args.bootstrap.lastIndexOf(':');
    host = args.bootstrap.slice(0, at).replace(/^\[|\]$/g, '');
    port = Number(args.bootstrap.slice(at + 1));
    description = `external broker at ${args.bootstrap}`;
  } else {
    if (args.store !== 'memory')
      throw new Error(`--store ${args.store}: this runner can start only the memory store`);
    // '::' accepts IPv4 and IPv6 on one port (dual stack), so 127.0.0.1, localhost and [::1] all reach it.
    const config: GatewayConfig = {
      ...DEFAULT_CONFIG,
      host: '::',
      port: 0,
      store: args.store,
      defaultPartitions: 1,
      // As the reference broker (scripts/kafka-reference) runs: every group here has one member, and
      // Kafka's default 3 s wait for more before the first rebalance only adds time to each join.
      groups: { initialRebalanceDelayMs: 0 },
    };
    const gateway = await startGateway(config, silentLogger);
    host = '127.0.0.1';
    port = gateway.address.port;
    stop = () => gateway.stop();
    description = `kafka-gateway (this checkout, ${args.store} store) on [::]:${port}`;
  }
  const kind: Target['kind'] = args.bootstrap ? 'external' : 'gateway';
  const apis = await advertisedApis(host, port);
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const fixture = await Fixture.open(host, port);
  const probeTopic = `compat-probe-${runId}`;
  await fixture.createTopic(probeTopic, 2);
  const target: Target = {
    kind,
    host,
    port,
    bootstraps: await bootstraps(host, port, kind),
    groupsServed: apis.has(JOIN_GROUP),
    txnServed: apis.has(END_TXN),
    probeTopic,
  };
  log(
    `target: ${description}; consumer groups ${target.groupsServed ? 'served' : 'NOT served (group cells pending)'}; transactions ${target.txnServed ? 'served' : 'NOT served (transaction cells pending)'}`,
  );
  const workDir = path.join(root, '.cache/compat/runs', runId);
  mkdirSync(workDir, { recursive: true });

  let results: ClientResult[];
  try {
    results = await pool(clients, Math.max(1, Number(args.jobs)), async (spec) => {
      log(`${spec.id}: start`);
      const r = await runClient(spec, { target, fixture, runId, workDir, count: Number(args.count) });
      const failed = SCENARIOS.filter((s) => r.cells[s]?.status === 'fail');
      log(
        `${spec.id}: ${r.unavailable ? `NOT AVAILABLE: ${r.unavailable.split('\n')[0]}` : `${r.version}; ${failed.length === 0 ? 'no failures' : `failed: ${failed.join(', ')}`}`} (${(r.ms / 1000).toFixed(0)} s)`,
      );
      return r;
    });
  } finally {
    await fixture.deleteTopics([probeTopic]).catch(() => undefined);
    await fixture.close();
    await stop();
    rmSync(workDir, { recursive: true, force: true });
  }

  const ms = Date.now() - started.getTime();
  for (const r of results) {
    for (const s of SCENARIOS) {
      const c = r.cells[s];
      if (c?.status === 'fail')
        process.stdout.write(
          `\nFAIL ${r.id} ${s}:\n  ${(c.detail ?? '').split('\n').slice(0, 15).join('\n  ')}\n`,
        );
    }
  }
  const summary = {
    target: description,
    groupsServed: target.groupsServed,
    txnServed: target.txnServed,
    started,
    ms,
    count: Number(args.count),
    clientsAsked: wanted ? wanted.join(', ') : 'all',
  };
  writeMarkdown(args.report, results, summary);
  writeFileSync(
    path.join(root, '.cache/compat/last-run.json'),
    JSON.stringify({ summary, results }, null, 2),
  );
  log(`wrote ${path.relative(root, args.report)}; total ${(ms / 1000).toFixed(0)} s`);
  const unready = results
    .filter((r) => r.unavailable)
    .map((r) => `${r.id} (${r.unavailable?.split('\n')[0]})`);
  if (unready.length > 0) log(`not installed, reported as skipped: ${unready.join('; ')}`);
  process.stdout.write(`\n${textMatrix(results)}\n`);
  const c = counts(results);
  // Under CI every client must install, except those the registries do not offer here (kafkactl).
  const unavailable = results.filter((r) => r.unavailable && !r.notOffered);
  if (c.fail > 0 || c.missing > 0) return 1;
  if ((args['require-all'] || process.env.CI) && unavailable.length > 0) return 1;
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`compat: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(2);
  },
);

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startGatewayProcess, type GatewayExtras, type GatewayProcess } from './gateway-process.js';
import { runLogged } from './proc.js';
import { runPlainPublisher, type PublisherReport } from './plain-publisher.js';
import { failed, printComparison, printPublisherComparison, printReport, type Report } from './report.js';
import {
  startSchemaRegistryStub,
  startSeaweedFsGateway,
  startSeaweedStack,
  stopSeaweedStack,
  type ClusterInfo,
} from './seaweed.js';
import { baselineBuild } from './baseline.js';
import { printSitting, runSitting, type SittingTarget } from './produce-sitting.js';
import { runSequence, type Load, type Target } from './steps.js';

// npm run bench -- [--backend memory|seaweedmq|seaweedfs-gateway|all-seaweed] [--records N] ...
// memory (default): builds the gateway, starts it on a free port with its in-memory store, loads it
// with Apache Kafka's ProducerPerformance / ConsumerPerformance and the harness's assign() reader, and
// stops it; --bootstrap H:P [--pid PID] measures a server that is already running instead.
// seaweedmq / seaweedfs-gateway / all-seaweed: starts a throw-away SeaweedFS (or uses --masters) and
// runs the same load through our gateway on it, through `weed mq.kafka.gateway`, or both in turn.

const BACKENDS = ['memory', 'seaweedmq', 'seaweedfs-gateway', 'all-seaweed'] as const;
type Backend = (typeof BACKENDS)[number];

const { values: flags } = parseArgs({
  options: {
    backend: { type: 'string', default: 'memory' },
    store: { type: 'string', default: 'memory' },
    'log-flush-interval-messages': { type: 'string' },
    bootstrap: { type: 'string' },
    pid: { type: 'string' },
    masters: { type: 'string' },
    records: { type: 'string' },
    'record-size': { type: 'string', default: '1024' },
    partitions: { type: 'string', default: '8' },
    acks: { type: 'string', default: '1' },
    'linger-ms': { type: 'string', default: '5' },
    'batch-size': { type: 'string', default: '65536' },
    compression: { type: 'string', default: 'none' },
    topic: { type: 'string' },
    json: { type: 'string' },
    'skip-build': { type: 'boolean', default: false },
    'produce-only': { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
    'kafka-tools-version': { type: 'string', default: '3.9.2' },
    sitting: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '3' },
    codecs: { type: 'string', default: 'none,gzip,snappy,lz4,zstd' },
    'baseline-ref': { type: 'string' },
    // all-seaweed: which gateway goes first on the stack, to alternate the order between runs.
    first: { type: 'string', default: 'ours' },
  },
});

function usage(message: string): never {
  console.error(`bench: ${message}`);
  process.exit(2);
}

const backend =
  BACKENDS.find((b) => b === flags.backend) ?? usage(`--backend must be one of ${BACKENDS.join(', ')}`);
if (flags.store !== 'memory' && flags.store !== 'log') usage('--store must be memory or log');
if (backend !== 'memory' && (flags.bootstrap || flags.pid)) {
  usage('--bootstrap/--pid measure an external server; they go with --backend memory only');
}
const runId = Date.now().toString(36);
// SeaweedMQ stores about 10-15k records/s per gateway here; 200000 would take minutes per step.
const load: Load = {
  records: Number(flags.records ?? (flags.sitting ? 1_000_000 : backend === 'memory' ? 200_000 : 100_000)),
  recordSize: Number(flags['record-size']),
  partitions: Number(flags.partitions),
  acks: flags.acks,
  lingerMs: flags['linger-ms'],
  batchSize: flags['batch-size'],
  compression: flags.compression,
  kafkaToolsVersion: flags['kafka-tools-version'],
  produceOnly: flags['produce-only'],
};
const ourExtras: GatewayExtras = flags['cpu-prof']
  ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${path.resolve(flags['cpu-prof'])}`] }
  : {};

async function build(): Promise<void> {
  if (flags['skip-build']) {
    return;
  }
  // tsc still emits when other files have type errors; benchmark what it produced, but say so.
  await runLogged('npm', ['run', 'build']).catch((e: unknown) => {
    console.error(`bench: warning: build reported errors (${String(e)}); using the emitted dist/`);
  });
}

/** Starts a server, runs the load against it and stops it, even when a step throws. */
async function measure(
  start: () => Promise<GatewayProcess>,
  target: Omit<Target, 'bootstrap' | 'pid'>,
  brokerPid?: number,
): Promise<Report> {
  const server = await start();
  const cpuPids = {
    gateway: server.pid,
    ...(brokerPid === undefined ? {} : { broker: brokerPid }),
  };
  try {
    return await runSequence({ ...target, bootstrap: server.bootstrap, pid: server.pid, cpuPids }, load);
  } finally {
    await server.stop();
  }
}

async function benchMemory(): Promise<Report[]> {
  const topic = flags.topic ?? `bench-${runId}`;
  if (flags.bootstrap) {
    const pid = flags.pid ? Number(flags.pid) : undefined;
    const target = { name: `external ${flags.bootstrap}`, backend: 'external', topic };
    return [await runSequence({ ...target, bootstrap: flags.bootstrap, pid }, load)];
  }
  await build();
  if (flags.store === 'log') {
    // A fresh data directory of its own, removed afterwards: the machine's disk is shared.
    const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-log-store-'));
    const flush = flags['log-flush-interval-messages'];
    const args = ['--store', 'log', '--data-dir', dataDir];
    if (flush !== undefined) args.push('--log-flush-interval-messages', flush);
    const name = `kafka-gateway (this checkout), log store${flush === undefined ? '' : `, flush every ${flush}`}`;
    try {
      const target = { name, backend: 'log', topic };
      return [await measure(() => startGatewayProcess(load.partitions, { ...ourExtras, args }), target)];
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  const target = { name: 'kafka-gateway (this checkout), memory store', backend: 'memory', topic };
  const args = ['--store', 'memory'];
  return [await measure(() => startGatewayProcess(load.partitions, { ...ourExtras, args }), target)];
}

let publisher: PublisherReport | undefined;

async function benchSeaweed(which: Backend): Promise<Report[]> {
  const ours = which === 'seaweedmq' || which === 'all-seaweed';
  const theirs = which === 'seaweedfs-gateway' || which === 'all-seaweed';
  if (ours) {
    await build();
  }
  let stack: ClusterInfo | undefined;
  if (!flags.masters) {
    console.error('bench: starting a throw-away SeaweedFS');
    stack = await startSeaweedStack();
  }
  const masters = flags.masters ?? stack?.masters ?? '';
  // SeaweedFS's gateway logs to the stack's directory, or to a temporary one with --masters.
  const logDir =
    stack?.dir ?? (theirs ? mkdtempSync(path.join(tmpdir(), 'bench-seaweedfs-gateway-')) : undefined);
  // Names start with '_': the only topics SeaweedFS's gateway creates without a registered schema.
  const topic = (suffix: string): string =>
    `${flags.topic ?? `_bench-${runId}`}${theirs && ours ? suffix : ''}`;
  const reports: Report[] = [];
  let ok = false;
  const brokerPid = stack ? Number(readFileSync(path.join(stack.dir, 'broker.pid'), 'utf8')) : undefined;
  try {
    const runOurs = async (): Promise<void> => {
      if (ours) {
        const extras = {
          nodeArgs: ourExtras.nodeArgs,
          args: ['--masters', masters, '--namespace', `bench${runId}`],
        };
        const target = {
          name: 'kafka-gateway (this checkout), SeaweedMQ',
          backend: 'seaweedmq',
          topic: topic('-ours'),
        };
        reports.push(await measure(() => startGatewayProcess(load.partitions, extras), target, brokerPid));
      }
    };
    const runTheirs = async (): Promise<void> => {
      if (theirs) {
        const registry = await startSchemaRegistryStub();
        try {
          const target = {
            name: 'SeaweedFS weed mq.kafka.gateway',
            backend: 'seaweedfs-gateway',
            topic: topic('-seaweedfs'),
          };
          const start = (): Promise<GatewayProcess> =>
            startSeaweedFsGateway(masters, logDir ?? tmpdir(), registry.url, load.partitions);
          reports.push(await measure(start, target, brokerPid));
          console.error(
            `bench: schema registry stub was asked: ${registry.requests.join(', ') || 'nothing'}`,
          );
        } finally {
          await registry.close();
        }
      }
    };
    if (flags.first === 'theirs') {
      await runTheirs();
      await runOurs();
    } else {
      await runOurs();
      await runTheirs();
    }
    if (stack) {
      console.error('bench: SeaweedMQ publish rate with a plain Go publisher (bench/tools/smq-publisher)');
      const result = await runPlainPublisher({
        broker: stack.broker,
        brokerPid,
        records: load.records,
        recordSize: load.recordSize,
        partitions: load.partitions,
        namespace: `plain${runId}`,
      });
      if ('error' in result) console.error(`bench: plain publisher failed: ${result.error}`);
      else publisher = result;
    }
    ok = !reports.some(failed);
  } finally {
    if (stack) {
      stopSeaweedStack(stack, !ok);
    }
    if (logDir !== undefined && !ok) {
      console.error(`bench: SeaweedFS logs kept in ${logDir}`);
    } else if (logDir !== undefined && !stack) {
      rmSync(logDir, { recursive: true, force: true });
    }
  }
  return reports;
}

/**
 * --sitting: produce only, alternating this checkout, the --baseline-ref build and the --bootstrap server
 * (the reference Kafka, with --pid for its CPU time), over --codecs and --rounds.
 */
async function sitting(): Promise<void> {
  await build();
  const targets: SittingTarget[] = [
    { name: 'ours', start: () => startGatewayProcess(load.partitions, ourExtras) },
  ];
  const ref = flags['baseline-ref'];
  if (ref !== undefined) {
    const { dir, sha } = baselineBuild(ref);
    targets.push({
      name: `baseline ${sha.slice(0, 8)}`,
      start: () => startGatewayProcess(load.partitions, { root: dir }),
    });
  }
  if (flags.bootstrap) {
    targets.push({
      name: 'kafka',
      bootstrap: flags.bootstrap,
      pid: flags.pid ? Number(flags.pid) : undefined,
    });
  }
  const codecs = flags.codecs.split(',').map((c) => c.trim());
  const result = await runSitting(targets, load, codecs, Number(flags.rounds), runId);
  printSitting(result);
  if (flags.json) writeFileSync(flags.json, `${JSON.stringify(result, null, 2)}\n`);
  process.exitCode = result.runs.some((r) => r.recordsPerSec === null) ? 1 : 0;
}

async function main(): Promise<void> {
  if (flags.sitting) return sitting();
  const reports = backend === 'memory' ? await benchMemory() : await benchSeaweed(backend);
  reports.forEach(printReport);
  const ours = reports.find((r) => r.backend === 'seaweedmq');
  const theirs = reports.find((r) => r.backend === 'seaweedfs-gateway');
  if (ours && theirs) {
    printComparison(ours, theirs);
  }
  if (publisher) {
    printPublisherComparison(ours, publisher);
  }
  if (flags.json) {
    // One run keeps the single-object shape older results use.
    const out = reports.length === 1 && !publisher ? reports[0] : { reports, publisher };
    writeFileSync(flags.json, `${JSON.stringify(out, null, 2)}\n`);
    console.log(`\nwritten to ${flags.json}`);
  }
  process.exitCode = reports.some(failed) ? 1 : 0;
}

main().catch((e: unknown) => {
  console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});

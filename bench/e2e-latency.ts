/**
 * npx tsx bench/e2e-latency.ts [--store log|memory] [--preload 1000000] [--count 60000] [--rate 10000]
 *
 * One end-to-end latency run against a fresh gateway: optionally preloads a topic with
 * ProducerPerformance (1 KiB records, 8 partitions), then runs the Java harness's e2e-latency command
 * (a producer at a fixed rate with acks=all and a consumer) on a new topic, and prints its JSON
 * (p50/p99/p999/max ms) with the number and longest of the gateway's GC pauses during that run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startGatewayProcess } from './gateway-process.js';
import { runCaptured } from './proc.js';
import { harnessClasspath, kafkaToolsClasspath, log4jOption } from './tools.js';

const { values: flags } = parseArgs({
  options: {
    store: { type: 'string', default: 'log' },
    preload: { type: 'string', default: '1000000' },
    count: { type: 'string', default: '60000' },
    rate: { type: 'string', default: '10000' },
  },
});

const STEP_MS = 15 * 60_000;
const dir = mkdtempSync(path.join(tmpdir(), 'e2e-latency-'));
const args = flags.store === 'memory' ? ['--store', 'memory'] : ['--store', 'log', '--data-dir', dir];
let log = '';
const gw = await startGatewayProcess(8, {
  args,
  nodeArgs: ['--trace-gc'],
  onLog: (c) => {
    log += c.toString();
  },
});
try {
  const toolsCp = await kafkaToolsClasspath('3.9.2');
  const harnessCp = await harnessClasspath();
  const java = (cp: string, main: string, a: string[]) =>
    runCaptured('java', ['-Xmx1g', log4jOption(toolsCp), '-cp', cp, main, ...a], STEP_MS, false);
  const harness = (a: string[]) => java(harnessCp, 'dev.kafkagateway.harness.Main', a);
  const create = (topic: string) =>
    harness(['create-topic', '--bootstrap', gw.bootstrap, '--topic', topic, '--partitions', '8']);
  if (Number(flags.preload) > 0) {
    await create('preload');
    await java(toolsCp, 'org.apache.kafka.tools.ProducerPerformance', [
      '--topic',
      'preload',
      '--num-records',
      flags.preload,
      '--record-size',
      '1024',
      '--throughput',
      '-1',
      '--producer-props',
      `bootstrap.servers=${gw.bootstrap}`,
      'acks=1',
      'linger.ms=5',
      'batch.size=65536',
    ]);
  }
  await create('e2e');
  const mark = log.length;
  const r = await harness([
    'e2e-latency',
    '--bootstrap',
    gw.bootstrap,
    '--topic',
    'e2e',
    '--rate',
    flags.rate,
    '--count',
    flags.count,
    '--record-size',
    '1024',
    '--acks',
    'all',
  ]);
  // --trace-gc lines end in "<pause> / <total> ms".
  const pauses = log
    .slice(mark)
    .split('\n')
    .map((l) => /, ([\d.]+) \/ [\d.]+ ms/.exec(l)?.[1])
    .filter((x): x is string => x !== undefined)
    .map(Number);
  const stats = JSON.parse(r.stdout.toString()) as Record<string, number>;
  const gc = { gcPauses: pauses.length, longestGcPauseMs: Math.max(0, ...pauses) };
  process.stdout.write(
    `${JSON.stringify({ store: flags.store, preload: Number(flags.preload), ...stats, ...gc })}\n`,
  );
} finally {
  await gw.stop();
  rmSync(dir, { recursive: true, force: true });
}

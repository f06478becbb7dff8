import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { RssSampler, startGatewayProcess, type GatewayProcess } from './gateway-process.js';
import {
  parseConsumerPerformance,
  parseProducerPerformance,
  type ConsumerStats,
  type ProducerStats,
} from './parse.js';
import { runCaptured, runLogged, type Captured } from './proc.js';
import { harnessClasspath, kafkaToolsClasspath, log4jOption } from './tools.js';

// npm run bench -- [--bootstrap H:P [--pid PID]] [--records N] [--json out.json] ...
// Without --bootstrap: builds the gateway, starts it as its own process on a free port, benchmarks it
// with Apache Kafka's ProducerPerformance / ConsumerPerformance and stops it. With --bootstrap: benchmarks
// a server that is already running (real Kafka, another gateway); --pid lets it report that process's RSS.

const { values: flags } = parseArgs({
  options: {
    bootstrap: { type: 'string' },
    pid: { type: 'string' },
    records: { type: 'string', default: '200000' },
    'record-size': { type: 'string', default: '1024' },
    partitions: { type: 'string', default: '8' },
    acks: { type: 'string', default: '1' },
    'linger-ms': { type: 'string', default: '5' },
    'batch-size': { type: 'string', default: '65536' },
    compression: { type: 'string', default: 'none' },
    topic: { type: 'string' },
    json: { type: 'string' },
    'skip-build': { type: 'boolean', default: false },
    'kafka-tools-version': { type: 'string', default: '3.9.2' },
  },
});

const records = Number(flags.records);
const partitions = Number(flags.partitions);
const topic = flags.topic ?? `bench-${Date.now().toString(36)}`;
// Every step is bounded: a stalled server ends the bench with an error instead of hanging it.
const STEP_TIMEOUT_MS = 15 * 60_000;

interface AssignConsumerStats {
  records: number;
  bytes: number;
  elapsedMs: number;
  recordsPerSec: number;
  mbPerSec: number;
  timedOut: boolean;
}

interface Report {
  target: string;
  bootstrap: string;
  topic: string;
  records: number;
  recordSize: number;
  partitions: number;
  producerProps: Record<string, string>;
  producer: ProducerStats | { error: string };
  consumer: ConsumerStats | { error: string };
  assignConsumer: AssignConsumerStats | { error: string };
  memory?: { peakRssKiB: number; hwmKiB: number | null };
  kafkaToolsVersion: string;
  date: string;
}

function failure(
  what: string,
  r: { code: number | null; timedOut: boolean; stderr: string },
): { error: string } {
  // Keep the client's own explanation (exception or warning lines), not its log noise or CSV header.
  const lines = r.stderr.split('\n').map((l) => l.trim());
  const useful = lines.filter((l) => /Exception|WARNING|ERROR|does not support/.test(l));
  const last = (useful.length > 0 ? useful : lines.filter((l) => l !== '')).slice(-3).join(' | ');
  return { error: `${what} ${r.timedOut ? 'timed out' : `exited ${String(r.code)}`}: ${last}` };
}

async function main(): Promise<void> {
  const toolsCp = await kafkaToolsClasspath(flags['kafka-tools-version']);
  const harnessCp = await harnessClasspath();
  const java = (cp: string, main: string, args: string[]): Promise<Captured> =>
    runCaptured('java', ['-Xmx1g', log4jOption(toolsCp), '-cp', cp, main, ...args], STEP_TIMEOUT_MS);

  let gateway: GatewayProcess | undefined;
  let bootstrap = flags.bootstrap;
  let pid = flags.pid ? Number(flags.pid) : undefined;
  if (!bootstrap) {
    if (!flags['skip-build']) {
      // tsc still emits when other files have type errors; benchmark what it produced, but say so.
      await runLogged('npm', ['run', 'build']).catch((e: unknown) => {
        console.error(`bench: warning: build reported errors (${String(e)}); using the emitted dist/`);
      });
    }
    gateway = await startGatewayProcess(partitions);
    bootstrap = gateway.bootstrap;
    pid = gateway.pid;
  }
  const sampler = pid ? new RssSampler(pid) : undefined;
  const producerProps: Record<string, string> = {
    'bootstrap.servers': bootstrap,
    acks: flags.acks,
    'linger.ms': flags['linger-ms'],
    'batch.size': flags['batch-size'],
    'compression.type': flags.compression,
  };

  let report: Report;
  try {
    const harness = 'dev.kafkagateway.harness.Main';
    const created = await java(harnessCp, harness, [
      'create-topic',
      '--bootstrap',
      bootstrap,
      '--topic',
      topic,
      '--partitions',
      String(partitions),
    ]);
    if (created.code !== 0) {
      console.error(
        `bench: create-topic failed; relying on auto-creation with the server's default partitions`,
      );
    }

    console.error(`bench: producing ${records} records of ${flags['record-size']} bytes to ${topic}`);
    const prod = await java(toolsCp, 'org.apache.kafka.tools.ProducerPerformance', [
      '--topic',
      topic,
      '--num-records',
      String(records),
      '--record-size',
      flags['record-size'],
      '--throughput',
      '-1',
      '--producer-props',
      ...Object.entries(producerProps).map(([k, v]) => `${k}=${v}`),
    ]);
    const producer =
      (prod.code === 0 && parseProducerPerformance(prod.stdout)) || failure('ProducerPerformance', prod);

    // ConsumerPerformance subscribes with a consumer group, so it needs a group coordinator.
    console.error('bench: consuming with ConsumerPerformance (consumer group)');
    const cons = await java(toolsCp, 'org.apache.kafka.tools.ConsumerPerformance', [
      '--bootstrap-server',
      bootstrap,
      '--topic',
      topic,
      '--messages',
      String(records),
      '--timeout',
      '30000',
    ]);
    const parsed = cons.code === 0 ? parseConsumerPerformance(cons.stdout) : null;
    const consumer =
      parsed && parsed.records >= records
        ? parsed
        : failure('ConsumerPerformance', { ...cons, stderr: `${cons.stderr}\n${cons.stdout}` });

    console.error('bench: consuming with assign() (no group)');
    const assign = await java(harnessCp, harness, [
      'consume-perf',
      '--bootstrap',
      bootstrap,
      '--topic',
      topic,
      '--messages',
      String(records),
      '--timeout-ms',
      '300000',
    ]);
    const assignConsumer =
      assign.code === 0
        ? (JSON.parse(assign.stdout) as AssignConsumerStats)
        : failure('consume-perf', assign);

    report = {
      target: gateway ? 'kafka-gateway (this checkout)' : `external ${bootstrap}`,
      bootstrap,
      topic,
      records,
      recordSize: Number(flags['record-size']),
      partitions,
      producerProps: { ...producerProps, 'bootstrap.servers': '(target)' },
      producer,
      consumer,
      assignConsumer,
      kafkaToolsVersion: flags['kafka-tools-version'],
      date: new Date().toISOString(),
    };
    const memory = sampler?.stop();
    if (memory) {
      report.memory = memory;
    }
  } finally {
    sampler?.stop();
    await gateway?.stop();
  }

  printReport(report);
  if (flags.json) {
    writeFileSync(flags.json, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nwritten to ${flags.json}`);
  }
  const failed = [report.producer, report.consumer, report.assignConsumer].some((s) => 'error' in s);
  process.exitCode = failed ? 1 : 0;
}

function printReport(r: Report): void {
  const f = (n: number, digits = 1): string => n.toFixed(digits);
  console.log(`\nkafka-gateway bench: ${r.target}`);
  console.log(
    `${r.records} records x ${r.recordSize} B, ${r.partitions} partitions, ` +
      `acks=${r.producerProps.acks} linger.ms=${r.producerProps['linger.ms']} batch.size=${r.producerProps['batch.size']} ` +
      `compression=${r.producerProps['compression.type']}`,
  );
  if ('error' in r.producer) {
    console.log(`produce   FAILED: ${r.producer.error}`);
  } else {
    const p = r.producer;
    const l = p.latencyMs;
    console.log(
      `produce   ${f(p.recordsPerSec, 0)} records/s  ${f(p.mbPerSec, 2)} MB/s  latency ms: ` +
        `avg ${f(l.avg)} p50 ${l.p50} p95 ${l.p95} p99 ${l.p99} p99.9 ${l.p999} max ${l.max}`,
    );
  }
  if ('error' in r.consumer) {
    console.log(`consume   (group, ConsumerPerformance) FAILED: ${r.consumer.error}`);
  } else {
    const c = r.consumer;
    console.log(
      `consume   (group, ConsumerPerformance) ${f(c.recordsPerSec, 0)} records/s  ${f(c.mbPerSec, 2)} MB/s ` +
        `(fetch only: ${f(c.fetchRecordsPerSec, 0)} records/s, ${f(c.fetchMbPerSec, 2)} MB/s; rebalance ${c.rebalanceMs} ms)`,
    );
  }
  if ('error' in r.assignConsumer) {
    console.log(`consume   (assign, harness) FAILED: ${r.assignConsumer.error}`);
  } else {
    const a = r.assignConsumer;
    console.log(
      `consume   (assign, harness) ${f(a.recordsPerSec, 0)} records/s  ${f(a.mbPerSec, 2)} MB/s ` +
        `(${a.records} records in ${a.elapsedMs} ms)`,
    );
  }
  if (r.memory) {
    const mib = (k: number | null): string => (k === null ? 'n/a' : `${f(k / 1024)} MiB`);
    console.log(
      `memory    peak RSS ${mib(r.memory.peakRssKiB)} (sampled every 250 ms), VmHWM ${mib(r.memory.hwmKiB)}`,
    );
  }
}

main().catch((e: unknown) => {
  console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});

import { readFileSync } from 'node:fs';
import { cpuMeter } from './cpu.js';
import { RssSampler } from './gateway-process.js';
import { parseConsumerPerformance, parseProducerPerformance } from './parse.js';
import { runCaptured, type Captured } from './proc.js';
import type { AssignConsumerStats, Report } from './report.js';
import { harnessClasspath, kafkaToolsClasspath, log4jOption } from './tools.js';

// Every step is bounded: a stalled server ends the bench with an error instead of hanging it.
const STEP_TIMEOUT_MS = 15 * 60_000;

export interface Load {
  records: number;
  recordSize: number;
  partitions: number;
  acks: string;
  lingerMs: string;
  batchSize: string;
  compression: string;
  kafkaToolsVersion: string;
  /** Only ProducerPerformance (for profiling the produce path). */
  produceOnly: boolean;
}

export interface Target {
  name: string;
  backend: string;
  bootstrap: string;
  topic: string;
  /** The server's process, for its RSS. */
  pid?: number;
  /** Processes whose CPU time each step is charged with (the gateway, the SeaweedMQ broker). */
  cpuPids?: Readonly<Record<string, number>>;
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

function loadAvg(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

/**
 * The tool sequence against one server: create the topic (or rely on auto-creation), Apache Kafka's
 * ProducerPerformance, ConsumerPerformance (a consumer group), then the harness's group-less reader.
 */
export async function runSequence(target: Target, load: Load): Promise<Report> {
  const toolsCp = await kafkaToolsClasspath(load.kafkaToolsVersion);
  const harnessCp = await harnessClasspath();
  const java = (cp: string, main: string, args: string[]): Promise<Captured> =>
    runCaptured('java', ['-Xmx1g', log4jOption(toolsCp), '-cp', cp, main, ...args], STEP_TIMEOUT_MS);
  const { bootstrap, topic } = target;
  const records = load.records;
  const before = loadAvg();
  const sampler = target.pid ? new RssSampler(target.pid) : undefined;
  const producerProps: Record<string, string> = {
    'bootstrap.servers': bootstrap,
    acks: load.acks,
    'linger.ms': load.lingerMs,
    'batch.size': load.batchSize,
    'compression.type': load.compression,
  };
  try {
    const harness = 'dev.kafkagateway.harness.Main';
    const created = await java(harnessCp, harness, [
      'create-topic',
      '--bootstrap',
      bootstrap,
      '--topic',
      topic,
      '--partitions',
      String(load.partitions),
    ]);
    if (created.code !== 0) {
      console.error(
        `bench: create-topic failed; relying on auto-creation with the server's default partitions`,
      );
    }

    console.error(
      `bench: ${target.name}: producing ${records} records of ${load.recordSize} bytes to ${topic}`,
    );
    const cpu: NonNullable<Report['cpu']> = {};
    let meter = cpuMeter(target.cpuPids ?? {});
    const prod = await java(toolsCp, 'org.apache.kafka.tools.ProducerPerformance', [
      '--topic',
      topic,
      '--num-records',
      String(records),
      '--record-size',
      String(load.recordSize),
      '--throughput',
      '-1',
      '--producer-props',
      ...Object.entries(producerProps).map(([k, v]) => `${k}=${v}`),
    ]);
    const producer =
      (prod.code === 0 && parseProducerPerformance(prod.stdout)) || failure('ProducerPerformance', prod);
    cpu.produce = meter();

    let consumer: Report['consumer'] = { skipped: true };
    let assignConsumer: Report['assignConsumer'] = { skipped: true };
    if (!load.produceOnly) {
      // ConsumerPerformance subscribes with a consumer group, so it needs a group coordinator.
      console.error(`bench: ${target.name}: consuming with ConsumerPerformance (consumer group)`);
      meter = cpuMeter(target.cpuPids ?? {});
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
      consumer =
        parsed && parsed.records >= records
          ? parsed
          : failure('ConsumerPerformance', { ...cons, stderr: `${cons.stderr}\n${cons.stdout}` });

      cpu.consumeGroup = meter();
      console.error(`bench: ${target.name}: consuming with assign() (no group)`);
      meter = cpuMeter(target.cpuPids ?? {});
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
      // Exit 4 is "timed out before N records": its figures still say how fast it read what it got.
      const stats = assign.code === 0 || assign.code === 4 ? parseJson(assign.stdout) : undefined;
      assignConsumer = stats ?? failure('consume-perf', assign);
      cpu.consumeAssign = meter();
    }

    const report: Report = {
      target: target.name,
      backend: target.backend,
      bootstrap,
      topic,
      records,
      recordSize: load.recordSize,
      partitions: load.partitions,
      producerProps: { ...producerProps, 'bootstrap.servers': '(target)' },
      producer,
      consumer,
      assignConsumer,
      loadAvg: { before, after: loadAvg() },
      cpu,
      kafkaToolsVersion: load.kafkaToolsVersion,
      date: new Date().toISOString(),
    };
    const memory = sampler?.stop();
    if (memory) {
      report.memory = memory;
    }
    return report;
  } finally {
    sampler?.stop();
  }
}

function parseJson(stdout: string): AssignConsumerStats | undefined {
  try {
    return JSON.parse(stdout) as AssignConsumerStats;
  } catch {
    return undefined;
  }
}

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';
import { cpuSeconds } from './cpu.js';
import { startGatewayProcess, type GatewayProcess } from './gateway-process.js';
import { parseProducerPerformance } from './parse.js';
import { ROOT, runCaptured, runLogged } from './proc.js';
import { harnessClasspath, kafkaToolsClasspath, log4jOption } from './tools.js';

// npx tsx bench/sitting.ts [--rounds 3] [--records 1000000] [--rate 10000] [--latency-records 300000]
//   [--targets memory,log,log-nofsync,kafka,kafka-fsync] [--kafka-port 19292] [--json FILE]
// One sitting for the log store: the targets in turn, round after round, each measured with Apache
// Kafka's ProducerPerformance (1 KiB records, acks=1 then acks=all), the harness's assign() reader and
// the harness's end-to-end latency run at a fixed rate, with the server's CPU time per step. Apache
// Kafka (scripts/kafka-reference) runs for the whole sitting; each gateway run gets a fresh data dir.
// `kafka-fsync` is the same broker with topics created with flush.messages=1, Kafka's own mode of
// fsyncing before a record is acknowledged and visible, which is what the log store does by default.
// The load generator's CPU per GB is reported beside the server's: on a machine this small the
// clients' share bounds what any server can reach.
// Prints medians per target and medians of the per-round ratios to Kafka.

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    records: { type: 'string', default: '1000000' },
    rate: { type: 'string', default: '10000' },
    'latency-records': { type: 'string', default: '300000' },
    targets: { type: 'string', default: 'memory,log,log-nofsync,kafka' },
    'kafka-port': { type: 'string', default: '19292' },
    partitions: { type: 'string', default: '8' },
    json: { type: 'string' },
  },
});

const RECORD = 1024;
const STEP_MS = 20 * 60_000;
const records = Number(flags.records);
const partitions = Number(flags.partitions);
const targets = flags.targets.split(',');

type Step = 'produce-acks1' | 'produce-acksall' | 'consume' | 'e2e';
interface Measure {
  value: number;
  cpuSecondsPerGB?: number;
  clientCpuSecondsPerGB?: number;
  detail?: Record<string, number>;
}
type RoundResult = Partial<Record<Step, Measure>>;

interface Server {
  bootstrap: string;
  pid: number;
  /** Given to create-topic (kafka-fsync's flush.messages=1). */
  topicConfigs: string[];
  stop(): Promise<void>;
}

const isKafka = (name: string): boolean => name === 'kafka' || name === 'kafka-fsync';

const LONG_MAX = '9223372036854775807';

async function startTarget(name: string): Promise<Server> {
  if (isKafka(name)) {
    const port = flags['kafka-port'];
    const pid = Number(
      readFileSync(path.join(ROOT, '.cache', 'kafka-reference', `run-${port}`, 'pid'), 'utf8'),
    );
    const topicConfigs = name === 'kafka-fsync' ? ['--config', 'flush.messages=1'] : [];
    return { bootstrap: `127.0.0.1:${port}`, pid, topicConfigs, stop: async () => {} };
  }
  const dataDir = name === 'memory' ? undefined : mkdtempSync(path.join(tmpdir(), 'sitting-log-'));
  const args = dataDir === undefined ? ['--store', 'memory'] : ['--store', 'log', '--data-dir', dataDir];
  if (name === 'log-nofsync') args.push('--log-flush-interval-messages', LONG_MAX);
  args.push('--group-initial-rebalance-delay-ms', '0');
  const gateway: GatewayProcess = await startGatewayProcess(partitions, { args });
  return {
    bootstrap: gateway.bootstrap,
    pid: gateway.pid,
    topicConfigs: [],
    stop: async () => {
      await gateway.stop();
      if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** CPU seconds of the last Java step (the clients), from bash's `times`. */
let lastClientCpu = NaN;

/** The children's user and system time, the last line `times` printed ("0m9.120s 0m1.030s"). */
function childCpuSeconds(stderr: string): number {
  const lines = stderr.trim().split('\n');
  const m = /^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/.exec(lines[lines.length - 1] ?? '');
  if (m === null) return NaN;
  return Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4]);
}

async function measure(server: Server, bytes: number, step: () => Promise<Measure>): Promise<Measure> {
  const before = cpuSeconds(server.pid) ?? NaN;
  lastClientCpu = NaN;
  const m = await step();
  const used = (cpuSeconds(server.pid) ?? NaN) - before;
  const gb = bytes / 1e9;
  return { ...m, cpuSecondsPerGB: used / gb, clientCpuSecondsPerGB: lastClientCpu / gb };
}

async function runRound(name: string, round: number): Promise<RoundResult> {
  const toolsCp = await kafkaToolsClasspath('3.9.2');
  const harnessCp = await harnessClasspath();
  // bash's `times` prints its children's CPU time last: the load generator's cost, per step.
  const java = async (cp: string, main: string, args: string[]) => {
    const r = await runCaptured(
      'bash',
      [
        '-c',
        'java "$@"; code=$?; times >&2; exit $code',
        'java',
        '-Xmx1g',
        log4jOption(toolsCp),
        '-cp',
        cp,
        main,
        ...args,
      ],
      STEP_MS,
      false,
    );
    lastClientCpu = childCpuSeconds(r.stderr);
    return r;
  };
  const harness = (args: string[]) => java(harnessCp, 'dev.kafkagateway.harness.Main', args);
  const server = await startTarget(name);
  const topic = (suffix: string) => `sitting-${Date.now().toString(36)}-${round}-${name}-${suffix}`;
  const out: RoundResult = {};
  const createTopic = (t: string) =>
    harness([
      'create-topic',
      '--bootstrap',
      server.bootstrap,
      '--topic',
      t,
      '--partitions',
      String(partitions),
      ...server.topicConfigs,
    ]);
  try {
    const produce = async (acks: string): Promise<{ topic: string; m: Measure }> => {
      const t = topic(`acks${acks}`);
      await createTopic(t);
      const m = await measure(server, records * RECORD, async () => {
        const r = await java(toolsCp, 'org.apache.kafka.tools.ProducerPerformance', [
          '--topic',
          t,
          '--num-records',
          String(records),
          '--record-size',
          String(RECORD),
          '--throughput',
          '-1',
          '--producer-props',
          `bootstrap.servers=${server.bootstrap}`,
          `acks=${acks}`,
          'linger.ms=5',
          'batch.size=65536',
        ]);
        const stats = parseProducerPerformance(r.stdout);
        if (stats === null) throw new Error(`ProducerPerformance failed: ${r.stderr.slice(-500)}`);
        return {
          value: stats.mbPerSec,
          detail: { recordsPerSec: stats.recordsPerSec, p99Ms: stats.latencyMs.p99 },
        };
      });
      return { topic: t, m };
    };
    const first = await produce('1');
    out['produce-acks1'] = first.m;
    out.consume = await measure(server, records * RECORD, async () => {
      const r = await harness([
        'consume-perf',
        '--bootstrap',
        server.bootstrap,
        '--topic',
        first.topic,
        '--messages',
        String(records),
      ]);
      const stats = JSON.parse(r.stdout) as { mbPerSec: number; recordsPerSec: number };
      return { value: stats.mbPerSec, detail: { recordsPerSec: stats.recordsPerSec } };
    });
    out['produce-acksall'] = (await produce('all')).m;
    const latencyRecords = Number(flags['latency-records']);
    const t = topic('e2e');
    await createTopic(t);
    out.e2e = await measure(server, latencyRecords * RECORD, async () => {
      const r = await harness([
        'e2e-latency',
        '--bootstrap',
        server.bootstrap,
        '--topic',
        t,
        '--rate',
        flags.rate,
        '--count',
        String(latencyRecords),
        '--record-size',
        String(RECORD),
        '--acks',
        'all',
      ]);
      const stats = JSON.parse(r.stdout) as Record<string, number>;
      return { value: stats.p99Ms!, detail: stats };
    });
  } finally {
    await server.stop();
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function main(): Promise<void> {
  await runLogged('npm', ['run', 'build']);
  if (targets.some(isKafka)) {
    await runLogged('bash', [path.join(ROOT, 'scripts', 'kafka-reference', 'start.sh'), flags['kafka-port']]);
  }
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim();
  const results: Record<string, RoundResult[]> = Object.fromEntries(targets.map((t) => [t, []]));
  const loads: string[] = [];
  try {
    if (targets.some(isKafka)) {
      // A broker that has just started runs its first gigabyte through the JIT: one round not counted.
      console.error('sitting: warming Kafka up (not counted)');
      await runRound('kafka', -1);
    }
    for (let round = 0; round < Number(flags.rounds); round++) {
      for (const target of targets) {
        const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
        loads.push(load);
        console.error(`sitting: round ${round + 1}, ${target} (load ${load})`);
        results[target]!.push(await runRound(target, round));
      }
    }
  } finally {
    if (targets.some(isKafka)) {
      await runLogged('bash', [
        path.join(ROOT, 'scripts', 'kafka-reference', 'stop.sh'),
        flags['kafka-port'],
      ]);
    }
  }
  const steps: Step[] = ['produce-acks1', 'produce-acksall', 'consume', 'e2e'];
  console.log(
    `\ncommit ${commit}, ${records} records x ${RECORD} B, ${partitions} partitions, e2e at ${flags.rate}/s`,
  );
  console.log(`load averages at each run: ${loads.join(' | ')}`);
  for (const target of targets) {
    const rows = results[target]!;
    const cells = steps.map((s) => {
      const v = median(rows.map((r) => r[s]?.value ?? NaN));
      const cpu = median(rows.map((r) => r[s]?.cpuSecondsPerGB ?? NaN));
      const client = median(rows.map((r) => r[s]?.clientCpuSecondsPerGB ?? NaN));
      return `${s} ${v.toFixed(1)} (cpu ${cpu.toFixed(1)}, client ${client.toFixed(1)} s/GB)`;
    });
    console.log(`${target.padEnd(12)} ${cells.join('  ')}`);
  }
  for (const reference of targets.filter(isKafka)) {
    for (const target of targets.filter((t) => !isKafka(t))) {
      const ratios = steps.map((s) => {
        const per = results[target]!.map(
          (r, i) => (r[s]?.value ?? NaN) / (results[reference]![i]![s]?.value ?? NaN),
        );
        return `${s} ${median(per).toFixed(2)}x`;
      });
      console.log(`${target} / ${reference} (median of per-round ratios): ${ratios.join('  ')}`);
    }
  }
  if (flags.json) writeFileSync(flags.json, `${JSON.stringify({ commit, loads, results }, null, 2)}\n`);
}

main().catch((e: unknown) => {
  console.error(`sitting: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});

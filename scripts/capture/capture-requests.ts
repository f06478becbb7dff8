/**
 * Captures request frames from real clients (kafkajs, kcat) talking to a gateway through a loopback
 * proxy, and writes them as test fixtures:
 *
 *   npx tsx scripts/capture/capture-requests.ts [--out DIR] [--all] [--only kafkajs|kcat]
 *
 * Each file is one request frame without its size prefix (header + body), named
 * <client>-<api>-v<version>-<n>.bin. By default only a curated set is kept: every Produce, and the
 * first two frames of each other (client, api, version); --all keeps everything. The gateway runs in
 * this process and advertises the proxy's port, so every connection a client opens is captured.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { DEFAULT_CONFIG } from '../../src/config.js';
import { startGateway } from '../../src/gateway.js';
import { silentLogger } from '../../src/log.js';
import { API_DEFINITIONS } from '../../src/protocol/generated/index.js';
import type { CapturedFrame } from './proxy.js';
import { CaptureProxy } from './proxy.js';
import type { KcatCodec, ScenarioMessage } from './scenario-data.js';
import {
  KAFKAJS_CLIENT_ID,
  KAFKAJS_GZIP_MESSAGES,
  KAFKAJS_GZIP_TOPIC,
  KAFKAJS_MESSAGES,
  KAFKAJS_SCRATCH_TOPIC,
  KAFKAJS_TOPIC,
  KCAT_CODECS,
  KCAT_HEADER,
  KCAT_IDEMPOTENT_CODEC,
  kcatMessages,
  kcatTopic,
} from './scenario-data.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PRODUCE = 0;

interface Options {
  out: string;
  all: boolean;
  only: string | undefined;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { out: join(ROOT, 'test/fixtures/requests'), all: false, only: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') o.out = argv[++i] ?? o.out;
    else if (a === '--all') o.all = true;
    else if (a === '--only') o.only = argv[++i];
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

const apiNames = new Map(API_DEFINITIONS.map((d) => [d.apiKey, kebab(d.name)]));

function run(command: string, args: string[], input = ''): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr}`));
    });
    child.stdin.end(input);
  });
}

function toKafkajs(m: ScenarioMessage): {
  key: string | null;
  value: string;
  headers: Record<string, string>;
} {
  return { key: m.key, value: m.value, headers: m.headers };
}

async function kafkajsScenario(bootstrap: string): Promise<void> {
  const kafka = new Kafka({ clientId: KAFKAJS_CLIENT_ID, brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      { topic: KAFKAJS_TOPIC, numPartitions: 1 },
      { topic: KAFKAJS_GZIP_TOPIC, numPartitions: 1 },
      { topic: KAFKAJS_SCRATCH_TOPIC, numPartitions: 2 },
    ],
  });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  await producer.send({ topic: KAFKAJS_TOPIC, acks: -1, messages: KAFKAJS_MESSAGES.map(toKafkajs) });
  await producer.send({
    topic: KAFKAJS_GZIP_TOPIC,
    acks: 1,
    compression: CompressionTypes.GZIP,
    messages: KAFKAJS_GZIP_MESSAGES.map(toKafkajs),
  });
  await producer.disconnect();
  await admin.fetchTopicMetadata({ topics: [KAFKAJS_TOPIC] });
  await admin.fetchTopicOffsets(KAFKAJS_TOPIC);
  await admin.deleteTopics({ topics: [KAFKAJS_SCRATCH_TOPIC] });
  await admin.disconnect();
}

async function kcatScenario(bootstrap: string): Promise<void> {
  await run('kcat', ['-b', bootstrap, '-L']);
  for (const codec of KCAT_CODECS) {
    const args = ['-b', bootstrap, '-P', '-t', kcatTopic(codec), '-p', '0', '-K', ':', '-z', codec];
    args.push('-H', `${KCAT_HEADER[0]}=${KCAT_HEADER[1]}`);
    // Values compress well and linger lets the three lines share a batch; librdkafka sends a batch
    // uncompressed when compressing does not make it smaller.
    args.push('-X', 'linger.ms=200');
    if (codec === KCAT_IDEMPOTENT_CODEC) args.push('-X', 'enable.idempotence=true');
    const input = kcatMessages(codec)
      .map((m) => `${m.key}:${m.value}\n`)
      .join('');
    await run('kcat', args, input);
  }
  await run('kcat', ['-b', bootstrap, '-C', '-t', kcatTopic('gzip' as KcatCodec), '-o', 'beginning', '-e']);
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const captured: CapturedFrame[] = [];
  let label = 'none';
  let gatewayPort = 0;
  const proxy = new CaptureProxy(
    () => gatewayPort,
    () => label,
    (f) => captured.push(f),
  );
  const proxyPort = await proxy.listen();
  const gateway = await startGateway(
    { ...DEFAULT_CONFIG, host: '127.0.0.1', port: 0, advertisedHost: '127.0.0.1', advertisedPort: proxyPort },
    silentLogger,
  );
  gatewayPort = gateway.address.port;
  const bootstrap = `127.0.0.1:${proxyPort}`;
  try {
    if (options.only === undefined || options.only === 'kafkajs') {
      label = 'kafkajs';
      await kafkajsScenario(bootstrap);
    }
    if (options.only === undefined || options.only === 'kcat') {
      label = 'kcat';
      await kcatScenario(bootstrap);
    }
  } finally {
    await proxy.close();
    await gateway.stop();
  }
  write(captured, options);
}

function write(captured: CapturedFrame[], options: Options): void {
  mkdirSync(options.out, { recursive: true });
  const clients = new Set(captured.map((f) => f.client));
  for (const file of readdirSync(options.out)) {
    if ([...clients].some((c) => file.startsWith(`${c}-`)) && file.endsWith('.bin'))
      rmSync(join(options.out, file));
  }
  const counts = new Map<string, number>();
  let kept = 0;
  let bytes = 0;
  for (const f of captured) {
    const stem = `${f.client}-${apiNames.get(f.apiKey) ?? `api${f.apiKey}`}-v${f.apiVersion}`;
    const n = (counts.get(stem) ?? 0) + 1;
    counts.set(stem, n);
    if (!options.all && f.apiKey !== PRODUCE && n > 2) continue;
    writeFileSync(join(options.out, `${stem}-${n}.bin`), f.frame);
    kept++;
    bytes += f.frame.length;
  }
  process.stdout.write(
    `captured ${captured.length} frames, wrote ${kept} (${bytes} bytes) to ${options.out}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { unavailable, type Availability } from './availability.js';
import { checkResult, runProcess, type ProcessResult } from './process.js';
import type { KafkaRecord } from './records.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const buildScript = path.join(root, 'scripts/clients/build-java.sh');

/** The Java client harness in test/clients/java, built for one kafka-clients version. */
export interface JavaHarness {
  kafkaClientsVersion: string;
  /** Runs a harness subcommand (produce, consume, create-topic, ...) and returns its raw result. */
  run(args: readonly string[], timeoutMs?: number): Promise<ProcessResult>;
}

export type Compression = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

/** A record as the Java producer sent it, with the partition and offset the broker acknowledged. */
export interface ProducedRecord extends KafkaRecord {
  index: number;
  ackTimestamp: number;
}

interface JsonRecord {
  partition: number;
  offset: number;
  timestamp: number;
  timestampType?: 'CreateTime' | 'LogAppendTime';
  key: string | null;
  value: string | null;
  headers: Array<[string, string | null]>;
}

/**
 * Builds the harness (a no-op when up to date) and returns a runner. Without java or mvn the tests
 * skip locally and fail in CI; any other build failure is an error.
 */
export async function javaHarness(
  version = process.env.KAFKA_CLIENTS_VERSION ?? '3.9.2',
): Promise<Availability<JavaHarness>> {
  // Cold builds download from Maven Central; allow them plenty of time on a slow machine.
  const build = await runProcess('bash', [buildScript, version], { timeoutMs: 900_000 });
  if (build.code === 127) {
    return unavailable(`Java client harness: ${build.stderr.trim()}`);
  }
  const dir = checkResult('build-java.sh', build).stdout.toString('utf8').trim();
  const classpath = `${dir}/harness.jar${path.delimiter}${dir}/lib/*`;
  return {
    ok: true,
    client: {
      kafkaClientsVersion: version,
      run: (args, timeoutMs = 180_000) =>
        runProcess('java', ['-Xmx1g', '-cp', classpath, 'dev.kafkagateway.harness.Main', ...args], {
          timeoutMs,
        }),
    },
  };
}

export interface JavaProduceOptions {
  bootstrap: string;
  topic: string;
  count: number;
  partitions: number;
  compression: Compression;
  acks?: 'all' | '1' | '0';
  idempotence?: boolean;
  largeValueBytes?: number;
}

export interface JavaProduceResult {
  records: ProducedRecord[];
  elapsedMs: number;
}

/** Produces the harness's deterministic data set and returns what was sent, with the acks. */
export async function javaProduce(java: JavaHarness, o: JavaProduceOptions): Promise<JavaProduceResult> {
  const args = ['produce', '--bootstrap', o.bootstrap, '--topic', o.topic, '--count', String(o.count)];
  args.push('--partitions', String(o.partitions), '--compression', o.compression);
  args.push('--acks', o.acks ?? 'all', '--idempotence', String(o.idempotence ?? true));
  if (o.largeValueBytes !== undefined) {
    args.push('--large-value-bytes', String(o.largeValueBytes));
  }
  const result = checkResult(`java produce ${o.topic}`, await java.run(args));
  const summary = JSON.parse(result.stdout.toString('utf8')) as {
    elapsedMs: number;
    records: Array<JsonRecord & { index: number; ackTimestamp: number }>;
  };
  return {
    elapsedMs: summary.elapsedMs,
    records: summary.records.map((r) => ({ ...fromJson(r), index: r.index, ackTimestamp: r.ackTimestamp })),
  };
}

/** Reads every partition from the beginning with assign() (no consumer group). */
export async function javaConsume(
  java: JavaHarness,
  o: { bootstrap: string; topic: string; expect?: number },
): Promise<KafkaRecord[]> {
  const args = ['consume', '--bootstrap', o.bootstrap, '--topic', o.topic];
  if (o.expect !== undefined) {
    args.push('--expect', String(o.expect));
  }
  const result = checkResult(`java consume ${o.topic}`, await java.run(args));
  const records: KafkaRecord[] = [];
  for (const line of result.stdout.toString('utf8').split('\n')) {
    if (line.trim() === '') {
      continue;
    }
    const parsed = JSON.parse(line) as JsonRecord | { summary: true };
    if (!('summary' in parsed)) {
      records.push(fromJson(parsed));
    }
  }
  return records;
}

export async function javaCreateTopic(
  java: JavaHarness,
  o: { bootstrap: string; topic: string; partitions: number },
): Promise<void> {
  const args = ['create-topic', '--bootstrap', o.bootstrap, '--topic', o.topic];
  args.push('--partitions', String(o.partitions));
  checkResult(`java create-topic ${o.topic}`, await java.run(args));
}

export interface PartitionOffsets {
  partition: number;
  earliest: number;
  latest: number;
  maxTimestampOffset: number;
  maxTimestamp: number;
}

export async function javaListOffsets(
  java: JavaHarness,
  o: { bootstrap: string; topic: string },
): Promise<PartitionOffsets[]> {
  const args = ['list-offsets', '--bootstrap', o.bootstrap, '--topic', o.topic];
  const result = checkResult(`java list-offsets ${o.topic}`, await java.run(args));
  return result.stdout
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as PartitionOffsets);
}

function fromJson(r: JsonRecord): KafkaRecord {
  const bytes = (s: string | null): Buffer | null => (s === null ? null : Buffer.from(s, 'base64'));
  const record: KafkaRecord = {
    partition: r.partition,
    offset: r.offset,
    timestamp: r.timestamp,
    key: bytes(r.key),
    value: bytes(r.value),
    headers: r.headers.map(([k, v]) => [k, bytes(v)]),
  };
  if (r.timestampType) {
    record.timestampType = r.timestampType;
  }
  return record;
}

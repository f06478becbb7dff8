import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { unavailable, type Availability } from './clients/availability.js';
import { checkResult, runProcess, type ProcessResult } from './clients/process.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const installScript = path.join(root, 'scripts/clients/kafka-cli/install.sh');

/** The Kafka CLI scripts, by the class each one runs (kafka_2.13 and kafka-tools 3.9). */
export const KAFKA_TOOLS = {
  'kafka-topics': 'org.apache.kafka.tools.TopicCommand',
  'kafka-configs': 'kafka.admin.ConfigCommand',
  'kafka-delete-records': 'org.apache.kafka.tools.DeleteRecordsCommand',
  'kafka-get-offsets': 'org.apache.kafka.tools.GetOffsetShell',
  'kafka-console-consumer': 'org.apache.kafka.tools.consumer.ConsoleConsumer',
  'kafka-log-dirs': 'org.apache.kafka.tools.LogDirsCommand',
  'kafka-features': 'org.apache.kafka.tools.FeatureCommand',
  'kafka-reassign-partitions': 'org.apache.kafka.tools.reassign.ReassignPartitionsCommand',
  'kafka-leader-election': 'org.apache.kafka.tools.LeaderElectionCommand',
  'kafka-acls': 'kafka.admin.AclCommand',
  'kafka-transactions': 'org.apache.kafka.tools.TransactionsCommand',
} as const;
export type KafkaTool = keyof typeof KAFKA_TOOLS;

export interface KafkaCli {
  readonly version: string;
  /** Runs a tool with `--bootstrap-server` and the given arguments; never throws on exit codes. */
  run(tool: KafkaTool, bootstrap: string, args: readonly string[]): Promise<ProcessResult>;
  /** As run, but throws with stderr unless the tool exits 0; answers stdout. */
  ok(tool: KafkaTool, bootstrap: string, args: readonly string[]): Promise<string>;
  /** Runs any class of the tools' jars with exactly these arguments (tools without --bootstrap-server). */
  runClass(className: string, args: readonly string[], timeoutMs?: number): Promise<ProcessResult>;
}

/**
 * Installs the tools' jars (a no-op when cached) and returns a runner. Without java or mvn the tests
 * skip locally and fail in CI.
 */
export async function kafkaCli(
  version = process.env.KAFKA_CLI_VERSION ?? '3.9.2',
): Promise<Availability<KafkaCli>> {
  // A cold install downloads about 100 jars from Maven Central.
  const install = await runProcess('bash', [installScript, version], { timeoutMs: 900_000 });
  if (install.code === 127) return unavailable(`Kafka CLI tools: ${install.stderr.trim()}`);
  const lib = checkResult('kafka-cli/install.sh', install).stdout.toString('utf8').trim();
  const classpath = path.join(lib, '*');
  const runClass = (className: string, args: readonly string[], timeoutMs = 120_000) =>
    runProcess(
      'java',
      // Short-lived tools: a quick JIT and a small heap start fastest.
      ['-Xmx256m', '-XX:TieredStopAtLevel=1', '-cp', classpath, className, ...args],
      { timeoutMs },
    );
  const run = (tool: KafkaTool, bootstrap: string, args: readonly string[]) =>
    runClass(KAFKA_TOOLS[tool], ['--bootstrap-server', bootstrap, ...args]);
  return {
    ok: true,
    client: {
      version,
      run,
      runClass,
      async ok(tool, bootstrap, args) {
        const result = await run(tool, bootstrap, args);
        return checkResult(`${tool} ${args.join(' ')}`, result).stdout.toString('utf8');
      },
    },
  };
}

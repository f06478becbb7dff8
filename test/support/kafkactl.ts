import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { blocked, unavailable, type Availability } from './clients/availability.js';
import { checkResult, runProcess, type ProcessResult } from './clients/process.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const installScript = path.join(root, 'scripts/clients/install-kafkactl.sh');

export interface Kafkactl {
  readonly binary: string;
  /** Runs kafkactl against the context it was made for; never throws on exit codes. */
  run(args: readonly string[], input?: string): Promise<ProcessResult>;
  /** As run, but throws with stderr unless kafkactl exits 0; answers stdout. */
  ok(args: readonly string[], input?: string): Promise<string>;
  /** Removes the temporary config. */
  close(): Promise<void>;
}

export interface KafkactlOptions {
  /** Sarama protocol level kafkactl asks for (its default is 2.5.0). */
  kafkaVersion?: string;
}

/**
 * Installs kafkactl (scripts/clients/install-kafkactl.sh, a no-op when cached) and returns a runner
 * with a temporary config whose only context points at `bootstrap`. Without Go the tests skip locally
 * and fail in CI; when the module proxy will not serve kafkactl they skip everywhere.
 */
export async function kafkactl(bootstrap: string, o: KafkactlOptions = {}): Promise<Availability<Kafkactl>> {
  const install = await runProcess('bash', [installScript], { timeoutMs: 900_000 });
  if (install.code === 127) return unavailable(`kafkactl: ${install.stderr.trim()}`);
  // Exit 3: the Go module proxy refuses the kafkactl module itself (403 here), so nothing can install it.
  if (install.code === 3) return blocked(`kafkactl: ${install.stderr.trim()}`);
  const binary = checkResult('install-kafkactl.sh', install).stdout.toString('utf8').trim();
  const dir = await mkdtemp(path.join(tmpdir(), 'kafkactl-'));
  const configFile = path.join(dir, 'config.yml');
  const version = o.kafkaVersion === undefined ? '' : `    kafkaVersion: ${o.kafkaVersion}\n`;
  await writeFile(
    configFile,
    `contexts:\n  gateway:\n    brokers:\n      - ${bootstrap}\n${version}current-context: gateway\n`,
  );
  // HOME points into the temp dir so kafkactl neither reads nor writes the user's own config.
  const env = { ...process.env, HOME: dir, KAFKA_CTL_CONFIG: configFile, NO_COLOR: '1' };
  const run = (args: readonly string[], input?: string) =>
    runProcess(binary, ['-C', configFile, ...args], {
      timeoutMs: 60_000,
      env,
      input: input === undefined ? undefined : Buffer.from(input),
    });
  return {
    ok: true,
    client: {
      binary,
      run,
      async ok(args, input) {
        return checkResult(`kafkactl ${args.join(' ')}`, await run(args, input)).stdout.toString('utf8');
      },
      close: () => rm(dir, { recursive: true, force: true }),
    },
  };
}

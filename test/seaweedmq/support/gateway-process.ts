/**
 * A gateway in a process of its own, started through the command line (test/cli/run-cli.ts under tsx)
 * with SeaweedMQ as its store, so a test can kill it the way a machine dies. Its pino lines are kept
 * to find its port and to explain failures.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { cluster } from './storage.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const CLI = [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'test', 'cli', 'run-cli.ts')];

export interface GatewayProcess {
  readonly nodeId: number;
  readonly port: number;
  readonly bootstrap: string;
  /** Log lines (JSON) printed so far. */
  readonly log: string[];
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function startGatewayProcess(o: {
  nodeId: number;
  namespace: string;
  extraArgs?: readonly string[];
  timeoutMs?: number;
}): Promise<GatewayProcess> {
  const args = ['--host', '127.0.0.1', '--port', '0', '--masters', cluster().masters];
  args.push('--namespace', o.namespace, '--node-id', String(o.nodeId), '--log-level', 'info');
  args.push('--auto-create-topics', 'false', ...(o.extraArgs ?? []));
  // Its own process group: tsx runs the gateway in a child process, and a kill must reach that one.
  const child: ChildProcess = spawn(process.execPath, [...CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const log: string[] = [];
  let partial = '';
  let port: number | undefined;
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const collect = (chunk: Buffer): void => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      log.push(line);
      if (log.length > 2000) log.splice(0, 1000);
      if (port === undefined && line.includes('kafka-gateway listening')) {
        port = (JSON.parse(line) as { port: number }).port;
      }
    }
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const deadline = Date.now() + (o.timeoutMs ?? 60_000);
  while (port === undefined) {
    if (child.exitCode !== null || Date.now() > deadline) {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      throw new Error(`gateway ${o.nodeId} did not start:\n${log.slice(-20).join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const listening = port;
  return {
    nodeId: o.nodeId,
    port: listening,
    bootstrap: `127.0.0.1:${listening}`,
    log,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.pid !== undefined) {
        try {
          process.kill(-child.pid, signal);
        } catch {
          // already gone
        }
      }
      await exited;
    },
  };
}

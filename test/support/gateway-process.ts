/**
 * The gateway as a child process (`kafka-gateway` with tsx's loader, so the sources under test run,
 * not a stale build), for tests that kill it with SIGKILL and start it again on the same data
 * directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import path from 'node:path';

const ROOT = path.join(import.meta.dirname, '..', '..');
// tsx as a loader in this very process, not its CLI: the CLI runs the script in a child process,
// which a SIGKILL of the CLI would leave running.
const CLI = ['--import', 'tsx', path.join(ROOT, 'test', 'cli', 'run-cli.ts')];

/** NODE_OPTIONS that preload test/support/slow-fsync.mjs, for `env`. */
export function slowFsync(ms: number): Record<string, string> {
  const preload = path.join(ROOT, 'test', 'support', 'slow-fsync.mjs');
  return {
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${preload}`.trim(),
    SLOW_FSYNC_MS: String(ms),
  };
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

export class GatewayProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  /** The tail of the current process's stderr and stdout (pino logs), for failure messages. */
  output = '';

  constructor(
    readonly port: number,
    private readonly args: readonly string[],
    /** Extra environment, e.g. SLOW_FSYNC_MS with preload: 'slow-fsync' (test/support/slow-fsync.mjs). */
    private readonly env: Record<string, string> = {},
  ) {}

  get bootstrap(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Starts the gateway and waits (bounded) until it accepts connections. */
  async start(timeoutMs = 60_000): Promise<void> {
    const args = [...CLI, '--host', '127.0.0.1', '--port', String(this.port), ...this.args];
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: ROOT,
      env: { ...process.env, ...this.env },
    });
    this.child = child;
    this.output = '';
    const keep = (d: Buffer): void => {
      this.output = (this.output + d.toString()).slice(-20_000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    let gone = false;
    this.exited = new Promise((resolve) => child.on('exit', () => ((gone = true), resolve())));
    const deadline = Date.now() + timeoutMs;
    while (!(await canConnect(this.port))) {
      if (gone) throw new Error(`gateway exited before listening:\n${this.output}`);
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`gateway did not listen within ${timeoutMs} ms:\n${this.output}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** SIGKILL: no clean shutdown, no flush, no last snapshot. */
  async kill(): Promise<void> {
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM, and a bounded wait for the clean exit. */
  async stop(): Promise<void> {
    if (this.child === undefined || this.child.exitCode !== null || this.child.signalCode !== null) return;
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), 30_000);
    this.child.kill('SIGTERM');
    await this.exited;
    clearTimeout(timer);
  }
}

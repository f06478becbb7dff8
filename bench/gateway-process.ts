import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ROOT } from './proc.js';

/** Reads a "VmXXX:   1234 kB" line of /proc/<pid>/status, in KiB; null if the process is gone. */
export function procStatusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Samples a process's resident set size until stopped; VmHWM (the kernel's peak) is read at the end. */
export class RssSampler {
  private maxRss = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pid: number) {
    this.timer = setInterval(() => this.sample(), 250);
    this.timer.unref();
    this.sample();
  }

  private sample(): void {
    this.maxRss = Math.max(this.maxRss, procStatusKiB(this.pid, 'VmRSS') ?? 0);
  }

  /** Must be called while the process still runs, since /proc forgets it on exit. */
  stop(): { peakRssKiB: number; hwmKiB: number | null } {
    this.sample();
    clearInterval(this.timer);
    return { peakRssKiB: this.maxRss, hwmKiB: procStatusKiB(this.pid, 'VmHWM') };
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export interface GatewayProcess {
  pid: number;
  bootstrap: string;
  stop(): Promise<void>;
}

export interface GatewayExtras {
  /** Appended to the gateway's own flags (e.g. --masters, --namespace). */
  args?: readonly string[];
  /** Given to node before the script (e.g. --cpu-prof). */
  nodeArgs?: readonly string[];
  /** More listeners (NAME://host:port,…) beside the PLAINTEXT one the process is reached on. */
  extraListeners?: string;
  /** Another checkout's build to run (bench/baseline.ts), instead of this one's. */
  root?: string;
  /** Receives the gateway's log (its stdout), which is otherwise discarded. */
  onLog?: (chunk: Buffer) => void;
}

/** Starts `node bin/kafka-gateway.js` (which runs dist/cli.js) as its own process and waits (bounded) until it accepts connections. */
export async function startGatewayProcess(
  partitions: number,
  extras: GatewayExtras = {},
): Promise<GatewayProcess> {
  const root = extras.root ?? ROOT;
  const cli = path.join(root, 'dist', 'cli.js');
  if (!existsSync(cli)) {
    throw new Error(`${cli} is missing: the build did not produce it`);
  }
  const port = await freePort();
  const bin = path.join(root, 'bin', 'kafka-gateway.js');
  const args = [...(extras.nodeArgs ?? []), bin, '--host', '127.0.0.1', '--port', String(port)];
  args.push('--default-partitions', String(partitions), '--log-level', 'warn', ...(extras.args ?? []));
  if (extras.extraListeners !== undefined) {
    args.push('--listeners', `PLAINTEXT://127.0.0.1:${port},${extras.extraListeners}`);
  }
  // The command line's default store keeps files in ./kafka-gateway-data, here the checkout: a run
  // that names no store (and no cluster) gets the memory store instead.
  if (!args.includes('--store') && !args.includes('--masters')) args.push('--store', 'memory');
  const stdout = extras.onLog === undefined ? 'ignore' : 'pipe';
  const child = spawn(process.execPath, args, { stdio: ['ignore', stdout, 'inherit'], cwd: ROOT });
  if (extras.onLog !== undefined) child.stdout?.on('data', extras.onLog);
  return waitListening(child, port, 'gateway');
}

/**
 * Waits (bounded) until a server process accepts connections on 127.0.0.1:port; the returned stop()
 * sends SIGTERM, then SIGKILL after 10 s.
 */
export async function waitListening(
  child: ChildProcess,
  port: number,
  name: string,
): Promise<GatewayProcess> {
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));
  const deadline = Date.now() + 60_000;
  while (!(await canConnect(port))) {
    if (exited !== undefined) {
      throw new Error(`${name} exited with code ${String(exited)} before listening`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not listen within 60 s`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    pid: child.pid ?? -1,
    bootstrap: `127.0.0.1:${port}`,
    stop: async () => {
      if (exited !== undefined) {
        return;
      }
      const done = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await done;
      clearTimeout(timer);
    },
  };
}

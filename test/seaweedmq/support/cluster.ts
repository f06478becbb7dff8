/**
 * A real, throw-away SeaweedFS for the SeaweedMQ tests: `weed server` (master + volume + filer) and a
 * separate `weed mq.broker` (so a test can restart the broker alone), on 127.0.0.1, free ports, a
 * temporary directory. Process ids are kept in files in that directory so any process (global setup,
 * a test worker that restarted the broker) can stop what is running.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { MasterClient, MessagingClient } from '../../../src/storage/seaweedmq/proto.js';

export interface ClusterInfo {
  readonly dir: string;
  readonly weed: string;
  readonly masterPort: number;
  readonly volumePort: number;
  readonly filerPort: number;
  readonly brokerPort: number;
  /** --masters value for the gateway. */
  readonly masters: string;
  readonly broker: string;
}

const REPO = join(dirname(fileURLToPath(import.meta.url)), '../../..');

export function findWeed(): string {
  if (process.env.WEED_BIN) return process.env.WEED_BIN;
  const out = execFileSync('bash', [join(REPO, 'scripts/seaweedfs/install-weed.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const path = out.trim().split('\n').pop() ?? '';
  if (!existsSync(path)) throw new Error(`install-weed.sh printed no weed binary: '${path}'`);
  return path;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A base port P with P..P+3 and P+10000..P+10002 free (gRPC is HTTP port + 10000 in SeaweedFS). */
async function pickBase(): Promise<number> {
  for (let i = 0; i < 100; i++) {
    // Below Linux's ephemeral range (32768+) for both P and P+10000, so no outgoing connection can
    // take one of these ports between this check and the servers binding them.
    const p = 10000 + Math.floor(Math.random() * 12000);
    const ports = [p, p + 1, p + 2, p + 3, p + 10000, p + 10001, p + 10002];
    let ok = true;
    for (const q of ports) if (!(await portFree(q))) ok = false;
    if (ok) return p;
  }
  throw new Error('no free port range for SeaweedFS');
}

function spawnLogged(cmd: string, args: string[], log: string, pidFile: string): number {
  const fd = openSync(log, 'a');
  // detached: its own process group, so stopping it also stops anything it started.
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', fd, fd] });
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start ${cmd}`);
  writeFileSync(pidFile, String(child.pid));
  return child.pid;
}

export async function startCluster(timeoutMs = 120_000): Promise<ClusterInfo> {
  // Another process may still bind one of the chosen ports first: then try other ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(timeoutMs);
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
}

async function startOnce(timeoutMs: number): Promise<ClusterInfo> {
  const weed = findWeed();
  const base = await pickBase();
  const dir = mkdtempSync(join(tmpdir(), 'seaweedmq-test-'));
  mkdirSync(join(dir, 'data'));
  const info: ClusterInfo = {
    dir,
    weed,
    masterPort: base,
    volumePort: base + 1,
    filerPort: base + 2,
    brokerPort: base + 3,
    masters: `127.0.0.1:${base}`,
    broker: `127.0.0.1:${base + 3}`,
  };
  writeFileSync(join(dir, 'cluster.json'), JSON.stringify(info));
  try {
    await startServers(info, timeoutMs);
  } catch (err) {
    stopCluster(info, true);
    throw err;
  }
  return info;
}

/** `weed server` (master, volume, filer) and then the broker, on the cluster's directory and ports. */
async function startServers(info: ClusterInfo, timeoutMs: number): Promise<void> {
  spawnLogged(
    info.weed,
    [
      'server',
      `-dir=${join(info.dir, 'data')}`,
      '-ip=127.0.0.1',
      '-ip.bind=127.0.0.1',
      `-master.port=${info.masterPort}`,
      `-volume.port=${info.volumePort}`,
      '-filer',
      `-filer.port=${info.filerPort}`,
      '-master.volumeSizeLimitMB=64',
      '-volume.max=0',
    ],
    join(info.dir, 'server.log'),
    join(info.dir, 'server.pid'),
  );
  const what = 'SeaweedFS filer to register with the master';
  await waitFor(() => filerListed(info), timeoutMs, what, info.dir, join(info.dir, 'server.pid'));
  await startBrokerAndWait(info, timeoutMs);
}

/**
 * Stops every SeaweedFS process of the cluster (broker first, then master, volume and filer) and starts
 * them again on the same data directory and ports.
 */
export async function restartCluster(info: ClusterInfo, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  await killGroup(join(info.dir, 'broker.pid'), signal);
  await killGroup(join(info.dir, 'server.pid'), signal);
  await startServers(info, 120_000);
}

export function startBroker(info: ClusterInfo): void {
  spawnLogged(
    info.weed,
    [
      ...(process.env.WEED_V ? [`-v=${process.env.WEED_V}`] : []),
      'mq.broker',
      `-master=${info.masters}`,
      '-ip=127.0.0.1',
      `-port=${info.brokerPort}`,
      '-logFlushInterval=0',
    ],
    join(info.dir, 'broker.log'),
    join(info.dir, 'broker.pid'),
  );
}

export async function waitBroker(info: ClusterInfo, timeoutMs = 60_000): Promise<void> {
  await waitFor(() => brokerReady(info), timeoutMs, 'SeaweedMQ broker to elect a balancer leader', info.dir);
}

/** Stops the broker's process group (SIGTERM, or the signal given) and waits until it is gone. */
export async function stopBroker(info: ClusterInfo, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  await killGroup(join(info.dir, 'broker.pid'), signal);
}

/**
 * Restarts the broker and waits until it holds the balancer lock again. A request that reaches it
 * before then makes it cache the topic as unassigned for 30 s (its topic cache TTL), so the gRPC
 * port being open is not enough; its log is the only place that says so.
 */
export async function restartBroker(info: ClusterInfo, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  await stopBroker(info, signal);
  await startBrokerAndWait(info, 60_000);
}

async function startBrokerAndWait(info: ClusterInfo, timeoutMs: number): Promise<void> {
  const log = join(info.dir, 'broker.log');
  const from = existsSync(log) ? readFileSync(log).length : 0;
  startBroker(info);
  await waitFor(
    async () => readFileSync(log).subarray(from).toString().includes('connects to balancer'),
    timeoutMs,
    'the broker to connect to the balancer',
    info.dir,
    join(info.dir, 'broker.pid'),
  );
  await waitBroker(info, timeoutMs);
}

export function stopCluster(info: ClusterInfo, keepLogs = false): void {
  for (const name of ['broker', 'server']) {
    const pidFile = join(info.dir, `${name}.pid`);
    const pid = readPid(pidFile);
    if (pid === undefined) continue;
    signalGroup(pid, 'SIGTERM');
    const deadline = Date.now() + 10_000;
    while (alive(pid) && Date.now() < deadline) execFileSync('sleep', ['0.2']);
    signalGroup(pid, 'SIGKILL');
  }
  // weed puts local gRPC sockets at fixed paths in /tmp and leaves them behind.
  const grpc = [info.masterPort, info.volumePort, info.filerPort].map((p) => p + 10000);
  const sockets = [
    `/tmp/seaweedfs-master-grpc-${grpc[0]}.sock`,
    `/tmp/seaweedfs-volume-grpc-${grpc[1]}.sock`,
    `/tmp/seaweedfs-filer-grpc-${grpc[2]}.sock`,
    `/tmp/seaweedfs-filer-${info.filerPort}.sock`,
  ];
  for (const s of sockets) rmSync(s, { force: true });
  if (!keepLogs && !process.env.SEAWEED_KEEP_DIR) rmSync(info.dir, { recursive: true, force: true });
}

async function killGroup(pidFile: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const pid = readPid(pidFile);
  if (pid === undefined) return;
  signalGroup(pid, signal);
  const deadline = Date.now() + 10_000;
  while (alive(pid) && Date.now() < deadline) await sleep(100);
  signalGroup(pid, 'SIGKILL');
  rmSync(pidFile, { force: true });
}

function readPid(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8'));
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
  dir: string,
  pidFile?: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    // A server that died (a port taken after all) will not come up: say so now, not at the timeout.
    const pid = pidFile === undefined ? undefined : readPid(pidFile);
    if (pid !== undefined && !alive(pid))
      throw new Error(`${pidFile} exited while waiting for ${what}; logs in ${dir}`);
    await sleep(250);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; logs in ${dir}`);
}

function call<T>(client: grpc.Client, method: string, req: object): Promise<T> {
  return new Promise((resolve, reject) => {
    const fn = (client as unknown as Record<string, (...a: unknown[]) => void>)[method]!;
    fn.call(client, req, { deadline: Date.now() + 2000 }, (err: Error | null, res: T) =>
      err ? reject(err) : resolve(res),
    );
  });
}

async function filerListed(info: ClusterInfo): Promise<boolean> {
  const client = new MasterClient(`127.0.0.1:${info.masterPort + 10000}`, grpc.credentials.createInsecure());
  try {
    const res = await call<{ cluster_nodes: unknown[] }>(client, 'ListClusterNodes', {
      client_type: 'filer',
    });
    return res.cluster_nodes.length > 0;
  } finally {
    client.close();
  }
}

async function brokerReady(info: ClusterInfo): Promise<boolean> {
  const client = new MessagingClient(info.broker, grpc.credentials.createInsecure());
  try {
    const leader = await call<{ broker: string }>(client, 'FindBrokerLeader', {});
    if (!leader.broker) return false;
    await call(client, 'ListTopics', {});
    return true;
  } finally {
    client.close();
  }
}

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createConnection, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'test', 'cli', 'run-cli.ts')];

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

// Each run starts in a directory of its own: with no flags the gateway keeps its log store in
// ./kafka-gateway-data, which must not land in the checkout.
const cwd = mkdtempSync(join(tmpdir(), 'cli-test-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

function run(
  args: string[],
  env: Record<string, string> = {},
  onStdout?: (text: string, kill: () => void) => void,
) {
  return new Promise<Exit>((resolve) => {
    const child = spawn(process.execPath, [...CLI, ...args], { env: { ...process.env, ...env }, cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      onStdout?.(stdout, () => child.kill('SIGTERM'));
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
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

describe('kafka-gateway command line', () => {
  it('prints help naming every flag', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const flag of [
      '--port',
      '--host',
      '--advertised-host',
      '--advertised-port',
      '--store',
      '--data-dir',
      '--log-flush-interval-messages',
      '--default-partitions',
      '--auto-create-topics',
      '--max-request-bytes',
      '--log-level',
      '--node-id',
    ]) {
      expect(r.stdout).toContain(flag);
    }
  });

  it('refuses a bad port with a clear error', async () => {
    const r = await run(['--port', 'abc']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--port.*expected a whole number from 0 to 65535, got "abc"/);
  });

  it('refuses bad values from the environment too', async () => {
    const r = await run([], { KAFKA_GATEWAY_DEFAULT_PARTITIONS: '0' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/default-partitions/);
  });

  it('refuses an unknown store', async () => {
    const r = await run(['--store', 'nope']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Allowed choices are memory, log, seaweedmq/);
  });

  it('never turns a SeaweedMQ request into the memory store', async () => {
    const missing = await run(['--store', 'seaweedmq']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('--store seaweedmq needs --masters host:port');
    const contradictory = await run(['--store', 'memory', '--masters', '127.0.0.1:9333']);
    expect(contradictory.code).toBe(1);
    expect(contradictory.stderr).toContain('--store memory was asked for');
  });

  it('keeps its records in ./kafka-gateway-data when no store is named', async () => {
    let stored: string | undefined;
    let checked: Promise<boolean> | undefined;
    const r = await run(['--port', '0', '--host', '127.0.0.1', '--log-level', 'info'], {}, (out, kill) => {
      const m = /"port":(\d+),"store":"(\w+)"[^\n]*kafka-gateway listening/.exec(out);
      if (m !== null && checked === undefined) {
        stored = m[2];
        // Once it answers, the gateway has its signal handlers too.
        checked = canConnect(Number(m[1])).finally(kill);
      }
    });
    expect(await checked).toBe(true);
    expect(r.code).toBe(0);
    expect(stored).toBe('log');
    expect(existsSync(join(cwd, 'kafka-gateway-data', 'meta', 'metadata.log'))).toBe(true);
    expect(existsSync(join(cwd, 'kafka-gateway-data', '.clean-shutdown'))).toBe(true);
  });

  it('reports a port already in use in one line', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as AddressInfo).port;
    try {
      const r = await run(['--port', String(taken), '--host', '127.0.0.1', '--log-level', 'silent']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^kafka-gateway: listen EADDRINUSE/m);
    } finally {
      blocker.close();
    }
  });

  it('listens, and exits 0 on SIGTERM', async () => {
    let port = 0;
    let checked: Promise<boolean> | undefined;
    const r = await run(['--port', '0', '--host', '127.0.0.1', '--log-level', 'info'], {}, (out, kill) => {
      const m = /"port":(\d+)[^\n]*kafka-gateway listening/.exec(out);
      if (m !== null && checked === undefined) {
        port = Number(m[1]);
        checked = canConnect(port).finally(kill);
      }
    });
    expect(port).toBeGreaterThan(0);
    expect(await checked).toBe(true);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('kafka-gateway stopped');
  });
});

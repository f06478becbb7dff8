import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface Captured {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs a command with a hard time limit, capturing output; stderr is also echoed for progress. */
export function runCaptured(
  command: string,
  args: readonly string[],
  timeoutMs: number,
  echoStderr = true,
): Promise<Captured> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
      if (echoStderr) {
        process.stderr.write(s);
      }
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}

/** Runs a setup step (build, download) and throws if it fails; returns stdout when asked to. */
export async function runLogged(
  command: string,
  args: readonly string[],
  options: { capture?: boolean; timeoutMs?: number } = {},
): Promise<string> {
  const r = await runCaptured(command, args, options.timeoutMs ?? 900_000);
  if (!options.capture) {
    process.stderr.write(r.stdout);
  }
  if (r.timedOut || r.code !== 0) {
    throw new Error(`${command} ${args.join(' ')}: ${r.timedOut ? 'timed out' : `exit ${String(r.code)}`}`);
  }
  return r.stdout;
}

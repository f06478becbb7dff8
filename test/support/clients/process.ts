import { spawn } from 'node:child_process';

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
  timedOut: boolean;
}

export interface RunOptions {
  input?: Buffer;
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/**
 * Runs a command to completion with a hard time limit: a client that hangs on a broken server must
 * fail the test, never stall the suite. stdout stays binary because kcat prints raw record bytes.
 */
export function runProcess(
  command: string,
  args: readonly string[],
  options: RunOptions,
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: options.env ?? process.env,
      cwd: options.cwd,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
      });
    });
    // A client that exits before reading all input must surface as its own exit code, not EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? Buffer.alloc(0));
  });
}

/** Throws with the command's stderr when it timed out or exited non-zero. */
export function checkResult(what: string, result: ProcessResult): ProcessResult {
  if (result.timedOut) {
    throw new Error(`${what}: timed out\n${tail(result.stderr)}`);
  }
  if (result.code !== 0) {
    throw new Error(`${what}: exit code ${String(result.code ?? result.signal)}\n${tail(result.stderr)}`);
  }
  return result;
}

function tail(text: string): string {
  const lines = text.trimEnd().split('\n');
  return lines.slice(-40).join('\n');
}

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

/** One JSON line printed by a client process (Java harness, Go or Python programs). */
export interface ClientEvent {
  /** Wall-clock milliseconds when the client printed it; comparable across processes on one host. */
  t: number;
  ev: string;
  /** The member (consumer) that printed it, when the process runs several. */
  m?: string;
  [field: string]: unknown;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface LineProcessOptions {
  /** Hard limit after which the process is killed: a test must never hang on a stuck client. */
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Shown in errors. */
  label: string;
}

/**
 * A long-lived client process that prints JSON events on stdout and takes commands on stdin. Tests
 * wait on conditions over the events seen so far (bounded), never on sleeps.
 */
export class LineProcess {
  readonly events: ClientEvent[] = [];
  readonly exited: Promise<Exit>;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly label: string;
  private readonly waiters = new Set<() => void>();
  private stderr = '';
  private partial = '';
  private exit: Exit | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(command: string, args: readonly string[], options: LineProcessOptions) {
    this.label = options.label;
    this.child = spawn(command, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: options.env ?? process.env,
      cwd: options.cwd,
    });
    this.timer = setTimeout(() => this.child.kill('SIGKILL'), options.timeoutMs);
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => this.onData(chunk));
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (chunk: string) => {
      // Keep the tail only: clients can be chatty at WARN during rebalances.
      this.stderr = (this.stderr + chunk).slice(-20_000);
    });
    this.child.stdin.on('error', () => undefined);
    this.exited = new Promise((resolve, reject) => {
      this.child.on('error', reject);
      this.child.on('close', (code, signal) => {
        clearTimeout(this.timer);
        if (this.partial.trim() !== '') {
          this.onData('\n');
        }
        this.exit = { code, signal };
        this.notify();
        resolve(this.exit);
      });
    });
    // Rejections surface through waitFor/stop; an unobserved one must not crash the runner.
    this.exited.catch(() => undefined);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  stderrTail(lines = 30): string {
    return this.stderr.trimEnd().split('\n').slice(-lines).join('\n');
  }

  send(line: string): void {
    if (this.running) {
      this.child.stdin.write(`${line}\n`);
    }
  }

  /** Resolves with the first event (from the start) that matches, or rejects after timeoutMs. */
  async waitFor(
    what: string,
    predicate: (e: ClientEvent) => boolean,
    timeoutMs: number,
    from = 0,
  ): Promise<ClientEvent> {
    let found: ClientEvent | undefined;
    await this.waitUntil(
      what,
      () => {
        found = this.events.slice(from).find(predicate);
        return found !== undefined;
      },
      timeoutMs,
    );
    return found as ClientEvent;
  }

  /** Waits until check() holds, re-evaluated on every new event (and every 250 ms), or throws. */
  waitUntil(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (error?: Error): void => {
        this.waiters.delete(poll);
        clearTimeout(deadline);
        clearInterval(tick);
        if (error) {
          reject(error);
        } else {
          resolve();
        }
      };
      const poll = (): void => {
        try {
          if (check()) {
            done();
          } else if (this.exit) {
            done(this.failure(`${what}: process exited (${this.exitText()}) first`));
          }
        } catch (e) {
          done(e as Error);
        }
      };
      const deadline = setTimeout(() => done(this.failure(`${what}: not within ${timeoutMs} ms`)), timeoutMs);
      const tick = setInterval(poll, 250);
      this.waiters.add(poll);
      poll();
    });
  }

  /** Sends "stop" and waits for a clean exit; kills and throws if it does not come in time. */
  async stop(timeoutMs = 90_000): Promise<Exit> {
    this.send('stop');
    const exit = await this.waitExit(timeoutMs);
    if (exit.code !== 0) {
      throw this.failure(`stop: exited with ${this.exitText()}`);
    }
    return exit;
  }

  /** Waits for the process to end by itself (bounded); kills it if it does not. */
  async waitExit(timeoutMs: number): Promise<Exit> {
    const timeout = new Promise<'timeout'>((resolve) =>
      setTimeout(() => resolve('timeout'), timeoutMs).unref(),
    );
    const result = await Promise.race([this.exited, timeout]);
    if (result === 'timeout') {
      this.kill();
      await this.exited;
      throw this.failure(`did not exit within ${timeoutMs} ms`);
    }
    return result;
  }

  /** SIGKILL by default: the process gets no chance to leave its group or commit. */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.running) {
      this.child.kill(signal);
    }
  }

  failure(message: string): Error {
    const stderr = this.stderrTail();
    return new Error(`${this.label}: ${message}${stderr ? `\n--- stderr ---\n${stderr}` : ''}`);
  }

  private exitText(): string {
    return this.exit ? String(this.exit.code ?? this.exit.signal) : 'running';
  }

  private onData(chunk: string): void {
    const text = this.partial + chunk;
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') {
        continue;
      }
      try {
        this.events.push(JSON.parse(line) as ClientEvent);
      } catch {
        this.events.push({ t: Date.now(), ev: 'unparsed', line });
      }
    }
    this.notify();
  }

  private notify(): void {
    for (const w of [...this.waiters]) {
      w();
    }
  }
}

/**
 * A pass of background work run every so often (retention, the log cleaner): one at a time, on an
 * unref'd timer (a pending pass is no reason to keep the process alive), also runnable on demand;
 * stop() waits for the pass in progress.
 */
import type { Logger } from '../log.js';

export class PeriodicPass<T> {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<T> | undefined;
  private started = false;

  constructor(
    private readonly pass: () => Promise<T>,
    private readonly intervalMs: number,
    private readonly log: Logger,
    /** Names the pass in the log line of a failure. */
    private readonly what: string,
  ) {}

  /** Starts the timer; calling it again does nothing. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.schedule();
  }

  /** Stops the timer and waits for a pass in progress. */
  async stop(): Promise<void> {
    this.started = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** Runs a pass now (after the one in progress, if any). */
  async runNow(): Promise<T> {
    while (this.running !== undefined) await this.running.catch(() => undefined);
    const pass = this.pass();
    this.running = pass;
    try {
      return await pass;
    } finally {
      this.running = undefined;
    }
  }

  private schedule(): void {
    if (!this.started) return;
    this.timer = setTimeout(() => {
      this.runNow().then(
        () => this.schedule(),
        (err: unknown) => {
          this.log.error({ err }, `${this.what} failed`);
          this.schedule();
        },
      );
    }, this.intervalMs);
    this.timer.unref();
  }
}

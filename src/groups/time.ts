/** Ports through which the coordinator sees time; production uses real-time.ts, tests a fake. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** Cancels a scheduled callback; calling it after the callback ran (or twice) does nothing. */
export type Cancel = () => void;

export interface Timers {
  /** Runs `fn` once, `delayMs` from now (0 means "soon", never synchronously). */
  schedule(delayMs: number, fn: () => void): Cancel;
}

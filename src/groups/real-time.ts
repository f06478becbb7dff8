import type { Cancel, Clock, Timers } from './time.js';

export const systemClock: Clock = { now: () => Date.now() };

/** setTimeout-backed timers; unref'd so pending session timeouts never keep the process alive. */
export const realTimers: Timers = {
  schedule(delayMs: number, fn: () => void): Cancel {
    const handle = setTimeout(fn, Math.max(0, delayMs));
    handle.unref();
    return () => clearTimeout(handle);
  },
};

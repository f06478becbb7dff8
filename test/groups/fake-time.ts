import type { Cancel, Clock, Timers } from '../../src/groups/time.js';

interface Entry {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** A manual clock: advance(ms) fires every timer that falls due, in due-time order (ties: scheduling order). */
export class FakeTime implements Clock, Timers {
  private current: number;
  private seq = 0;
  private entries: Entry[] = [];

  constructor(start = 1_000_000) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  schedule(delayMs: number, fn: () => void): Cancel {
    const entry: Entry = { at: this.current + Math.max(0, delayMs), seq: this.seq++, fn, cancelled: false };
    this.entries.push(entry);
    return () => {
      entry.cancelled = true;
    };
  }

  /** Timers still waiting to fire. */
  get pending(): number {
    return this.entries.filter((e) => !e.cancelled).length;
  }

  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      this.entries = this.entries.filter((e) => !e.cancelled);
      let next: Entry | undefined;
      for (const e of this.entries) {
        if (
          e.at <= target &&
          (next === undefined || e.at < next.at || (e.at === next.at && e.seq < next.seq))
        ) {
          next = e;
        }
      }
      if (next === undefined) break;
      next.cancelled = true;
      this.current = next.at;
      next.fn();
    }
    this.current = target;
  }
}

import type { Storage, Unsubscribe } from '../storage/storage.js';

/**
 * Waits until any of a set of partitions changes, a time runs out or the request is abandoned.
 * Subscribe before reading, so an append that lands between the read and the wait is not missed.
 */
export class ChangeWatch {
  private readonly unsubscribes: Unsubscribe[] = [];
  private changed = false;
  private wake: (() => void) | undefined;

  constructor(storage: Storage, partitions: readonly { topic: string; partition: number }[]) {
    const onChange = (): void => {
      this.changed = true;
      this.wake?.();
    };
    for (const p of partitions) this.unsubscribes.push(storage.onChange(p.topic, p.partition, onChange));
  }

  /** Resolves true on a change, false on timeout or abort. */
  wait(timeoutMs: number, signal: AbortSignal): Promise<boolean> {
    if (this.changed) return Promise.resolve(true);
    if (timeoutMs <= 0 || signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const finish = (value: boolean): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.wake = undefined;
        resolve(value);
      };
      const onAbort = (): void => finish(false);
      const timer = setTimeout(() => finish(false), timeoutMs);
      signal.addEventListener('abort', onAbort, { once: true });
      this.wake = () => finish(true);
    });
  }

  close(): void {
    for (const u of this.unsubscribes) u();
    this.unsubscribes.length = 0;
  }
}

/**
 * onChange for long-polling fetches. Appends through this gateway fire listeners at once; records
 * written by anyone else (another gateway, a SeaweedMQ client) are noticed by polling the high
 * watermark of partitions that have waiting listeners — one poll per partition, however many wait.
 */
import type { Logger } from 'pino';
import type { Unsubscribe } from '../storage.js';

type Probe = (topic: string, partition: number) => Promise<bigint | undefined>;

interface Watch {
  readonly topic: string;
  readonly partition: number;
  readonly listeners: Set<() => void>;
  lastSeen: bigint | undefined;
}

export class ChangeWatch {
  private readonly watches = new Map<string, Watch>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(
    private readonly probe: Probe,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  get size(): number {
    let n = 0;
    for (const w of this.watches.values()) n += w.listeners.size;
    return n;
  }

  subscribe(topic: string, partition: number, listener: () => void, highWatermark?: bigint): Unsubscribe {
    const key = `${topic}\u0000${partition}`;
    let w = this.watches.get(key);
    if (w === undefined) {
      w = { topic, partition, listeners: new Set(), lastSeen: highWatermark };
      this.watches.set(key, w);
    }
    const watch = w;
    // Wrap so the same function can be registered twice and each registration fires once.
    const once = (): void => listener();
    watch.listeners.add(once);
    this.ensureTimer();
    return () => {
      watch.listeners.delete(once);
      if (watch.listeners.size === 0) this.watches.delete(key);
    };
  }

  notify(topic: string, partition: number, highWatermark?: bigint): void {
    const key = `${topic}\u0000${partition}`;
    const w = this.watches.get(key);
    if (w === undefined) return;
    if (highWatermark !== undefined) w.lastSeen = highWatermark;
    this.fire(key, w);
  }

  notifyTopic(topic: string): void {
    for (const [key, w] of this.watches) if (w.topic === topic) this.fire(key, w);
  }

  notifyAll(): void {
    for (const [key, w] of this.watches) this.fire(key, w);
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.notifyAll();
  }

  private fire(key: string, w: Watch): void {
    const listeners = [...w.listeners];
    this.watches.delete(key);
    for (const l of listeners) {
      try {
        l();
      } catch (err) {
        this.logger.error({ err }, 'partition change listener threw');
      }
    }
  }

  private ensureTimer(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    if (this.watches.size === 0) {
      if (this.timer) clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    if (this.polling) return;
    this.polling = true;
    try {
      await Promise.all(
        [...this.watches].map(async ([key, w]) => {
          const hwm = await this.probe(w.topic, w.partition).catch(() => undefined);
          if (hwm === undefined) return;
          if (w.lastSeen === undefined) w.lastSeen = hwm;
          else if (hwm !== w.lastSeen && this.watches.get(key) === w) {
            w.lastSeen = hwm;
            this.fire(key, w);
          }
        }),
      );
    } finally {
      this.polling = false;
    }
  }
}

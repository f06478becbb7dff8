/**
 * The gateway-wide bound on request bytes held in memory (Kafka's queued.max.request.bytes): bytes
 * received but not yet handled, whether a frame is still arriving or waits in a connection's queue.
 * Connections count what they read and give it back when a request has been handled or the
 * connection closes; while the budget is spent, no connection reads its socket (backpressure through
 * TCP), so N slow or hostile connections cannot make the process allocate N x max-request-bytes.
 */
export class RequestBudget {
  private used = 0;
  private readonly waiting = new Set<() => void>();

  constructor(readonly limit: number) {}

  get usedBytes(): number {
    return this.used;
  }

  get exhausted(): boolean {
    return this.used >= this.limit;
  }

  take(bytes: number): void {
    this.used += bytes;
  }

  give(bytes: number): void {
    this.used -= bytes;
    if (this.used < this.limit && this.waiting.size > 0) {
      const ready = [...this.waiting];
      this.waiting.clear();
      for (const resume of ready) resume();
    }
  }

  /** Calls `resume` once, as soon as the budget has room again. Returns a cancel function. */
  whenRoom(resume: () => void): () => void {
    this.waiting.add(resume);
    return () => this.waiting.delete(resume);
  }
}

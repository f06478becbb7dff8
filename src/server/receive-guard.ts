import { release } from './reclaim.js';
import type { RequestBudget } from './request-budget.js';

export interface ReceiveLimits {
  /** Shared by every connection of the server. */
  readonly budget: RequestBudget;
  /** How long a request may take to arrive once it has begun (no frame completing meanwhile). */
  readonly requestReceiveTimeoutMs: number;
}

/**
 * One connection's share of the request budget and its receive deadline: it counts the bytes read
 * and not yet handled, gives them back as requests finish or the connection closes, and reports a
 * request whose bytes stopped arriving (a stalled or hostile client holding a partial frame).
 */
export class ReceiveGuard {
  private held = 0;
  private stallTimer: NodeJS.Timeout | undefined;
  private cancelWait: (() => void) | undefined;
  private closed = false;

  constructor(
    private readonly limits: ReceiveLimits,
    private readonly onStalled: () => void,
    private readonly onRoom: () => void,
  ) {}

  /** Bytes just read from the socket. */
  read(bytes: number): void {
    this.held += bytes;
    this.limits.budget.take(bytes);
  }

  /** A whole frame arrived: the receive deadline starts again with the next one. */
  frameReceived(): void {
    clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
  }

  /** After a chunk was split into frames: whether part of a frame is still waiting for its rest. */
  partial(pending: boolean): void {
    if (!pending) {
      this.frameReceived();
    } else if (this.stallTimer === undefined) {
      this.stallTimer = setTimeout(this.onStalled, this.limits.requestReceiveTimeoutMs);
    }
  }

  /** A request of `bytes` (size prefix included) has been handled: its memory is free again. */
  handled(bytes: number): void {
    if (this.closed) return; // close() gave back everything, this request included
    this.held -= bytes;
    this.limits.budget.give(bytes);
  }

  /** Whether reading must wait for the budget; if so, onRoom is called once it has room. */
  get blocked(): boolean {
    if (!this.limits.budget.exhausted) return false;
    this.cancelWait ??= this.limits.budget.whenRoom(() => {
      this.cancelWait = undefined;
      this.onRoom();
    });
    return true;
  }

  /** The connection closed: everything it held goes back to the budget. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.stallTimer);
    this.cancelWait?.();
    release(this.limits.budget, this.held);
    this.held = 0;
  }
}

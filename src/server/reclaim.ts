/**
 * Gives memory back after connections that held large partial requests go away. Their socket
 * chunks become garbage, but the process may not collect them for a long time: measured, 300 MB
 * stayed allocated a minute after twenty stalled connections closed, and the connections that
 * resumed reading meanwhile pushed the process to twice the request budget. So a large release
 * returns to the budget only after one full collection has freed it; with glibc's
 * MALLOC_MMAP_THRESHOLD_=65536 (set by the Dockerfile, see docs/operations.md) the pages also leave
 * the process.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import type { RequestBudget } from './request-budget.js';

/** Releases smaller than this go back at once and are left to the collector's own schedule. */
export const RECLAIM_MIN_BYTES = 8 * 1024 * 1024;
/** Releases arriving together (many stalled connections timing out at once) share one collection. */
const GATHER_MS = 20;

let collect: (() => void) | undefined;
const pending = new Map<RequestBudget, number>();
let timer: NodeJS.Timeout | undefined;

function collector(): () => void {
  if (collect === undefined) {
    // --expose-gc set at run time defines gc() only in contexts created afterwards.
    v8.setFlagsFromString('--expose-gc');
    collect = vm.runInNewContext('gc') as () => void;
  }
  return collect;
}

function collectAndGiveBack(): void {
  timer = undefined;
  collector()();
  const released = [...pending];
  pending.clear();
  for (const [budget, bytes] of released) budget.give(bytes);
}

/** Returns `bytes` a closed connection held to `budget`, after freeing them if they are many. */
export function release(budget: RequestBudget, bytes: number): void {
  if (bytes < RECLAIM_MIN_BYTES) {
    budget.give(bytes);
    return;
  }
  pending.set(budget, (pending.get(budget) ?? 0) + bytes);
  timer ??= setTimeout(collectAndGiveBack, GATHER_MS);
}

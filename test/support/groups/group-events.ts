import type { ClientEvent, LineProcess } from './line-process.js';
import type { DescribedGroup } from './java-groups.js';
import type { Produced } from './ledger.js';

/** Polls check() every 200 ms until it holds; throws with describe() after timeoutMs. */
export async function waitUntil(
  what: string,
  check: () => boolean,
  timeoutMs: number,
  describe: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) {
      const detail = describe();
      throw new Error(`${what}: not within ${timeoutMs} ms${detail ? `\n${detail}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Every event of several processes, in time order. */
export function allEvents(processes: readonly LineProcess[]): ClientEvent[] {
  return processes.flatMap((p) => p.events).sort((a, b) => a.t - b.t);
}

/** Positions ("p@o") processed so far by any member of the given processes. */
export function processedPositions(processes: readonly LineProcess[]): Set<string> {
  const seen = new Set<string>();
  for (const proc of processes) {
    for (const e of proc.events) {
      if (e.ev === 'rec') {
        seen.add(`${String(e.p)}@${String(e.o)}`);
      }
    }
  }
  return seen;
}

/** Waits until every produced record was processed by someone. */
export async function waitAllProcessed(
  processes: readonly LineProcess[],
  produced: readonly Produced[],
  timeoutMs: number,
): Promise<void> {
  let missing = produced.length;
  await waitUntil(
    `all ${produced.length} records processed`,
    () => {
      const seen = processedPositions(processes);
      missing = produced.filter((r) => !seen.has(`${r.p}@${r.o}`)).length;
      return missing === 0;
    },
    timeoutMs,
    () => `${missing} records not processed; last events:\n${tailEvents(processes)}`,
  );
}

/** The group as the watcher last saw it through DescribeGroups. */
export function groupViews(proc: LineProcess, from = 0): Array<{ t: number; d: DescribedGroup }> {
  return proc.events
    .slice(from)
    .filter((e) => e.ev === 'group' && (e.d as { state?: string }).state !== undefined)
    .map((e) => ({ t: e.t, d: e.d as DescribedGroup }));
}

/**
 * Stable with exactly these members (client ids) and every one of the partitions owned by exactly
 * one of them, as reported by DescribeGroups.
 */
export function isStableWith(d: DescribedGroup, members: readonly string[], partitions: number): boolean {
  if (d.state !== 'Stable') {
    return false;
  }
  const clients = d.members.map((m) => m.client).sort();
  if (JSON.stringify(clients) !== JSON.stringify([...members].sort())) {
    return false;
  }
  const owned = d.members.flatMap((m) => m.parts).sort((a, b) => a - b);
  return JSON.stringify(owned) === JSON.stringify([...Array(partitions).keys()]);
}

/** Waits for the watcher (in `watcher`) to report a Stable group with these members; returns when. */
export async function waitStable(
  watcher: LineProcess,
  members: readonly string[],
  partitions: number,
  timeoutMs: number,
  from = 0,
): Promise<{ t: number; d: DescribedGroup }> {
  let found: { t: number; d: DescribedGroup } | undefined;
  await waitUntil(
    `group Stable with members [${[...members].sort().join(', ')}]`,
    () => {
      found = groupViews(watcher, from).find((v) => isStableWith(v.d, members, partitions));
      return found !== undefined;
    },
    timeoutMs,
    () =>
      `last views:\n${groupViews(watcher, from)
        .slice(-3)
        .map((v) => JSON.stringify(v))
        .join('\n')}`,
  );
  return found as { t: number; d: DescribedGroup };
}

/** Events of one member, excluding records. */
export function memberEvents(
  events: readonly ClientEvent[],
  member: string,
  kinds?: readonly string[],
): ClientEvent[] {
  return events.filter((e) => e.m === member && e.ev !== 'rec' && (!kinds || kinds.includes(e.ev)));
}

/** The last few non-record events of each process, for failure messages. */
export function tailEvents(processes: readonly LineProcess[], n = 12): string {
  return processes
    .map((p) =>
      p.events
        .filter((e) => e.ev !== 'rec')
        .slice(-n)
        .map((e) => JSON.stringify(e))
        .join('\n'),
    )
    .join('\n--\n');
}

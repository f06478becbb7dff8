import type { ClientEvent } from './line-process.js';

/** A record the producer had acknowledged: sequence number n at partition p, offset o. */
export interface Produced {
  n: number;
  p: number;
  o: number;
}

/** One "rec" event: a member processed the record at p/o whose value was v. */
export interface Processed {
  member: string;
  p: number;
  o: number;
  v: string | null;
  t: number;
}

export function processedRecords(events: readonly ClientEvent[]): Processed[] {
  return events
    .filter((e) => e.ev === 'rec')
    .map((e) => ({
      member: e.m as string,
      p: e.p as number,
      o: e.o as number,
      v: (e.v as string | null) ?? null,
      t: e.t,
    }));
}

export interface Duplicate {
  p: number;
  o: number;
  /** Every member that processed it, in processing order (a member may appear twice). */
  by: string[];
}

export interface Accounting {
  produced: number;
  processed: number;
  /** Acknowledged by the producer, processed by nobody. */
  lost: Produced[];
  duplicates: Duplicate[];
  /** Processed at a position the producer never acknowledged. */
  unknown: Processed[];
  /** Processed at a known position but with another value than the producer wrote there. */
  wrongValue: Processed[];
}

/** Matches processing against production, position by position. */
export function account(produced: readonly Produced[], processed: readonly Processed[]): Accounting {
  const byPosition = new Map<string, Produced>();
  for (const r of produced) {
    byPosition.set(`${r.p}@${r.o}`, r);
  }
  const seen = new Map<string, Processed[]>();
  const unknown: Processed[] = [];
  const wrongValue: Processed[] = [];
  for (const r of [...processed].sort((a, b) => a.t - b.t)) {
    const at = `${r.p}@${r.o}`;
    const sent = byPosition.get(at);
    if (!sent) {
      unknown.push(r);
      continue;
    }
    if (r.v !== String(sent.n)) {
      wrongValue.push(r);
    }
    const list = seen.get(at) ?? [];
    list.push(r);
    seen.set(at, list);
  }
  const lost = produced.filter((r) => !seen.has(`${r.p}@${r.o}`));
  const duplicates: Duplicate[] = [];
  for (const list of seen.values()) {
    if (list.length > 1) {
      const first = list[0] as Processed;
      duplicates.push({ p: first.p, o: first.o, by: list.map((r) => r.member) });
    }
  }
  duplicates.sort((a, b) => a.p - b.p || a.o - b.o);
  return { produced: produced.length, processed: processed.length, lost, duplicates, unknown, wrongValue };
}

/** The group's committed offset per partition as of time t, from the members' "commit" events. */
export function committedAt(events: readonly ClientEvent[], t: number): Map<number, number> {
  const committed = new Map<number, number>();
  for (const e of [...events].filter((x) => x.ev === 'commit' && x.t <= t).sort((a, b) => a.t - b.t)) {
    for (const [p, o] of Object.entries(e.offs as Record<string, number>)) {
      committed.set(Number(p), o);
    }
  }
  return committed;
}

/** What at-least-once allows around a member that died without committing its last work. */
export interface KilledMember {
  member: string;
  /** Partitions it owned when it was killed. */
  owned: readonly number[];
  /** The group's committed offsets for those partitions at the moment of the kill. */
  committed: ReadonlyMap<number, number>;
}

/**
 * Duplicates that commit-after-process does not excuse. A record may be processed twice only if a
 * killed member processed it in a partition it owned, at or above that partition's last commit
 * (work it never committed), and every other copy came from a surviving member. Anything else means
 * the group lost track of committed offsets or gave one partition to two members at once.
 */
export function unexplainedDuplicates(
  duplicates: readonly Duplicate[],
  killed: readonly KilledMember[],
): Duplicate[] {
  return duplicates.filter((d) => {
    const culprit = killed.find(
      (k) => d.by.includes(k.member) && k.owned.includes(d.p) && d.o >= (k.committed.get(d.p) ?? 0),
    );
    if (!culprit) {
      return true;
    }
    // Exactly one copy by the killed member and one by whoever took the partition over.
    return d.by.length !== 2 || d.by.filter((m) => m === culprit.member).length !== 1;
  });
}

/** A short summary for failure messages and the test log. */
export function describeAccounting(a: Accounting, limit = 10): string {
  const sample = <T>(xs: readonly T[]): string =>
    xs
      .slice(0, limit)
      .map((x) => JSON.stringify(x))
      .join(', ') + (xs.length > limit ? `, … (${xs.length})` : '');
  return [
    `produced ${a.produced}, processed ${a.processed}`,
    `lost ${a.lost.length}${a.lost.length ? `: ${sample(a.lost)}` : ''}`,
    `duplicates ${a.duplicates.length}${a.duplicates.length ? `: ${sample(a.duplicates)}` : ''}`,
    `unknown ${a.unknown.length}${a.unknown.length ? `: ${sample(a.unknown)}` : ''}`,
    `wrong value ${a.wrongValue.length}${a.wrongValue.length ? `: ${sample(a.wrongValue)}` : ''}`,
  ].join('; ');
}

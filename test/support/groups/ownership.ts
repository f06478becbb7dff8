import type { ClientEvent } from './line-process.js';

/** A member owned partition p from `from` until `to` (wall-clock ms; `to` Infinity = still owns it). */
export interface Ownership {
  member: string;
  p: number;
  from: number;
  to: number;
}

/**
 * Replays the members' assigned / revoked / lost / closed events into ownership intervals. An
 * "assigned" event carries the member's whole assignment in `owned` (cooperative callbacks only list
 * what was added in `parts`). `ends` gives members whose ownership ended without an event (killed).
 */
export function ownershipIntervals(
  events: readonly ClientEvent[],
  ends: ReadonlyMap<string, number> = new Map(),
): Ownership[] {
  const open = new Map<string, Map<number, number>>();
  const out: Ownership[] = [];
  const close = (member: string, p: number, t: number): void => {
    const mine = open.get(member);
    const from = mine?.get(p);
    if (mine && from !== undefined) {
      out.push({ member, p, from, to: t });
      mine.delete(p);
    }
  };
  for (const e of [...events].sort((a, b) => a.t - b.t)) {
    const member = e.m;
    if (member === undefined) {
      continue;
    }
    const end = ends.get(member);
    if (end !== undefined && e.t > end) {
      continue;
    }
    const mine = open.get(member) ?? new Map<number, number>();
    open.set(member, mine);
    if (e.ev === 'assigned') {
      const owned = (e.owned ?? e.parts) as number[];
      for (const p of [...mine.keys()]) {
        if (!owned.includes(p)) {
          close(member, p, e.t);
        }
      }
      for (const p of owned) {
        if (!mine.has(p)) {
          mine.set(p, e.t);
        }
      }
    } else if (e.ev === 'revoked' || e.ev === 'lost') {
      for (const p of e.parts as number[]) {
        close(member, p, e.t);
      }
    } else if (e.ev === 'closed' || e.ev === 'error' || e.ev === 'fenced') {
      for (const p of [...mine.keys()]) {
        close(member, p, e.t);
      }
    }
  }
  for (const [member, mine] of open) {
    for (const [p, from] of mine) {
      out.push({ member, p, from, to: ends.get(member) ?? Infinity });
    }
  }
  return out.sort((a, b) => a.p - b.p || a.from - b.from);
}

/** Partitions a member owned at time t. */
export function ownedAt(intervals: readonly Ownership[], member: string, t: number): number[] {
  return intervals
    .filter((i) => i.member === member && i.from <= t && t < i.to)
    .map((i) => i.p)
    .sort((a, b) => a - b);
}

/** Times two members owned the same partition at once (a correct group never does this). */
export function doubleOwnership(intervals: readonly Ownership[]): string[] {
  const problems: string[] = [];
  for (let i = 0; i < intervals.length; i++) {
    for (let j = i + 1; j < intervals.length; j++) {
      const a = intervals[i] as Ownership;
      const b = intervals[j] as Ownership;
      if (a.p === b.p && a.member !== b.member && a.from < b.to && b.from < a.to) {
        problems.push(
          `partition ${a.p}: ${a.member} [${a.from}, ${a.to}) overlaps ${b.member} [${b.from}, ${b.to})`,
        );
      }
    }
  }
  return problems;
}

/** Periods within [start, end] when nobody owned partition p. */
export function unownedGaps(
  intervals: readonly Ownership[],
  partitions: number,
  start: number,
  end: number,
): Array<{ p: number; from: number; to: number }> {
  const gaps: Array<{ p: number; from: number; to: number }> = [];
  for (let p = 0; p < partitions; p++) {
    let covered = start;
    for (const i of intervals.filter((x) => x.p === p).sort((a, b) => a.from - b.from)) {
      if (i.to <= covered) {
        continue;
      }
      if (i.from > covered) {
        gaps.push({ p, from: covered, to: Math.min(i.from, end) });
      }
      covered = Math.max(covered, i.to);
      if (covered >= end) {
        break;
      }
    }
    if (covered < end) {
      gaps.push({ p, from: covered, to: end });
    }
  }
  return gaps.filter((g) => g.to > g.from);
}

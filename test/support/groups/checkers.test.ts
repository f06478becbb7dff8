import { describe, expect, it } from 'vitest';
import { account, committedAt, unexplainedDuplicates, type Processed, type Produced } from './ledger.js';
import type { ClientEvent } from './line-process.js';
import { doubleOwnership, ownedAt, ownershipIntervals, unownedGaps } from './ownership.js';

// The end-to-end group suites are only as strict as these checkers: they must catch a lost record, an
// unexcused duplicate, a partition owned twice and an orphaned partition.

const produced: Produced[] = [
  { n: 0, p: 0, o: 0 },
  { n: 1, p: 1, o: 0 },
  { n: 2, p: 0, o: 1 },
  { n: 3, p: 1, o: 1 },
];
const rec = (member: string, p: number, o: number, v: string, t: number): Processed => ({
  member,
  p,
  o,
  v,
  t,
});

describe('delivery accounting', () => {
  it('finds lost, duplicated, unknown and wrong-valued records', () => {
    const a = account(produced, [
      rec('a', 0, 0, '0', 1),
      rec('a', 1, 0, '1', 2),
      rec('b', 1, 0, '1', 3),
      rec('b', 0, 1, '9', 4),
      rec('b', 5, 0, '7', 5),
    ]);
    expect(a.lost).toEqual([{ n: 3, p: 1, o: 1 }]);
    expect(a.duplicates).toEqual([{ p: 1, o: 0, by: ['a', 'b'] }]);
    expect(a.unknown.map((r) => [r.p, r.o])).toEqual([[5, 0]]);
    expect(a.wrongValue.map((r) => [r.p, r.o])).toEqual([[0, 1]]);
  });

  it('excuses only a killed member’s uncommitted work, repeated once by a survivor', () => {
    const killed = { member: 'k', owned: [1], committed: new Map([[1, 10]]) };
    const dups = [
      { p: 1, o: 10, by: ['k', 's'] },
      { p: 1, o: 9, by: ['k', 's'] },
      { p: 0, o: 12, by: ['k', 's'] },
      { p: 1, o: 11, by: ['s', 't'] },
      { p: 1, o: 12, by: ['k', 's', 't'] },
    ];
    expect(unexplainedDuplicates(dups, [killed])).toEqual(dups.slice(1));
  });

  it('takes the latest commit per partition up to a moment', () => {
    const events: ClientEvent[] = [
      { t: 1, ev: 'commit', m: 'a', offs: { '0': 5, '1': 3 } },
      { t: 2, ev: 'commit', m: 'b', offs: { '0': 8 } },
      { t: 9, ev: 'commit', m: 'b', offs: { '0': 20 } },
    ];
    expect([...committedAt(events, 5)]).toEqual([
      [0, 8],
      [1, 3],
    ]);
  });
});

describe('partition ownership', () => {
  const eager: ClientEvent[] = [
    { t: 10, ev: 'assigned', m: 'a', parts: [0, 1], owned: [0, 1] },
    { t: 20, ev: 'revoked', m: 'a', parts: [0, 1] },
    { t: 25, ev: 'assigned', m: 'a', parts: [0], owned: [0] },
    { t: 25, ev: 'assigned', m: 'b', parts: [1], owned: [1] },
    { t: 40, ev: 'closed', m: 'b' },
  ];

  it('replays assignments, revocations and closes into intervals', () => {
    const intervals = ownershipIntervals(eager);
    expect(intervals).toEqual([
      { member: 'a', p: 0, from: 10, to: 20 },
      { member: 'a', p: 0, from: 25, to: Infinity },
      { member: 'a', p: 1, from: 10, to: 20 },
      { member: 'b', p: 1, from: 25, to: 40 },
    ]);
    expect(ownedAt(intervals, 'a', 15)).toEqual([0, 1]);
    expect(unownedGaps(intervals, 2, 10, 50)).toEqual([
      { p: 0, from: 20, to: 25 },
      { p: 1, from: 20, to: 25 },
      { p: 1, from: 40, to: 50 },
    ]);
    expect(doubleOwnership(intervals)).toEqual([]);
  });

  it('uses the whole assignment of a cooperative callback and ends a killed member’s ownership', () => {
    const events: ClientEvent[] = [
      { t: 10, ev: 'assigned', m: 'a', parts: [0, 1], owned: [0, 1] },
      { t: 20, ev: 'assigned', m: 'a', parts: [], owned: [0] },
      { t: 21, ev: 'assigned', m: 'b', parts: [1], owned: [1] },
      { t: 30, ev: 'rec', m: 'b', p: 1, o: 0 },
    ];
    const intervals = ownershipIntervals(events, new Map([['b', 25]]));
    expect(intervals.filter((i) => i.p === 1)).toEqual([
      { member: 'a', p: 1, from: 10, to: 20 },
      { member: 'b', p: 1, from: 21, to: 25 },
    ]);
  });

  it('reports two members owning one partition at once', () => {
    const overlapping: ClientEvent[] = [
      { t: 10, ev: 'assigned', m: 'a', parts: [0], owned: [0] },
      { t: 15, ev: 'assigned', m: 'b', parts: [0], owned: [0] },
      { t: 20, ev: 'revoked', m: 'a', parts: [0] },
    ];
    expect(doubleOwnership(ownershipIntervals(overlapping))).toHaveLength(1);
  });
});

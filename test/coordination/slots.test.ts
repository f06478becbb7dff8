import { describe, expect, it } from 'vitest';
import { planSlots, slotFor } from '../../src/coordination/slots.js';

describe('slotFor', () => {
  it("hashes like Kafka's partitionFor: Utils.abs(String.hashCode) % count", () => {
    expect(slotFor('a', 50)).toBe(97 % 50);
    // "polygenelubricants".hashCode() is Integer.MIN_VALUE, which Utils.abs maps to 0.
    expect(slotFor('polygenelubricants', 50)).toBe(0);
    expect(slotFor('my-group', 16)).toBe(slotFor('my-group', 16));
  });
});

describe('planSlots', () => {
  const base = {
    count: 6,
    held: new Set<number>(),
    claimed: new Map<number, number>(),
    freeSince: new Map<number, number>(),
    now: 10_000,
    graceMs: 5_000,
  };

  it('takes the free slots the gateway is preferred for, by rank among live node ids', () => {
    const plan = planSlots({ ...base, self: 7, live: [3, 7, 9], settled: new Set([3, 7, 9]) });
    expect(plan).toEqual({ acquire: [1, 4], release: [] });
  });

  it('takes another gateway’s free slot only after the grace', () => {
    const freeSince = new Map([
      [0, 9_000],
      [3, 4_000],
    ]);
    const plan = planSlots({ ...base, self: 7, live: [3, 7], settled: new Set([3, 7]), freeSince });
    expect(plan.acquire).toEqual([1, 3, 5]);
  });

  it('leaves claimed slots alone and gives up held ones another settled gateway is preferred for', () => {
    const plan = planSlots({
      ...base,
      self: 7,
      live: [3, 7],
      settled: new Set([7]),
      held: new Set([0, 1, 2, 3]),
      claimed: new Map([[5, 3]]),
    });
    expect(plan).toEqual({ acquire: [], release: [] });
    const settledPlan = planSlots({
      ...base,
      self: 7,
      live: [3, 7],
      settled: new Set([3, 7]),
      held: new Set([0, 1, 2, 3]),
      claimed: new Map([[5, 3]]),
    });
    expect(settledPlan).toEqual({ acquire: [], release: [0, 2] });
  });

  it('gives everything up when it is not among the live gateways', () => {
    const plan = planSlots({ ...base, self: 7, live: [3], settled: new Set([3]), held: new Set([1, 4]) });
    expect(plan).toEqual({ acquire: [], release: [1, 4] });
  });
});

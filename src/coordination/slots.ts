/**
 * Coordinator slots: every group id (and later every transactional id) hashes to one of a fixed number
 * of slots, as Kafka maps them to partitions of __consumer_offsets (__transaction_state), and each slot
 * is coordinated by the one gateway holding its lease. Every gateway must use the same slot count.
 */

/** Java's String.hashCode, as Kafka's partitionFor uses it. */
function javaHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** Kafka's Utils.abs(key.hashCode()) % count. */
export function slotFor(key: string, count: number): number {
  return (javaHashCode(key) & 0x7fffffff) % count;
}

/** A kind of coordinator (`group`, later `transaction`), each with its own slots and lock names. */
export type SlotKind = string;

export type SlotStatus = 'owned' | 'loading' | 'elsewhere';

export interface SlotPlanInput {
  readonly self: number;
  /** Node ids of live gateways, self included once registered. */
  readonly live: readonly number[];
  readonly count: number;
  /** Slots this gateway holds a lease on. */
  readonly held: ReadonlySet<number>;
  /** Slot → node id of another live gateway that says it holds it. */
  readonly claimed: ReadonlyMap<number, number>;
  /** Node ids of live gateways seen alive long enough that slots may be handed to them. */
  readonly settled: ReadonlySet<number>;
  /** Slot → since when (ms) no live gateway has claimed it. */
  readonly freeSince: ReadonlyMap<number, number>;
  readonly now: number;
  /** How long a free slot waits for its preferred gateway before any gateway takes it. */
  readonly graceMs: number;
}

export interface SlotPlan {
  readonly acquire: number[];
  readonly release: number[];
}

/**
 * What to take and what to give up: slot s prefers the (s mod n)-th live gateway by node id, so n
 * gateways split the slots evenly and every gateway computes the same split. A gateway takes free
 * slots it is preferred for, and any slot left free longer than the grace; it gives up the slots
 * another gateway is preferred for once that one has been seen alive for a while (`settled`), so a
 * gateway whose lease blips does not make slots move back and forth.
 */
export function planSlots(input: SlotPlanInput): SlotPlan {
  const live = [...new Set(input.live)].sort((a, b) => a - b);
  if (!live.includes(input.self)) return { acquire: [], release: [...input.held] };
  const preferred = (slot: number): number => live[slot % live.length]!;
  const acquire: number[] = [];
  const release: number[] = [];
  for (let slot = 0; slot < input.count; slot++) {
    const mine = preferred(slot) === input.self;
    if (input.held.has(slot)) {
      if (!mine && input.settled.has(preferred(slot))) release.push(slot);
      continue;
    }
    if (input.claimed.has(slot)) continue;
    const since = input.freeSince.get(slot) ?? input.now;
    if (mine || input.now - since >= input.graceMs) acquire.push(slot);
  }
  return { acquire, release };
}

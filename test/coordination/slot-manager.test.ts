/**
 * Gateways sharing coordinator slots through a lock service, on a fake clock: the slots are split,
 * move off a gateway that dies, is cut off or stops, and at no moment do two gateways coordinate one
 * slot — also when the lock service forgets every lock (a filer restart).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { SlotManager } from '../../src/coordination/slot-manager.js';
import { FakeTime } from '../groups/fake-time.js';
import { FakeLocks, FakeRegistryStore } from './fake-locks.js';

const SLOTS = 16;
const LEASE_MS = 6_000;

interface Gateway {
  readonly nodeId: number;
  readonly manager: SlotManager;
  readonly events: string[];
  /** A dead gateway's timers no longer run: it neither renews nor hands over. */
  dead: boolean;
  /** A stalled gateway still answers clients, but its rounds do not run (a long pause). */
  stalled: boolean;
}

class Cluster {
  readonly time = new FakeTime();
  readonly locks = new FakeLocks(this.time);
  readonly store = new FakeRegistryStore(this.locks);
  readonly gateways: Gateway[] = [];
  /** Every moment two gateways said they coordinate the same slot. */
  readonly overlaps: string[] = [];

  start(nodeId: number, instance = `i${nodeId}-${this.gateways.length}`): Gateway {
    const events: string[] = [];
    const gateway: Gateway = {
      nodeId,
      events,
      dead: false,
      stalled: false,
      manager: undefined as unknown as SlotManager,
    };
    // A stalled gateway's round runs once the stall ends.
    const timers = {
      schedule: (ms: number, fn: () => void) => {
        const run = (): void => {
          if (gateway.dead) return;
          if (gateway.stalled) this.time.schedule(100, run);
          else fn();
        };
        return this.time.schedule(ms, run);
      },
    };
    const manager = new SlotManager({
      nodeId,
      instance,
      kinds: { group: SLOTS },
      leaseMs: LEASE_MS,
      locks: this.locks.forGateway(nodeId),
      store: this.store.forGateway(nodeId),
      clock: this.time,
      timers,
      logger: silentLogger,
    });
    Object.assign(gateway, { manager });
    manager.start(
      { host: `gw${nodeId}`, port: 9092 },
      {
        takeOver: async (_kind, slot) => void events.push(`take ${slot}`),
        handOver: async (_kind, slot) => void events.push(`drop ${slot}`),
      },
    );
    this.gateways.push(gateway);
    return gateway;
  }

  /** Advances the clock in 100 ms steps, letting every round finish, and checks ownership each step. */
  async run(ms: number): Promise<void> {
    for (let t = 0; t < ms; t += 100) {
      this.time.advance(100);
      for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
      // Dead and stalled gateways count too: what matters is who believes it coordinates the slot.
      for (let slot = 0; slot < SLOTS; slot++) {
        const owners = this.gateways.filter((g) => g.manager.status('group', slot) === 'owned');
        if (owners.length > 1) {
          this.overlaps.push(`slot ${slot} at ${this.time.now()}: ${owners.map((g) => g.nodeId).join(',')}`);
        }
      }
    }
  }

  alive(): Gateway[] {
    return this.gateways.filter((g) => !g.dead);
  }

  owned(g: Gateway): number[] {
    return [...Array(SLOTS).keys()].filter((s) => g.manager.status('group', s) === 'owned');
  }

  /** Each slot's owner as the given gateway would answer FindCoordinator for it. */
  ownerSeenBy(g: Gateway, slot: number): number | undefined {
    const id = [...Array(10_000).keys()].map(String).find((k) => g.manager.slotOf('group', k) === slot)!;
    return g.manager.ownerOf('group', id)?.nodeId;
  }
}

let cluster: Cluster;
afterEach(() => {
  expect(cluster.overlaps).toEqual([]);
});

describe('coordinator slots shared by gateways', () => {
  it('splits the slots evenly and every gateway names the same owner of each', async () => {
    cluster = new Cluster();
    const [a, b, c] = [1, 2, 3].map((n) => cluster.start(n)) as [Gateway, Gateway, Gateway];
    await cluster.run(4 * LEASE_MS);
    const counts = [a, b, c].map((g) => cluster.owned(g).length);
    expect(counts.reduce((x, y) => x + y, 0)).toBe(SLOTS);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    for (let slot = 0; slot < SLOTS; slot++) {
      const owner = [a, b, c].find((g) => cluster.owned(g).includes(slot))!.nodeId;
      expect([a, b, c].map((g) => cluster.ownerSeenBy(g, slot))).toEqual([owner, owner, owner]);
    }
    expect(a.manager.gateways().map((g) => g.nodeId)).toEqual([1, 2, 3]);
  });

  it('moves the slots of a gateway that dies to the others once its lease has run out', async () => {
    cluster = new Cluster();
    const [a, b, c] = [1, 2, 3].map((n) => cluster.start(n)) as [Gateway, Gateway, Gateway];
    await cluster.run(4 * LEASE_MS);
    const orphaned = cluster.owned(b);
    expect(orphaned.length).toBeGreaterThan(0);
    b.dead = true;
    // The overlap check at every step holds b's own view against a's and c's.
    await cluster.run(3 * LEASE_MS);
    expect(cluster.owned(a).length + cluster.owned(c).length).toBe(SLOTS);
    expect(a.manager.gateways().map((g) => g.nodeId)).toEqual([1, 3]);
    for (const slot of orphaned) expect([1, 3]).toContain(cluster.ownerSeenBy(a, slot));
  });

  it('gives every slot up at once on stop, and the others take them', async () => {
    cluster = new Cluster();
    const [a, b] = [1, 2].map((n) => cluster.start(n)) as [Gateway, Gateway];
    await cluster.run(4 * LEASE_MS);
    const mine = cluster.owned(b);
    const before = b.events.length;
    await b.manager.stop();
    b.dead = true;
    expect(b.events.slice(before).filter((e) => e.startsWith('drop')).length).toBe(mine.length);
    expect(mine.every((s) => cluster.locks.holder(`slot/group/${s}`) === undefined)).toBe(true);
    await cluster.run(2 * LEASE_MS + 1_000);
    expect(cluster.owned(a).length).toBe(SLOTS);
  });

  it('a gateway cut off from the store stops coordinating before another one starts', async () => {
    cluster = new Cluster();
    const [a, b] = [1, 2].map((n) => cluster.start(n)) as [Gateway, Gateway];
    await cluster.run(4 * LEASE_MS);
    const mine = cluster.owned(b);
    const before = b.events.length;
    cluster.locks.cutOff.add('2');
    await cluster.run(LEASE_MS);
    expect(cluster.owned(b)).toEqual([]);
    await cluster.run(3 * LEASE_MS);
    expect(cluster.owned(a).length).toBe(SLOTS);
    expect(b.events.slice(before).filter((e) => e.startsWith('drop')).length).toBe(mine.length);
    // Back in touch, it takes its share again.
    cluster.locks.cutOff.delete('2');
    await cluster.run(6 * LEASE_MS);
    expect(cluster.owned(b).length).toBe(SLOTS / 2);
  });

  it('never has two owners when the lock service forgets every lock', async () => {
    cluster = new Cluster();
    const gateways = [1, 2, 3].map((n) => cluster.start(n));
    await cluster.run(4 * LEASE_MS);
    cluster.locks.forgetAll();
    await cluster.run(6 * LEASE_MS);
    expect(gateways.map((g) => cluster.owned(g).length).reduce((x, y) => x + y, 0)).toBe(SLOTS);
  });

  it('never has two owners when the lock service forgets every lock while a holder cannot reach it', async () => {
    cluster = new Cluster();
    const gateways = [1, 2, 3].map((n) => cluster.start(n));
    await cluster.run(4 * LEASE_MS);
    cluster.locks.forgetAll();
    cluster.locks.cutOff.add('2');
    await cluster.run(LEASE_MS / 2);
    cluster.locks.cutOff.delete('2');
    await cluster.run(6 * LEASE_MS);
    expect(gateways.map((g) => cluster.owned(g).length).reduce((x, y) => x + y, 0)).toBe(SLOTS);
  });

  it('a gateway whose rounds stall stops coordinating when its lease runs out', async () => {
    cluster = new Cluster();
    const [a, b] = [1, 2].map((n) => cluster.start(n)) as [Gateway, Gateway];
    await cluster.run(4 * LEASE_MS);
    b.stalled = true;
    await cluster.run(LEASE_MS);
    expect(cluster.owned(b)).toEqual([]);
    await cluster.run(3 * LEASE_MS);
    expect(cluster.owned(a).length).toBe(SLOTS);
    b.stalled = false;
    await cluster.run(6 * LEASE_MS);
    expect(cluster.owned(b).length).toBe(SLOTS / 2);
  });

  it('a gateway alone on a namespace no gateway used serves every slot after its first round', async () => {
    cluster = new Cluster();
    const only = cluster.start(1);
    await cluster.run(500);
    expect(cluster.owned(only).length).toBe(SLOTS);
  });

  it('a gateway restarted on a namespace waits a lease before serving what its earlier run held', async () => {
    cluster = new Cluster();
    const first = cluster.start(1, 'first');
    await cluster.run(4 * LEASE_MS);
    expect(cluster.owned(first).length).toBe(SLOTS);
    await first.manager.stop();
    first.dead = true;
    const again = cluster.start(1, 'again');
    await cluster.run(LEASE_MS / 2);
    expect(cluster.owned(again)).toEqual([]);
    await cluster.run(LEASE_MS);
    expect(cluster.owned(again).length).toBe(SLOTS);
  });

  it('a second gateway with the same node id coordinates nothing', async () => {
    cluster = new Cluster();
    const first = cluster.start(1, 'first');
    const second = cluster.start(1, 'second');
    await cluster.run(4 * LEASE_MS);
    expect(cluster.owned(first).length).toBe(SLOTS);
    expect(cluster.owned(second)).toEqual([]);
  });
});

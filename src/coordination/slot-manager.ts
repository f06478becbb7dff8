/**
 * Which gateway coordinates which slot, with no two at once: a slot is coordinated by the gateway
 * holding the lease on its lock (`slot/<kind>/<n>`) in the store's lock service. Every `tickMs` each
 * gateway renews its leases, reads who is alive (gateway-registry.ts) and takes or gives up slots
 * (planSlots). Time bounds every claim:
 *
 * - a lease counts locally only until the moment its last renewal was sent plus the lease time, which
 *   is never later than the lock's expiry at the store, so a gateway cut off from the store stops
 *   coordinating before anyone else can take the lock;
 * - a slot freshly taken serves at once only when this gateway's own lock has been renewed without a
 *   break for a whole lease (so the store cannot have forgotten anyone's lock meanwhile), else after a
 *   further lease time: a store that restarted has forgotten its locks while their holders may still
 *   count on them;
 * - a slot is loaded (takeOver) before it serves, and handed over (handOver) before its lock is freed.
 *
 * Kinds let other coordinators (transactions) share the mechanism: each kind has its own slot count,
 * lock names and handlers.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Cancel, Clock, Timers } from '../groups/time.js';
import {
  gatewayLock,
  readRegistry,
  lockOwner,
  writeRecord,
  type GatewayAddress,
  type GatewayRecord,
  type RegistryStore,
} from './gateway-registry.js';
import { parseSlotKey, slotKey, takeOrRenew, type Lease } from './leases.js';
import type { LockService } from './lock-service.js';
import { planSlots, slotFor, type SlotKind, type SlotStatus } from './slots.js';

export interface SlotHandlers {
  /** Starts coordinating what the slot holds (loads it); rejects to be retried on the next round. */
  takeOver(kind: SlotKind, slot: number): Promise<void>;
  /** Stops coordinating it: what is in flight is answered NOT_COORDINATOR, pending writes finish. */
  handOver(kind: SlotKind, slot: number): Promise<void>;
}

export interface SlotManagerOptions {
  readonly nodeId: number;
  /** Slots per kind, e.g. { group: 16 }; the same on every gateway. */
  readonly kinds: Readonly<Record<SlotKind, number>>;
  readonly leaseMs: number;
  readonly locks: LockService;
  readonly store: RegistryStore;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly logger: Logger;
  /** Tells apart two runs of one node id; random unless a test fixes it. */
  readonly instance?: string;
}

export class SlotManager {
  private readonly instance: string;
  private readonly tickMs: number;
  private readonly leases = new Map<string, Lease>();
  private registration: Lease | undefined;
  /** Since when every renewal of the registration went through (undefined after a refusal or silence). */
  private renewedSince: number | undefined;
  private view: GatewayRecord[] = [];
  /** Every record, live or not, as last read: who may have claimed a slot before. */
  private records: GatewayRecord[] = [];
  private readonly freeSince = new Map<string, number>();
  /** Node id → since when it has been seen alive without a break. */
  private readonly aliveSince = new Map<number, number>();
  private address: { host: string; port: number } | undefined;
  private handlers: SlotHandlers | undefined;
  private timer: Cancel | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private published = '';
  private readonly warned = new Set<string>();

  constructor(private readonly o: SlotManagerOptions) {
    this.instance = o.instance ?? randomBytes(6).toString('hex');
    this.tickMs = Math.max(100, Math.floor(o.leaseMs / 3));
  }

  /** Starts taking part once the gateway's advertised address is known. */
  start(address: { host: string; port: number }, handlers: SlotHandlers): void {
    this.address = address;
    this.handlers = handlers;
    this.schedule(0);
  }

  status(kind: SlotKind, slot: number): SlotStatus {
    const lease = this.leases.get(slotKey(kind, slot));
    if (lease === undefined) return 'elsewhere';
    const now = this.o.clock.now();
    if (now >= lease.validUntil) return 'elsewhere';
    return lease.loaded && lease.published && now >= lease.readyAt ? 'owned' : 'loading';
  }

  /** Whether this gateway holds its registration lease: it then takes part in coordination. */
  get registered(): boolean {
    return this.registration !== undefined && this.o.clock.now() < this.registration.validUntil;
  }

  statusFor(kind: SlotKind, id: string): SlotStatus {
    return this.status(kind, slotFor(id, this.count(kind)));
  }

  slotOf(kind: SlotKind, id: string): number {
    return slotFor(id, this.count(kind));
  }

  /** The gateway to send a client to for `id`, or undefined while no live gateway serves its slot. */
  ownerOf(kind: SlotKind, id: string): GatewayAddress | undefined {
    const slot = slotFor(id, this.count(kind));
    if (this.status(kind, slot) === 'owned') return this.self();
    const claimer = this.view.find(
      (r) => r.instance !== this.instance && (r.serving?.[kind] ?? r.slots[kind])?.includes(slot),
    );
    return claimer === undefined
      ? undefined
      : { nodeId: claimer.nodeId, host: claimer.host, port: claimer.port };
  }

  /** Every live gateway (self first once registered), for Metadata's broker list. */
  gateways(): GatewayAddress[] {
    const self = this.registration !== undefined ? this.self() : undefined;
    const others = this.view
      .filter((r) => r.instance !== this.instance)
      .map((r) => ({ nodeId: r.nodeId, host: r.host, port: r.port }));
    return self === undefined ? others : [self, ...others];
  }

  /** Hands every slot over and frees every lock, so other gateways take them at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.();
    await this.running;
    await Promise.all([...this.leases.keys()].map((k) => this.release(k)));
    if (this.registration !== undefined) {
      await this.o.locks.unlock(gatewayLock(this.o.nodeId), this.registration.token).catch(() => undefined);
      this.registration = undefined;
    }
  }

  /** One round now (tests drive rounds with a fake clock; production runs them on the timer). */
  tick(): Promise<void> {
    this.running ??= this.round().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private count(kind: SlotKind): number {
    const n = this.o.kinds[kind];
    if (n === undefined) throw new Error(`no slots configured for ${kind} coordinators`);
    return n;
  }

  private self(): GatewayAddress | undefined {
    return this.address === undefined ? undefined : { nodeId: this.o.nodeId, ...this.address };
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = this.o.timers.schedule(delayMs, () => {
      void this.tick().finally(() => this.schedule(this.tickMs));
    });
  }

  private async round(): Promise<void> {
    await this.register();
    await Promise.all([...this.leases.keys()].map((k) => this.renew(k)));
    let viewed = false;
    try {
      const registry = await readRegistry(this.o.store, this.o.locks);
      this.view = registry.live;
      this.records = registry.all;
      viewed = true;
    } catch (err) {
      this.o.logger.warn({ err }, 'cannot read the live gateways; keeping the slots held, taking none');
    }
    if (viewed && !this.stopped) await this.rebalance();
    await this.publish();
    for (const [k, lease] of this.leases) {
      if (!lease.loaded && !lease.loading) void this.load(k, lease);
    }
  }

  private async register(): Promise<void> {
    const name = gatewayLock(this.o.nodeId);
    const owner = lockOwner({ nodeId: this.o.nodeId, instance: this.instance });
    const reg = await takeOrRenew(this.o, name, owner, this.registration);
    if (reg === 'refused' || reg === 'unknown') this.renewedSince = undefined;
    if (reg === 'refused') {
      if (this.registration === undefined) {
        this.warnOnce(
          'node-id',
          `another gateway runs with node id ${this.o.nodeId}: give every gateway its own --node-id; ` +
            'this one coordinates no consumer group meanwhile',
        );
      } else {
        this.o.logger.warn('the lock service no longer knows this gateway (restarted?); registering again');
      }
      this.registration = undefined;
    } else if (reg !== 'unknown') {
      this.renewedSince ??= reg.validUntil - this.o.leaseMs;
      this.registration = reg;
    }
    if (this.registration !== undefined && this.o.clock.now() >= this.registration.validUntil) {
      this.registration = undefined;
    }
  }

  /**
   * When a slot taken now may serve. Renewals of this gateway's own lock that went through for a whole
   * lease prove the lock service did not forget its locks meanwhile (a forgotten lock refuses its
   * token), so anyone who held the slot before lost it at the lock's expiry, before it could be taken.
   * Otherwise the lock service may have forgotten a lease its holder still counts on: wait one out.
   */
  private readyAt(now: number, claimedBefore: boolean): number {
    if (!claimedBefore) return now;
    const since = this.renewedSince;
    return since === undefined ? now + this.o.leaseMs : Math.max(now, since + this.o.leaseMs);
  }

  /**
   * Whether another gateway's record (live or not, this node's earlier runs included) lists the slot.
   * A gateway serves a slot only once its record lists it, so a slot no record lists was served by
   * nobody the lock service could have forgotten.
   */
  private claimedBefore(kind: SlotKind, slot: number): boolean {
    return this.records.some((r) => r.instance !== this.instance && (r.slots[kind] ?? []).includes(slot));
  }

  private async renew(k: string): Promise<void> {
    const lease = this.leases.get(k);
    if (lease === undefined) return;
    const result = await takeOrRenew(this.o, `slot/${k}`, this.owner(), lease);
    if (result === 'refused' || (result === 'unknown' && this.o.clock.now() >= lease.validUntil)) {
      this.o.logger.warn({ slot: k }, 'lost the lease of a coordinator slot; handing it over');
      this.leases.delete(k);
      await this.handlers?.handOver(...parseSlotKey(k)).catch(() => undefined);
      return;
    }
    if (result !== 'unknown') {
      lease.token = result.token;
      lease.validUntil = result.validUntil;
    }
  }

  private async rebalance(): Promise<void> {
    const now = this.o.clock.now();
    const registered = this.registration !== undefined;
    const live = this.view.map((r) => r.nodeId);
    if (registered && !live.includes(this.o.nodeId)) live.push(this.o.nodeId);
    for (const n of [...this.aliveSince.keys()]) if (!live.includes(n)) this.aliveSince.delete(n);
    for (const n of live) if (!this.aliveSince.has(n)) this.aliveSince.set(n, now);
    const settled = new Set(live.filter((n) => now - this.aliveSince.get(n)! >= this.tickMs));
    for (const [kind, count] of Object.entries(this.o.kinds)) {
      for (const r of this.view) {
        if (r.nodeId !== this.o.nodeId && r.slotCounts[kind] !== undefined && r.slotCounts[kind] !== count) {
          this.warnOnce(
            `count-${r.nodeId}`,
            `gateway ${r.nodeId} runs with ${r.slotCounts[kind]} ${kind} coordinator slots, this one with ` +
              `${count}: every gateway must use the same number`,
          );
        }
      }
      const held = new Set<number>();
      const claimed = new Map<number, number>();
      for (let slot = 0; slot < count; slot++) if (this.leases.has(slotKey(kind, slot))) held.add(slot);
      for (const r of this.view) {
        if (r.nodeId === this.o.nodeId) continue;
        for (const slot of r.slots[kind] ?? []) claimed.set(slot, r.nodeId);
      }
      for (let slot = 0; slot < count; slot++) {
        const k = slotKey(kind, slot);
        if (held.has(slot) || claimed.has(slot)) this.freeSince.delete(k);
        else if (!this.freeSince.has(k)) this.freeSince.set(k, now);
      }
      const freeSince = new Map<number, number>();
      for (let slot = 0; slot < count; slot++) {
        const since = this.freeSince.get(slotKey(kind, slot));
        if (since !== undefined) freeSince.set(slot, since);
      }
      const plan = planSlots({
        self: this.o.nodeId,
        live: registered ? live : live.filter((n) => n !== this.o.nodeId),
        count,
        held,
        claimed,
        settled,
        freeSince,
        now,
        graceMs: this.o.leaseMs,
      });
      for (const slot of plan.release) await this.release(slotKey(kind, slot));
      await Promise.all(plan.acquire.map((slot) => this.acquire(kind, slot)));
    }
  }

  private async acquire(kind: SlotKind, slot: number): Promise<void> {
    const k = slotKey(kind, slot);
    const result = await takeOrRenew(this.o, `slot/${k}`, this.owner(), undefined);
    if (result === 'refused' || result === 'unknown') return;
    const lease: Lease = {
      ...result,
      readyAt: this.readyAt(this.o.clock.now(), this.claimedBefore(kind, slot)),
      published: false,
      loaded: false,
      loading: false,
    };
    this.leases.set(k, lease);
    this.freeSince.delete(k);
    this.o.logger.info({ slot: k }, 'took the lease of a coordinator slot');
    void this.load(k, lease);
  }

  private async load(k: string, lease: Lease): Promise<void> {
    if (this.handlers === undefined) return;
    lease.loading = true;
    try {
      await this.handlers.takeOver(...parseSlotKey(k));
      if (this.leases.get(k) === lease) lease.loaded = true;
    } catch (err) {
      this.o.logger.warn({ err, slot: k }, 'could not load a coordinator slot; retrying');
    } finally {
      lease.loading = false;
    }
  }

  private async release(k: string): Promise<void> {
    const lease = this.leases.get(k);
    if (lease === undefined) return;
    this.leases.delete(k);
    await this.handlers?.handOver(...parseSlotKey(k)).catch(() => undefined);
    await this.o.locks.unlock(`slot/${k}`, lease.token).catch(() => undefined);
    this.o.logger.info({ slot: k }, 'gave up a coordinator slot');
  }

  /**
   * Writes this gateway's record when what it says changed: the slots it holds (it serves a slot only
   * once the record lists it) and those it serves (other gateways send clients only there; a slot
   * still loading answers COORDINATOR_NOT_AVAILABLE, which every client retries).
   */
  private async publish(): Promise<void> {
    // Twice at most: the first write may make slots servable, which the second then says.
    for (let i = 0; i < 2; i++) {
      const self = this.self();
      if (this.registration === undefined || self === undefined) return;
      const slots: Record<SlotKind, number[]> = {};
      const serving: Record<SlotKind, number[]> = {};
      for (const kind of Object.keys(this.o.kinds)) {
        slots[kind] = [];
        serving[kind] = [];
      }
      for (const k of this.leases.keys()) {
        const [kind, slot] = parseSlotKey(k);
        slots[kind]!.push(slot);
        if (this.status(kind, slot) === 'owned') serving[kind]!.push(slot);
      }
      const record: GatewayRecord = {
        ...self,
        instance: this.instance,
        slotCounts: this.o.kinds,
        slots,
        serving,
      };
      const text = JSON.stringify(record);
      const leases = [...this.leases.values()];
      if (text === this.published) {
        for (const lease of leases) lease.published = true;
        return;
      }
      try {
        await writeRecord(this.o.store, record);
        this.published = text;
        // Leases taken while the write was under way wait for the next one.
        for (const lease of leases) lease.published = true;
      } catch (err) {
        this.o.logger.warn({ err }, 'could not publish this gateway to the others; retrying');
        return;
      }
    }
  }

  private owner(): string {
    return lockOwner({ nodeId: this.o.nodeId, instance: this.instance });
  }

  private warnOnce(id: string, message: string): void {
    if (this.warned.has(id)) return;
    this.warned.add(id);
    this.o.logger.error(message);
  }
}

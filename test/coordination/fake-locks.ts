/** An in-memory LockService on a fake clock, shaped like the filer's: tokens rotate on renewal. */
import type { LockResult, LockService } from '../../src/coordination/lock-service.js';
import type { Clock } from '../../src/groups/time.js';

interface Held {
  owner: string;
  token: string;
  expiresAt: number;
}

export class FakeLocks implements LockService {
  private readonly locks = new Map<string, Held>();
  private next = 0;
  /** Gateways whose calls fail as if the store were unreachable from them. */
  readonly cutOff = new Set<string>();

  constructor(private readonly clock: Clock) {}

  /** The store restarts: every lock is forgotten. */
  forgetAll(): void {
    this.locks.clear();
  }

  holder(name: string): string | undefined {
    const l = this.locks.get(name);
    return l !== undefined && l.expiresAt > this.clock.now() ? l.owner : undefined;
  }

  async lock(name: string, owner: string, ttlSeconds: number, token?: string): Promise<LockResult> {
    this.reachable(owner);
    const now = this.clock.now();
    const held = this.locks.get(name);
    const live = held !== undefined && held.expiresAt > now;
    if (live && held.token !== token) {
      return { ok: false, heldBy: held.owner, reason: `lock already owned by ${held.owner}` };
    }
    if (!live && token !== undefined)
      return { ok: false, heldBy: undefined, reason: 'non-empty token on a new lock' };
    const fresh = { owner, token: `t${this.next++}`, expiresAt: now + ttlSeconds * 1000 };
    this.locks.set(name, fresh);
    return { ok: true, token: fresh.token };
  }

  async unlock(name: string, token: string): Promise<void> {
    if (this.locks.get(name)?.token === token) this.locks.delete(name);
  }

  async owner(name: string): Promise<string | undefined> {
    return this.holder(name);
  }

  private reachable(owner: string): void {
    if (this.cutOff.has(owner.split('/')[0]!)) throw new Error('store unreachable');
  }

  /** The lock service as gateway `nodeId` reaches it: every call fails while it is cut off. */
  forGateway(nodeId: number): LockService {
    const check = (): void => this.reachable(String(nodeId));
    return {
      lock: (name, owner, ttl, token) => this.lock(name, owner, ttl, token),
      unlock: async (name, token) => {
        check();
        await this.unlock(name, token);
      },
      owner: async (name) => {
        check();
        return this.owner(name);
      },
    };
  }
}

/** The key-value space the gateways' records live in, shared, with the same cut-off switch. */
export class FakeRegistryStore {
  readonly values = new Map<string, Map<string, Buffer>>();

  constructor(private readonly locks: FakeLocks) {}

  forGateway(nodeId: number) {
    const check = (): void => {
      if (this.locks.cutOff.has(String(nodeId))) throw new Error('store unreachable');
    };
    return {
      kvPut: async (ns: string, key: string, value: Buffer): Promise<void> => {
        check();
        let m = this.values.get(ns);
        if (m === undefined) this.values.set(ns, (m = new Map()));
        m.set(key, value);
      },
      kvList: async (ns: string): Promise<Map<string, Buffer>> => {
        check();
        return new Map(this.values.get(ns) ?? []);
      },
    };
  }
}

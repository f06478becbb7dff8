/** One lease (a lock held in the lock service) as a gateway keeps it, and the call that takes or renews it. */
import type { Logger } from 'pino';
import type { Clock } from '../groups/time.js';
import type { LockService } from './lock-service.js';
import type { SlotKind } from './slots.js';

export interface Lease {
  token: string;
  /** Local deadline: when the last renewal was sent, plus the lease time. */
  validUntil: number;
  /** When a freshly taken slot may serve. */
  readyAt: number;
  /** Whether this gateway's record says it holds the slot: it serves only once others can see that. */
  published: boolean;
  loaded: boolean;
  loading: boolean;
}

export const slotKey = (kind: SlotKind, slot: number): string => `${kind}/${slot}`;

export function parseSlotKey(k: string): [SlotKind, number] {
  const i = k.lastIndexOf('/');
  return [k.slice(0, i), Number(k.slice(i + 1))];
}

export interface LeaseClient {
  readonly locks: LockService;
  readonly clock: Clock;
  readonly leaseMs: number;
  readonly logger: Logger;
}

/**
 * Takes (current undefined) or renews a lock for the lease time. 'refused': the lock service said no;
 * 'unknown': it did not answer (the caller keeps what it had until its deadline).
 */
export async function takeOrRenew(
  c: LeaseClient,
  name: string,
  owner: string,
  current: Lease | undefined,
): Promise<Lease | 'refused' | 'unknown'> {
  const sentAt = c.clock.now();
  try {
    const r = await c.locks.lock(name, owner, Math.ceil(c.leaseMs / 1000), current?.token);
    if (!r.ok) return 'refused';
    return {
      token: r.token,
      validUntil: sentAt + c.leaseMs,
      readyAt: current?.readyAt ?? sentAt,
      published: current?.published ?? false,
      loaded: current?.loaded ?? false,
      loading: current?.loading ?? false,
    };
  } catch (err) {
    c.logger.debug({ err, lock: name }, 'lock service did not answer');
    return 'unknown';
  }
}

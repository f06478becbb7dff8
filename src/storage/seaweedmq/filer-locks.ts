/**
 * The coordination LockService on the filer's distributed lock service (filer_pb DistributedLock,
 * DistributedUnlock, FindLockOwner). Its locks live in the filers' memory (spread over them by a hash
 * ring, with a backup copy), expire unless renewed, and are forgotten when the filers restart: the
 * slot manager's waiting rules cover that (src/coordination/slot-manager.ts). Names are prefixed with
 * the namespace so gateway clusters on different namespaces of one SeaweedFS do not meet.
 */
import { status } from '@grpc/grpc-js';
import type { LockResult, LockService } from '../../coordination/lock-service.js';
import type { Discovery } from './discovery.js';
import { isServiceError, toKafkaError } from './errors.js';
import { FilerClient } from './proto.js';
import { unary, type ClientPool } from './rpc.js';

/** The filer's answers that mean "no" rather than "cannot tell". */
const REFUSED = /already owned|token mismatch|non-empty token/;
const OWNED_BY = /owned by (.*)$/;

export class FilerLocks implements LockService {
  constructor(
    private readonly discovery: Discovery,
    private readonly pool: ClientPool,
    private readonly namespace: string,
    private readonly timeoutMs: number,
  ) {}

  async lock(name: string, owner: string, ttlSeconds: number, token?: string): Promise<LockResult> {
    const res = await this.call<{ renew_token: string; lock_owner: string; error: string }>(
      'DistributedLock',
      {
        name: this.name(name),
        seconds_to_lock: ttlSeconds,
        renew_token: token ?? '',
        owner,
      },
    );
    if (res.error === '' && res.renew_token !== '') return { ok: true, token: res.renew_token };
    if (REFUSED.test(res.error)) {
      return {
        ok: false,
        heldBy: OWNED_BY.exec(res.error)?.[1] ?? (res.lock_owner || undefined),
        reason: res.error,
      };
    }
    throw toKafkaError(new Error(res.error || 'no token'), `lock ${name}`);
  }

  async unlock(name: string, token: string): Promise<void> {
    await this.call('DistributedUnlock', { name: this.name(name), renew_token: token });
  }

  async owner(name: string): Promise<string | undefined> {
    try {
      const res = await this.call<{ owner: string }>('FindLockOwner', { name: this.name(name) });
      return res.owner || undefined;
    } catch (err) {
      if (isServiceError(err) && err.code === status.NOT_FOUND) return undefined;
      throw err;
    }
  }

  private name(name: string): string {
    return `kafka-gateway/${this.namespace}/${name}`;
  }

  private async call<T>(method: string, request: object): Promise<T> {
    const client = this.pool.get(FilerClient, this.discovery.filer());
    try {
      return await unary<T>(client, method, request, this.timeoutMs);
    } catch (err) {
      if (isServiceError(err) && err.code === status.NOT_FOUND) throw err;
      throw toKafkaError(err, `filer ${method}`);
    }
  }
}

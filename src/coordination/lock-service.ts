/**
 * Named, expiring locks with an owner string, as a store offers them (SeaweedFS's filer: its
 * DistributedLock service). A lock taken with no token is refused while another owner holds it; the
 * token it returns renews it, and each renewal returns the next token. Locks of one cluster of gateways
 * are told apart from another's by the store (SeaweedMQ prefixes its namespace).
 */
export type LockResult =
  | { readonly ok: true; readonly token: string }
  | { readonly ok: false; readonly heldBy: string | undefined; readonly reason: string };

export interface LockService {
  /**
   * Takes (`token` undefined) or renews a lock for ttlSeconds. Resolves ok: false when the store says
   * no (held by another owner, or the token is no longer valid); throws when the store cannot answer.
   */
  lock(name: string, owner: string, ttlSeconds: number, token?: string): Promise<LockResult>;
  /** Releases a lock this token holds; a lock already gone is not an error. */
  unlock(name: string, token: string): Promise<void>;
  /** The owner of a live lock, or undefined when nobody holds it. */
  owner(name: string): Promise<string | undefined>;
}

/**
 * ACLs kept in the store's key-value space (on SeaweedMQ: the filer, shared by every gateway on the
 * namespace), one entry per binding. Each gateway re-reads them every refreshMs, so a change made
 * through one gateway is enforced by the others within that bound; a change made here applies at once.
 */
import { createHash } from 'node:crypto';
import type { Logger } from '../../log.js';
import type { Storage } from '../../storage/storage.js';
import type { AclAuthorizer } from './authorizer.js';
import type { AclBinding } from './types.js';

const KV_NAMESPACE = 'acls';

function keyOf(acl: AclBinding): string {
  const text = [
    acl.resourceType,
    acl.resourceName,
    acl.patternType,
    acl.principal,
    acl.host,
    acl.operation,
    acl.permissionType,
  ].join('\u0000');
  return createHash('sha256').update(text).digest('hex');
}

export class AclStore {
  private acls = new Map<string, AclBinding>();
  private timer: NodeJS.Timeout | undefined;
  private loaded = false;

  constructor(
    private readonly storage: Storage,
    private readonly authorizer: AclAuthorizer,
    private readonly log: Logger,
    private readonly refreshMs: number,
  ) {}

  /** Whether the ACLs have been read once (until then every request is denied, as Kafka does). */
  get ready(): boolean {
    return this.loaded;
  }

  /** Loads the ACLs, retrying in the background while the store does not answer, and keeps them fresh. */
  start(): void {
    const tick = async (): Promise<void> => {
      try {
        await this.reload();
      } catch (err) {
        this.log.warn({ err }, 'could not read ACLs from the store; keeping the ones known');
      }
      this.timer = setTimeout(() => void tick(), this.refreshMs);
      this.timer.unref();
    };
    void tick();
  }

  close(): void {
    clearTimeout(this.timer);
  }

  async reload(): Promise<void> {
    const next = new Map<string, AclBinding>();
    for (const [key, value] of await this.storage.kvList(KV_NAMESPACE)) {
      next.set(key, JSON.parse(value.toString('utf8')) as AclBinding);
    }
    this.acls = next;
    this.loaded = true;
    this.authorizer.setAcls([...next.values()]);
  }

  all(): AclBinding[] {
    return [...this.acls.values()];
  }

  async create(acl: AclBinding): Promise<void> {
    const key = keyOf(acl);
    await this.storage.kvPut(KV_NAMESPACE, key, Buffer.from(JSON.stringify(acl)));
    this.acls.set(key, acl);
    this.authorizer.setAcls([...this.acls.values()]);
  }

  async delete(acls: readonly AclBinding[]): Promise<void> {
    for (const acl of acls) {
      const key = keyOf(acl);
      await this.storage.kvDelete(KV_NAMESPACE, key);
      this.acls.delete(key);
    }
    this.authorizer.setAcls([...this.acls.values()]);
  }
}

/**
 * The gateway's security state shared by every connection: the SASL mechanisms, the SCRAM
 * credentials and PLAIN users, and the ACL authorizer with its store.
 */
import type { Logger } from '../log.js';
import type { Storage } from '../storage/storage.js';
import { AclAuthorizer } from './acl/authorizer.js';
import { AclStore } from './acl/store.js';
import { OPERATIONS_BY_RESOURCE, type AclOperation } from './acl/types.js';
import type { SecurityConfig } from './config.js';
import { principalString } from './principal.js';
import type { SaslMechanism } from './sasl/mechanism.js';
import { OAuthBearerMechanism } from './sasl/oauthbearer.js';
import { loadPlainUsers, PlainMechanism } from './sasl/plain.js';
import { ScramSaslMechanism } from './sasl/scram.js';
import { ScramCredentialStore } from './scram-credentials.js';
import type { Session } from './session.js';

export class SecurityService {
  readonly scram: ScramCredentialStore;
  readonly authorizer: AclAuthorizer | undefined;
  readonly acls: AclStore | undefined;
  private readonly mechanisms = new Map<string, SaslMechanism>();
  private plainUsers = new Map<string, string>();

  constructor(
    readonly config: SecurityConfig,
    storage: Storage,
    private readonly log: Logger,
  ) {
    this.scram = new ScramCredentialStore(storage);
    this.loadPlainUsers();
    for (const name of config.saslMechanisms) {
      if (name === 'PLAIN') this.mechanisms.set(name, new PlainMechanism(() => this.plainUsers, this.scram));
      else if (name === 'SCRAM-SHA-256' || name === 'SCRAM-SHA-512') {
        this.mechanisms.set(name, new ScramSaslMechanism(name, this.scram));
      } else if (name === 'OAUTHBEARER')
        this.mechanisms.set(name, new OAuthBearerMechanism(config.oauthbearer));
      else
        throw new Error(`unknown SASL mechanism ${name}: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER`);
    }
    if (config.authorizer === 'acl') {
      this.authorizer = new AclAuthorizer({
        superUsers: config.superUsers,
        allowEveryoneIfNoAclFound: config.allowEveryoneIfNoAclFound,
      });
      this.acls = new AclStore(storage, this.authorizer, log, config.aclRefreshMs);
    }
  }

  start(): void {
    this.acls?.start();
  }

  close(): void {
    this.acls?.close();
  }

  /** Re-reads what lives in files (SIGHUP): the PLAIN users. */
  reload(): void {
    try {
      this.loadPlainUsers();
    } catch (err) {
      this.log.error({ err }, 'could not reload the PLAIN users file; keeping the previous users');
    }
  }

  private loadPlainUsers(): void {
    const file = this.config.plainUsersFile;
    if (file !== undefined) this.plainUsers = loadPlainUsers(file);
  }

  get enabledMechanisms(): string[] {
    return [...this.mechanisms.keys()];
  }

  mechanism(name: string): SaslMechanism | undefined {
    return this.mechanisms.get(name);
  }

  /**
   * Whether the session's principal may perform `operation` on the resource. `audit` (default) logs a
   * denial, as Kafka does for resources a request names; filters (Metadata's topic list) pass false.
   */
  allowed(
    session: Session,
    operation: AclOperation,
    resourceType: number,
    name: string,
    audit = true,
  ): boolean {
    const authorizer = this.authorizer;
    if (authorizer === undefined) return true;
    const ok =
      (this.acls!.ready || authorizer.isSuperUser(session.principal)) &&
      authorizer.authorize(session.principal, session.clientHost, operation, resourceType, name);
    if (!ok && audit) {
      this.log.info(
        {
          principal: principalString(session.principal),
          host: session.clientHost,
          operation,
          resourceType,
          resource: name,
        },
        'authorization denied',
      );
    }
    return ok;
  }

  /** Whether the principal may perform `operation` on some resource of the type (idempotent producers). */
  allowedOnSomeResource(session: Session, operation: AclOperation, resourceType: number): boolean {
    const authorizer = this.authorizer;
    if (authorizer === undefined) return true;
    return (
      this.acls!.ready &&
      authorizer.authorizeSomeResource(session.principal, session.clientHost, operation, resourceType)
    );
  }

  /** The authorized-operations bit field of a resource for the session (every operation without an authorizer). */
  authorizedOperations(session: Session, resourceType: number, name: string): number {
    let bits = 0;
    for (const op of OPERATIONS_BY_RESOURCE[resourceType] ?? []) {
      if (this.allowed(session, op, resourceType, name, false)) bits |= 1 << op;
    }
    return bits;
  }
}

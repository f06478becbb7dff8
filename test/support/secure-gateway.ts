/**
 * A gateway with the listeners the security suites use — PLAINTEXT (anonymous: no rights), SASL_SSL,
 * and SSL with client certificates requested — ACLs enforced (User:admin and User:root, whose PLAIN
 * password is in a users file, are super users), and
 * throw-away certificates. Users and ACLs are created through the gateway's own services.
 */
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_CONFIG, type GatewayConfig } from '../../src/config.js';
import { startGateway, type Gateway } from '../../src/gateway.js';
import { silentLogger } from '../../src/log.js';
import { PatternType, PermissionType, AclOperation, type AclBinding } from '../../src/security/acl/types.js';
import { DEFAULT_SECURITY } from '../../src/security/config.js';
import { parseListeners } from '../../src/security/listeners.js';
import { credentialOf, saltPassword, type ScramMechanism } from '../../src/security/scram-credentials.js';
import type { Storage } from '../../src/storage/storage.js';
import { makeCertificates, type TestCertificates } from './tls-certs.js';

export interface SecureGateway {
  readonly gateway: Gateway;
  readonly certs: TestCertificates;
  readonly plaintext: string;
  readonly saslSsl: string;
  readonly ssl: string;
  /** host:port of the listener called `name`. */
  listener(name: string): string;
  addScramUser(user: string, password: string, mechanisms?: readonly ScramMechanism[]): Promise<void>;
  /** ALLOW `operation` (default ALL) on every topic, group and transactional id starting with `prefix`. */
  allowPrefix(principal: string, prefix: string, operation?: number): Promise<void>;
  stop(): Promise<void>;
}

/** The principal of the test client certificate (Kafka's default SSL principal). */
export const CERT_PRINCIPAL = 'User:CN=alice,OU=eng,O=acme';

/** host:port of a listener; empty when `listeners` left that one out. */
function bootstrap(a: AddressInfo | undefined): string {
  return a === undefined ? '' : `127.0.0.1:${a.port}`;
}

export async function startSecureGateway(
  options: {
    config?: Partial<Omit<GatewayConfig, 'security'>> & { security?: Partial<GatewayConfig['security']> };
    storage?: Storage;
    /** Listeners instead of the three above (their addresses are in gateway.addresses). */
    listeners?: string;
    clientAuth?: 'none' | 'requested' | 'required';
  } = {},
): Promise<SecureGateway> {
  const certs = makeCertificates();
  // The first administrator, from a PLAIN users file, as docs/security.md bootstraps one.
  const usersFile = path.join(certs.dir, 'users.yaml');
  writeFileSync(usersFile, 'root: root-secret\n');
  const config: GatewayConfig = {
    ...DEFAULT_CONFIG,
    host: '127.0.0.1',
    port: 0,
    ...options.config,
    security: {
      ...DEFAULT_SECURITY,
      listeners: parseListeners(
        options.listeners ?? 'PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0,SSL://127.0.0.1:0',
        undefined,
        undefined,
      ),
      tls: {
        keyFile: certs.serverKey,
        certFile: certs.serverCert,
        caFile: certs.caCert,
        keyPassword: undefined,
        clientAuth: options.clientAuth ?? 'requested',
      },
      authorizer: 'acl',
      superUsers: ['User:admin', 'User:root'],
      plainUsersFile: usersFile,
      aclRefreshMs: 500,
      ...options.config?.security,
    },
  };
  const gateway = await startGateway(config, silentLogger, options.storage);
  const security = gateway.services.security;
  await security.acls?.reload();
  return {
    gateway,
    certs,
    plaintext: bootstrap(gateway.addresses.get('PLAINTEXT')),
    saslSsl: bootstrap(gateway.addresses.get('SASL_SSL')),
    ssl: bootstrap(gateway.addresses.get('SSL')),
    listener(name) {
      const a = gateway.addresses.get(name);
      if (a === undefined) throw new Error(`no listener ${name}`);
      return bootstrap(a);
    },
    async addScramUser(user, password, mechanisms = ['SCRAM-SHA-256', 'SCRAM-SHA-512']) {
      for (const m of mechanisms) {
        const salt = randomBytes(16);
        await security.scram.upsert(
          user,
          m,
          credentialOf(m, salt, saltPassword(m, password, salt, 4096), 4096),
        );
      }
    },
    async allowPrefix(principal, prefix, operation = AclOperation.ALL) {
      for (const resourceType of [2, 3, 5] as const) {
        const acl: AclBinding = {
          resourceType,
          resourceName: prefix,
          patternType: PatternType.PREFIXED,
          principal,
          host: '*',
          operation: operation as AclBinding['operation'],
          permissionType: PermissionType.ALLOW,
        };
        await security.acls!.create(acl);
      }
    },
    stop: () => gateway.stop(),
  };
}

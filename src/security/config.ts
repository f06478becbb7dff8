import type { ListenerConfig } from './listeners.js';
import type { OAuthBearerOptions } from './sasl/oauthbearer.js';

export type ClientAuth = 'none' | 'requested' | 'required';

export interface TlsConfig {
  readonly keyFile: string | undefined;
  readonly certFile: string | undefined;
  /** CA certificates trusted for client certificates. */
  readonly caFile: string | undefined;
  readonly keyPassword: string | undefined;
  /** Kafka's ssl.client.auth. */
  readonly clientAuth: ClientAuth;
}

/** Listeners, TLS, SASL and authorization settings (docs/security.md). */
export interface SecurityConfig {
  /** Empty: one PLAINTEXT listener on --host/--port, advertised as --advertised-host/-port. */
  readonly listeners: readonly ListenerConfig[];
  readonly tls: TlsConfig;
  readonly saslMechanisms: readonly string[];
  readonly plainUsersFile: string | undefined;
  readonly oauthbearer: OAuthBearerOptions;
  /** Kafka's connections.max.reauth.ms: 0 keeps SASL sessions forever. */
  readonly maxReauthMs: number;
  readonly authorizer: 'none' | 'acl';
  readonly superUsers: readonly string[];
  readonly allowEveryoneIfNoAclFound: boolean;
  /** How often ACLs are re-read from the store (changes made through other gateways). */
  readonly aclRefreshMs: number;
}

export const DEFAULT_SECURITY: SecurityConfig = {
  listeners: [],
  tls: {
    keyFile: undefined,
    certFile: undefined,
    caFile: undefined,
    keyPassword: undefined,
    clientAuth: 'none',
  },
  saslMechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'],
  plainUsersFile: undefined,
  oauthbearer: {
    jwks: undefined,
    expectedIssuer: undefined,
    expectedAudience: [],
    allowUnsecured: false,
    subClaimName: 'sub',
    clockSkewSeconds: 30,
  },
  maxReauthMs: 0,
  authorizer: 'none',
  superUsers: [],
  allowEveryoneIfNoAclFound: false,
  aclRefreshMs: 2000,
};

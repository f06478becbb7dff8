/**
 * SASL/OAUTHBEARER (RFC 7628) as Kafka speaks it: the client's one message carries
 * "auth=Bearer <JWT>"; the token is validated either against a JWKS (signature, exp/nbf, and the
 * expected issuer and audience) with jose, or — for development only, with
 * --oauthbearer-allow-unsecured — as an unsecured JWS (alg "none"), as Kafka's default handler does.
 * The principal is the token's subject claim; the session lasts until the token expires (KIP-368).
 */
import { readFileSync } from 'node:fs';
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, UnsecuredJWT, type JWTPayload } from 'jose';
import { SaslAuthenticationError, type SaslExchange, type SaslMechanism } from './mechanism.js';

export interface OAuthBearerOptions {
  /** A JWKS: an http(s) URL, or a file holding the JSON key set. */
  readonly jwks: string | undefined;
  readonly expectedIssuer: string | undefined;
  readonly expectedAudience: readonly string[];
  readonly allowUnsecured: boolean;
  readonly subClaimName: string;
  /** Tolerated clock difference, in seconds (Kafka's allowable clock skew is 30 s). */
  readonly clockSkewSeconds: number;
}

type KeySet = Parameters<typeof jwtVerify>[1];

function keySet(jwks: string): KeySet {
  if (/^https?:\/\//.test(jwks)) return createRemoteJWKSet(new URL(jwks));
  return createLocalJWKSet(JSON.parse(readFileSync(jwks, 'utf8')) as Parameters<typeof createLocalJWKSet>[0]);
}

/** The bearer token of a client initial response: gs2 header, then ^A-separated key=value pairs. */
function bearerToken(message: string): string {
  const parts = message.split('\u0001');
  if (!/^n,(a=[^,]*)?,$/.test(parts[0] ?? '')) {
    throw new SaslAuthenticationError('Invalid OAUTHBEARER client first message');
  }
  for (const kv of parts.slice(1)) {
    const m = /^auth=Bearer +(.+)$/i.exec(kv);
    if (m !== null) return m[1]!.trim();
  }
  throw new SaslAuthenticationError('Invalid OAUTHBEARER client first message: no bearer token');
}

export class OAuthBearerMechanism implements SaslMechanism {
  readonly name = 'OAUTHBEARER';
  private readonly keys: KeySet | undefined;

  constructor(private readonly options: OAuthBearerOptions) {
    this.keys = options.jwks === undefined ? undefined : keySet(options.jwks);
    if (this.keys === undefined && !options.allowUnsecured) {
      throw new Error(
        'OAUTHBEARER needs --oauthbearer-jwks (or --oauthbearer-allow-unsecured for development)',
      );
    }
  }

  start(): SaslExchange {
    return {
      step: async (token) => {
        const payload = await this.validate(bearerToken(token.toString('utf8')));
        const sub = payload[this.options.subClaimName];
        if (typeof sub !== 'string' || sub === '') {
          throw new SaslAuthenticationError(
            `Authentication failed: the token has no "${this.options.subClaimName}" claim`,
          );
        }
        if (payload.exp === undefined)
          throw new SaslAuthenticationError('Authentication failed: the token has no exp claim');
        return {
          response: Buffer.alloc(0),
          done: { principal: { type: 'User', name: sub }, lifetimeMs: payload.exp * 1000 - Date.now() },
        };
      },
    };
  }

  private async validate(jwt: string): Promise<JWTPayload> {
    const o = this.options;
    const claims = {
      ...(o.expectedIssuer === undefined ? {} : { issuer: o.expectedIssuer }),
      ...(o.expectedAudience.length === 0 ? {} : { audience: [...o.expectedAudience] }),
      clockTolerance: o.clockSkewSeconds,
      requiredClaims: ['exp'],
    };
    try {
      const alg = JSON.parse(Buffer.from(jwt.split('.')[0] ?? '', 'base64url').toString('utf8')) as {
        alg?: string;
      };
      if (alg.alg === 'none') {
        if (!o.allowUnsecured) throw new Error('unsecured tokens (alg none) are not accepted');
        return UnsecuredJWT.decode(jwt, claims).payload;
      }
      if (this.keys === undefined) throw new Error('signed tokens need --oauthbearer-jwks');
      return (await jwtVerify(jwt, this.keys, claims)).payload;
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new SaslAuthenticationError(`Authentication failed: invalid OAUTHBEARER token: ${why}`);
    }
  }
}

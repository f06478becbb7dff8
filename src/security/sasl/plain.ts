/**
 * SASL/PLAIN (RFC 4616): "[authzid] NUL authcid NUL passwd" in one token. Passwords are checked
 * against the users file (--sasl-plain-users-file) first, then against the SCRAM credentials in the
 * store, so a user created with kafka-configs can log in with either mechanism.
 */
import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import {
  hash,
  hmac,
  saltPassword,
  SCRAM_MECHANISMS,
  type ScramCredentialStore,
  type ScramMechanism,
} from '../scram-credentials.js';
import { SaslAuthenticationError, type SaslExchange, type SaslMechanism } from './mechanism.js';

/** Users and passwords from a YAML file of `user: password` lines. */
export function loadPlainUsers(file: string): Map<string, string> {
  const parsed: unknown = parse(readFileSync(file, 'utf8'));
  const out = new Map<string, string>();
  if (parsed === null || parsed === undefined) return out;
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`${file}: expected a YAML mapping of user: password`);
  }
  for (const [user, password] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof password !== 'string' && typeof password !== 'number') {
      throw new Error(`${file}: the password of ${user} is not a string`);
    }
    out.set(user, String(password));
  }
  return out;
}

function equal(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

const INVALID = 'Authentication failed: Invalid username or password';

export class PlainMechanism implements SaslMechanism {
  readonly name = 'PLAIN';

  constructor(
    private readonly users: () => ReadonlyMap<string, string>,
    private readonly scram: ScramCredentialStore,
  ) {}

  start(): SaslExchange {
    return {
      step: async (token) => {
        const parts = token.toString('utf8').split('\u0000');
        if (parts.length !== 3)
          throw new SaslAuthenticationError('Invalid SASL/PLAIN response: expected 3 tokens');
        const [authzid, user, password] = parts as [string, string, string];
        if (user === '') throw new SaslAuthenticationError('Authentication failed: username not specified');
        if (password === '')
          throw new SaslAuthenticationError('Authentication failed: password not specified');
        if (authzid !== '' && authzid !== user) {
          throw new SaslAuthenticationError(
            'Authentication failed: Client requested an authorization id that is different from username',
          );
        }
        if (!(await this.verify(user, password))) throw new SaslAuthenticationError(INVALID);
        return { response: Buffer.alloc(0), done: { principal: { type: 'User', name: user } } };
      },
    };
  }

  private async verify(user: string, password: string): Promise<boolean> {
    const known = this.users().get(user);
    if (known !== undefined) return equal(Buffer.from(known, 'utf8'), Buffer.from(password, 'utf8'));
    for (const mechanism of Object.keys(SCRAM_MECHANISMS) as ScramMechanism[]) {
      const c = await this.scram.get(user, mechanism);
      if (c === undefined) continue;
      const salted = saltPassword(mechanism, password, c.salt, c.iterations);
      return equal(hash(mechanism, hmac(mechanism, salted, 'Client Key')), c.storedKey);
    }
    return false;
  }
}

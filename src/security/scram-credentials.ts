/**
 * SCRAM credentials (RFC 5802) as Kafka keeps them: per user and mechanism a salt, an iteration
 * count, StoredKey = H(HMAC(SaltedPassword, "Client Key")) and ServerKey = HMAC(SaltedPassword,
 * "Server Key"); never the password. Kept in the store's key-value space, one entry per user, so
 * every gateway on a shared store (SeaweedMQ: the filer) authenticates against the same users. Read
 * on every authentication, so a credential changed through one gateway applies at once on all.
 */
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import type { Storage } from '../storage/storage.js';

export const SCRAM_MECHANISMS = {
  'SCRAM-SHA-256': { hash: 'sha256', keyLength: 32, type: 1 },
  'SCRAM-SHA-512': { hash: 'sha512', keyLength: 64, type: 2 },
} as const;
export type ScramMechanism = keyof typeof SCRAM_MECHANISMS;

/** Kafka's bounds on iterations (ScramMechanism.minIterations, and the 16384 its controller allows). */
export const SCRAM_MIN_ITERATIONS = 4096;
export const SCRAM_MAX_ITERATIONS = 16384;

export function scramMechanismOfType(type: number): ScramMechanism | undefined {
  return (Object.keys(SCRAM_MECHANISMS) as ScramMechanism[]).find((m) => SCRAM_MECHANISMS[m].type === type);
}

export interface ScramCredential {
  readonly salt: Buffer;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
  readonly iterations: number;
}

export function hmac(mechanism: ScramMechanism, key: Buffer, data: Buffer | string): Buffer {
  return createHmac(SCRAM_MECHANISMS[mechanism].hash, key).update(data).digest();
}

export function hash(mechanism: ScramMechanism, data: Buffer): Buffer {
  return createHash(SCRAM_MECHANISMS[mechanism].hash).update(data).digest();
}

export function saltPassword(
  mechanism: ScramMechanism,
  password: string,
  salt: Buffer,
  iterations: number,
): Buffer {
  const { hash: digest, keyLength } = SCRAM_MECHANISMS[mechanism];
  return pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, keyLength, digest);
}

/** The credential of a salted password, as AlterUserScramCredentials sends it. */
export function credentialOf(
  mechanism: ScramMechanism,
  salt: Buffer,
  saltedPassword: Buffer,
  iterations: number,
): ScramCredential {
  const clientKey = hmac(mechanism, saltedPassword, 'Client Key');
  return {
    salt,
    storedKey: hash(mechanism, clientKey),
    serverKey: hmac(mechanism, saltedPassword, 'Server Key'),
    iterations,
  };
}

const KV_NAMESPACE = 'scram-credentials';

interface StoredEntry {
  readonly [mechanism: string]: { salt: string; storedKey: string; serverKey: string; iterations: number };
}

function decode(value: Buffer): StoredEntry {
  return JSON.parse(value.toString('utf8')) as StoredEntry;
}

export class ScramCredentialStore {
  constructor(private readonly storage: Storage) {}

  async get(user: string, mechanism: ScramMechanism): Promise<ScramCredential | undefined> {
    const value = await this.storage.kvGet(KV_NAMESPACE, user);
    const c = value === undefined ? undefined : decode(value)[mechanism];
    if (c === undefined) return undefined;
    return {
      salt: Buffer.from(c.salt, 'base64'),
      storedKey: Buffer.from(c.storedKey, 'base64'),
      serverKey: Buffer.from(c.serverKey, 'base64'),
      iterations: c.iterations,
    };
  }

  /** Every user with credentials: user → mechanism → iterations. */
  async list(): Promise<Map<string, Map<ScramMechanism, number>>> {
    const out = new Map<string, Map<ScramMechanism, number>>();
    for (const [user, value] of await this.storage.kvList(KV_NAMESPACE)) {
      const entry = decode(value);
      out.set(user, new Map(Object.entries(entry).map(([m, c]) => [m as ScramMechanism, c.iterations])));
    }
    return out;
  }

  async upsert(user: string, mechanism: ScramMechanism, c: ScramCredential): Promise<void> {
    const value = await this.storage.kvGet(KV_NAMESPACE, user);
    const entry = value === undefined ? {} : decode(value);
    const next: StoredEntry = {
      ...entry,
      [mechanism]: {
        salt: c.salt.toString('base64'),
        storedKey: c.storedKey.toString('base64'),
        serverKey: c.serverKey.toString('base64'),
        iterations: c.iterations,
      },
    };
    await this.storage.kvPut(KV_NAMESPACE, user, Buffer.from(JSON.stringify(next)));
  }

  /** Removes one mechanism's credential; false when the user had none for it. */
  async delete(user: string, mechanism: ScramMechanism): Promise<boolean> {
    const value = await this.storage.kvGet(KV_NAMESPACE, user);
    if (value === undefined) return false;
    const { [mechanism]: removed, ...rest } = decode(value);
    if (removed === undefined) return false;
    if (Object.keys(rest).length === 0) await this.storage.kvDelete(KV_NAMESPACE, user);
    else await this.storage.kvPut(KV_NAMESPACE, user, Buffer.from(JSON.stringify(rest)));
    return true;
  }
}

/**
 * The SASL mechanisms, each driven by a client written here from the RFCs (the end-to-end suites
 * drive them with real clients).
 */
import { createHash, createHmac, generateKeyPairSync, pbkdf2Sync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exportJWK, SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { parseListeners } from '../../src/security/listeners.js';
import { principalFromCertificate } from '../../src/security/principal.js';
import { SaslAuthenticationError, type SaslMechanism } from '../../src/security/sasl/mechanism.js';
import { OAuthBearerMechanism, type OAuthBearerOptions } from '../../src/security/sasl/oauthbearer.js';
import { PlainMechanism } from '../../src/security/sasl/plain.js';
import { ScramSaslMechanism } from '../../src/security/sasl/scram.js';
import { credentialOf, saltPassword, ScramCredentialStore } from '../../src/security/scram-credentials.js';
import { MemoryStorage } from '../../src/storage/memory/memory-storage.js';
import { makeCertificates } from '../support/tls-certs.js';

async function scramStore(users: Record<string, string>, mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512') {
  const store = new ScramCredentialStore(new MemoryStorage({ logger: silentLogger }));
  for (const [user, password] of Object.entries(users)) {
    const salt = randomBytes(16);
    await store.upsert(
      user,
      mechanism,
      credentialOf(mechanism, salt, saltPassword(mechanism, password, salt, 4096), 4096),
    );
  }
  return store;
}

/** A SCRAM client (RFC 5802), as a Kafka client runs it. Returns the server's final message. */
async function scramLogin(
  mech: SaslMechanism,
  hashName: 'sha256' | 'sha512',
  user: string,
  password: string,
): Promise<string> {
  const ex = mech.start();
  const nonce = randomBytes(12).toString('base64');
  const bare = `n=${user.replace(/=/g, '=3D').replace(/,/g, '=2C')},r=${nonce}`;
  const first = (await ex.step(Buffer.from(`n,,${bare}`))).response.toString();
  const attrs = Object.fromEntries(first.split(',').map((a) => [a[0], a.slice(2)]));
  expect(attrs.r!.startsWith(nonce)).toBe(true);
  const keyLength = hashName === 'sha256' ? 32 : 64;
  const salted = pbkdf2Sync(password, Buffer.from(attrs.s!, 'base64'), Number(attrs.i), keyLength, hashName);
  const clientKey = createHmac(hashName, salted).update('Client Key').digest();
  const storedKey = createHash(hashName).update(clientKey).digest();
  const withoutProof = `c=${Buffer.from('n,,').toString('base64')},r=${attrs.r}`;
  const authMessage = `${bare},${first},${withoutProof}`;
  const signature = createHmac(hashName, storedKey).update(authMessage).digest();
  const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]!));
  const final = await ex.step(Buffer.from(`${withoutProof},p=${proof.toString('base64')}`));
  expect(final.done?.principal).toEqual({ type: 'User', name: user });
  const serverKey = createHmac(hashName, salted).update('Server Key').digest();
  expect(final.response.toString()).toBe(
    `v=${createHmac(hashName, serverKey).update(authMessage).digest('base64')}`,
  );
  return final.response.toString();
}

async function refused(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (err) {
    if (err instanceof SaslAuthenticationError) return err.message;
    throw err;
  }
  throw new Error('expected the authentication to fail');
}

describe('SCRAM', () => {
  it.each([
    ['SCRAM-SHA-256', 'sha256'],
    ['SCRAM-SHA-512', 'sha512'],
  ] as const)(
    '%s authenticates a user whose password matches, and proves the server knows it',
    async (name, h) => {
      const mech = new ScramSaslMechanism(name, await scramStore({ 'al,i=ce': 'secret' }, name));
      await scramLogin(mech, h, 'al,i=ce', 'secret');
    },
  );

  it('refuses a wrong password, an unknown user and delegation tokens', async () => {
    const mech = new ScramSaslMechanism(
      'SCRAM-SHA-512',
      await scramStore({ alice: 'secret' }, 'SCRAM-SHA-512'),
    );
    expect(await refused(() => scramLogin(mech, 'sha512', 'alice', 'wrong'))).toMatch(/invalid credentials/);
    expect(await refused(() => scramLogin(mech, 'sha512', 'nobody', 'x'))).toMatch(
      /Invalid user credentials/,
    );
    expect(await refused(() => mech.start().step(Buffer.from('n,,n=alice,r=abc,tokenauth=true')))).toMatch(
      /tokenauth/,
    );
    expect(await refused(() => mech.start().step(Buffer.from('p=tls-unique,,n=alice,r=abc')))).toMatch(
      /channel binding/,
    );
  });

  it('refuses a final message whose nonce differs from the exchange', async () => {
    const mech = new ScramSaslMechanism(
      'SCRAM-SHA-256',
      await scramStore({ alice: 'secret' }, 'SCRAM-SHA-256'),
    );
    const ex = mech.start();
    await ex.step(Buffer.from('n,,n=alice,r=abc'));
    expect(await refused(() => ex.step(Buffer.from('c=biws,r=abcXYZ,p=AAAA')))).toMatch(/nonce/);
  });
});

describe('PLAIN', () => {
  it('checks the users file first, then SCRAM credentials', async () => {
    const plain = new PlainMechanism(
      () => new Map([['bob', 'file-pw']]),
      await scramStore({ carol: 'scram-pw' }, 'SCRAM-SHA-256'),
    );
    const login = (token: string) => plain.start().step(Buffer.from(token));
    expect((await login('\u0000bob\u0000file-pw')).done?.principal.name).toBe('bob');
    expect((await login('carol\u0000carol\u0000scram-pw')).done?.principal.name).toBe('carol');
    expect(await refused(() => login('\u0000bob\u0000nope'))).toMatch(/Invalid username or password/);
    expect(await refused(() => login('\u0000carol\u0000nope'))).toMatch(/Invalid username or password/);
    expect(await refused(() => login('mallory\u0000bob\u0000file-pw'))).toMatch(/authorization id/);
    expect(await refused(() => login('only-one-part'))).toMatch(/3 tokens/);
  });
});

describe('OAUTHBEARER', () => {
  const base: OAuthBearerOptions = {
    jwks: undefined,
    expectedIssuer: 'https://issuer.test',
    expectedAudience: ['kafka'],
    allowUnsecured: false,
    subClaimName: 'sub',
    clockSkewSeconds: 30,
  };
  const message = (jwt: string) => Buffer.from(`n,,\u0001auth=Bearer ${jwt}\u0001\u0001`);

  it('accepts a signed token from the JWKS with the right issuer and audience; lifetime until exp', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const dir = mkdtempSync(path.join(tmpdir(), 'jwks-'));
    const jwks = path.join(dir, 'jwks.json');
    writeFileSync(
      jwks,
      JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' }] }),
    );
    const mech = new OAuthBearerMechanism({ ...base, jwks });
    const sign = (claims: { iss?: string; aud?: string; key?: typeof privateKey }) =>
      new SignJWT({ sub: 'svc-orders' })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer(claims.iss ?? 'https://issuer.test')
        .setAudience(claims.aud ?? 'kafka')
        .setExpirationTime('10m')
        .sign(claims.key ?? privateKey);
    const ok = await mech.start().step(message(await sign({})));
    expect(ok.done?.principal).toEqual({ type: 'User', name: 'svc-orders' });
    expect(ok.done!.lifetimeMs!).toBeGreaterThan(9 * 60_000);
    expect(
      await refused(async () => mech.start().step(message(await sign({ iss: 'https://evil.test' })))),
    ).toMatch(/iss/);
    expect(await refused(async () => mech.start().step(message(await sign({ aud: 'other' }))))).toMatch(
      /aud/,
    );
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    expect(await refused(async () => mech.start().step(message(await sign({ key: stranger }))))).toMatch(
      /signature/,
    );
    const unsigned = new UnsecuredJWT({ sub: 'x' })
      .setIssuer(base.expectedIssuer!)
      .setAudience('kafka')
      .setExpirationTime('1m')
      .encode();
    expect(await refused(() => mech.start().step(message(unsigned)))).toMatch(/unsecured/);
  });

  it('accepts unsecured tokens only when allowed, and still checks their claims', async () => {
    const mech = new OAuthBearerMechanism({ ...base, allowUnsecured: true });
    const token = (exp: string) =>
      new UnsecuredJWT({ sub: 'dev' })
        .setIssuer(base.expectedIssuer!)
        .setAudience('kafka')
        .setExpirationTime(exp)
        .encode();
    expect((await mech.start().step(message(token('1m')))).done?.principal.name).toBe('dev');
    expect(await refused(() => mech.start().step(message(token('-5m'))))).toMatch(/exp/);
    expect(await refused(() => mech.start().step(Buffer.from('n,,\u0001\u0001')))).toMatch(/no bearer token/);
  });
});

describe('listener settings', () => {
  it("parses Kafka's three settings", () => {
    const listeners = parseListeners(
      'PLAINTEXT://127.0.0.1:9092,EXTERNAL://:9094,SSL://[::1]:9093',
      'EXTERNAL://kafka.example.com:19094',
      'EXTERNAL:SASL_SSL',
    );
    expect(listeners).toEqual([
      {
        name: 'PLAINTEXT',
        protocol: 'PLAINTEXT',
        host: '127.0.0.1',
        port: 9092,
        advertisedHost: undefined,
        advertisedPort: undefined,
      },
      {
        name: 'EXTERNAL',
        protocol: 'SASL_SSL',
        host: '0.0.0.0',
        port: 9094,
        advertisedHost: 'kafka.example.com',
        advertisedPort: 19094,
      },
      {
        name: 'SSL',
        protocol: 'SSL',
        host: '::1',
        port: 9093,
        advertisedHost: undefined,
        advertisedPort: undefined,
      },
    ]);
  });

  it('names what is wrong', () => {
    expect(() => parseListeners('INTERNAL://:9092', undefined, undefined)).toThrow(/INTERNAL:PROTOCOL/);
    expect(() => parseListeners('PLAINTEXT://:9092', 'SSL://x:1', undefined)).toThrow(
      /not one of the listeners/,
    );
    expect(() => parseListeners('PLAINTEXT://:9092,PLAINTEXT://:9093', undefined, undefined)).toThrow(
      /twice/,
    );
    expect(() => parseListeners('localhost:9092', undefined, undefined)).toThrow(/NAME:\/\/host:port/);
    expect(() => parseListeners('A://:1', undefined, 'A:TLS')).toThrow(/protocol.map/);
  });
});

describe('certificate principal', () => {
  it("is the subject as an RFC 2253 name, most specific first, as Kafka's default rule gives", () => {
    const certs = makeCertificates();
    const pem = readFileSync(certs.clientCert, 'utf8');
    const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s/g, ''), 'base64');
    expect(principalFromCertificate(der)).toEqual({ type: 'User', name: 'CN=alice,OU=eng,O=acme' });
  });
});

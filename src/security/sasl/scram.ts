/**
 * SASL/SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677), the server side of Kafka's exchange:
 * client-first → server-first (nonce, salt, iterations) → client-final with the proof → server-final
 * with the server signature. Channel binding is not offered (gs2 "n" or "y"). Kafka's one extension,
 * tokenauth=true (delegation tokens), is refused: the gateway issues no delegation tokens.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { hash, hmac, type ScramCredentialStore, type ScramMechanism } from '../scram-credentials.js';
import { SaslAuthenticationError, type SaslExchange, type SaslMechanism } from './mechanism.js';

function fail(message: string): never {
  throw new SaslAuthenticationError(message);
}

/** Attributes "k=v" of a SCRAM message, in order (values may contain '='). */
function attributes(text: string): [string, string][] {
  return text.split(',').map((part) => {
    const eq = part.indexOf('=');
    if (eq < 1) fail(`Invalid SCRAM message attribute "${part.slice(0, 20)}"`);
    return [part.slice(0, eq), part.slice(eq + 1)];
  });
}

/** RFC 5802 saslname: "=2C" is ',' and "=3D" is '='; any other '=' is invalid. */
function saslName(value: string): string {
  if (/=(?!2C|3D)/.test(value)) fail('Invalid SCRAM username encoding');
  return value.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

export class ScramSaslMechanism implements SaslMechanism {
  constructor(
    readonly name: ScramMechanism,
    private readonly store: ScramCredentialStore,
  ) {}

  start(): SaslExchange {
    const mechanism = this.name;
    const store = this.store;
    let state: 'first' | 'final' | 'done' = 'first';
    let expected = '';
    let gs2Header = '';
    let authMessagePrefix = '';
    let user = '';
    let storedKey: Buffer = Buffer.alloc(0);
    let serverKey: Buffer = Buffer.alloc(0);
    return {
      async step(token) {
        const text = token.toString('utf8');
        if (state === 'first') {
          const m = /^([ny]),(a=[^,]*)?,(.*)$/.exec(text);
          if (m === null) fail('Invalid SCRAM client first message (channel binding is not supported)');
          gs2Header = `${m[1]},${m[2] ?? ''},`;
          const bare = m[3]!;
          const attrs = attributes(bare);
          if (attrs[0]?.[0] !== 'n' || attrs[1]?.[0] !== 'r') fail('Invalid SCRAM client first message');
          user = saslName(attrs[0][1]);
          const authzid = m[2] === undefined ? '' : saslName(m[2].slice(2));
          if (authzid !== '' && authzid !== user) {
            fail(
              'Authentication failed: Client requested an authorization id that is different from username',
            );
          }
          for (const [key, value] of attrs.slice(2)) {
            if (key === 'tokenauth' && value.toLowerCase() === 'true') {
              fail('Authentication failed: delegation token authentication (tokenauth) is not supported');
            }
          }
          const credential = await store.get(user, mechanism);
          if (credential === undefined) fail('Authentication failed: Invalid user credentials');
          storedKey = credential.storedKey;
          serverKey = credential.serverKey;
          expected = attrs[1][1] + randomBytes(24).toString('base64url');
          const serverFirst = `r=${expected},s=${credential.salt.toString('base64')},i=${credential.iterations}`;
          authMessagePrefix = `${bare},${serverFirst}`;
          state = 'final';
          return { response: Buffer.from(serverFirst, 'utf8') };
        }
        if (state !== 'final') fail('Unexpected SCRAM message after authentication completed');
        state = 'done';
        const proofAt = text.lastIndexOf(',p=');
        if (proofAt < 0) fail('Invalid SCRAM client final message: no proof');
        const withoutProof = text.slice(0, proofAt);
        const attrs = attributes(withoutProof);
        if (attrs[0]?.[0] !== 'c' || Buffer.from(attrs[0][1], 'base64').toString('utf8') !== gs2Header) {
          fail('Invalid SCRAM client final message: channel binding does not match');
        }
        // librdkafka sends its own nonce again in front of the server's; Kafka accepts a nonce that
        // ends with the one it sent, and so does the gateway. The proof covers the message as sent.
        if (attrs[1]?.[0] !== 'r' || !attrs[1][1].endsWith(expected)) {
          fail('Invalid SCRAM client final message: nonce mismatch');
        }
        const proof = Buffer.from(text.slice(proofAt + 3), 'base64');
        const authMessage = `${authMessagePrefix},${withoutProof}`;
        const signature = hmac(mechanism, storedKey, authMessage);
        if (proof.length !== signature.length)
          fail(
            `Authentication failed during authentication due to invalid credentials with SASL mechanism ${mechanism}`,
          );
        const clientKey = Buffer.alloc(proof.length);
        for (let i = 0; i < proof.length; i++) clientKey[i] = proof[i]! ^ signature[i]!;
        if (!timingSafeEqual(hash(mechanism, clientKey), storedKey)) {
          fail(
            `Authentication failed during authentication due to invalid credentials with SASL mechanism ${mechanism}`,
          );
        }
        const serverSignature = hmac(mechanism, serverKey, authMessage).toString('base64');
        return {
          response: Buffer.from(`v=${serverSignature}`, 'utf8'),
          done: { principal: { type: 'User', name: user } },
        };
      },
    };
  }
}

/**
 * Managing users and ACLs with Kafka's own tools (kafka-configs, kafka-acls, both AdminClient-based)
 * over SASL_SSL, and the edges of the secured listeners: plaintext on the TLS port and TLS on the
 * plaintext port fail cleanly, an unauthenticated request on a SASL listener closes the connection, an
 * untrusted client certificate is refused, and sessions expire without re-authentication (KIP-368).
 */
import { connect as tcpConnect, type Socket } from 'node:net';
import path from 'node:path';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { readFileSync, writeFileSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WireConnection } from '../compat/support/wire.js';
import { kafkaCli, type KafkaCli } from '../support/kafka-cli.js';
import { startSecureGateway, type SecureGateway } from '../support/secure-gateway.js';
import { STORE_PASSWORD } from '../support/tls-certs.js';
import { decodeResponse, requestFrame, withSize } from '../server/support/wire.js';

let sg: SecureGateway;
let cli: KafkaCli;
let adminConfig = '';

beforeAll(async () => {
  sg = await startSecureGateway();
  await sg.addScramUser('admin', 'admin-secret', ['SCRAM-SHA-512']);
  const available = await kafkaCli();
  if (!available.ok) throw new Error(available.reason);
  cli = available.client;
  adminConfig = path.join(sg.certs.dir, 'admin.properties');
  writeFileSync(
    adminConfig,
    [
      'security.protocol=SASL_SSL',
      // The administrator of docs/security.md: PLAIN, from the users file.
      'sasl.mechanism=PLAIN',
      'sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="root" password="root-secret";',
      `ssl.truststore.location=${sg.certs.trustP12}`,
      'ssl.truststore.type=PKCS12',
      `ssl.truststore.password=${STORE_PASSWORD}`,
    ].join('\n'),
  );
}, 900_000);

afterAll(async () => {
  await sg?.stop();
});

function kafkajs(
  user: string,
  password: string,
  mechanism: 'scram-sha-256' | 'scram-sha-512' = 'scram-sha-256',
) {
  return new Kafka({
    brokers: [sg.saslSsl],
    clientId: 'sec-admin-test',
    ssl: { ca: [readFileSync(sg.certs.caCert)] },
    sasl: { mechanism, username: user, password } as never,
    logLevel: logLevel.NOTHING,
    retry: { retries: 1 },
  });
}

/** Waits (bounded) for a socket to be closed by the gateway; resolves with what it received first. */
function closedAfter(socket: Socket, timeoutMs = 15_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => {});
    const timer = setTimeout(() => reject(new Error('the gateway kept the connection open')), timeoutMs);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
  });
}

describe("users and ACLs through Kafka's tools", () => {
  it('kafka-configs creates a SCRAM user who can then log in, and describes it', async () => {
    await cli.ok('kafka-configs', sg.saslSsl, [
      '--command-config',
      adminConfig,
      '--alter',
      '--entity-type',
      'users',
      '--entity-name',
      'carol',
      '--add-config',
      'SCRAM-SHA-256=[iterations=4096,password=carol-secret]',
    ]);
    const described = await cli.ok('kafka-configs', sg.saslSsl, [
      '--command-config',
      adminConfig,
      '--describe',
      '--entity-type',
      'users',
      '--entity-name',
      'carol',
    ]);
    expect(described).toMatch(/SCRAM-SHA-256=iterations=4096/);
    const admin = kafkajs('carol', 'carol-secret').admin();
    await admin.connect();
    await admin.disconnect();
    await cli.ok('kafka-configs', sg.saslSsl, [
      '--command-config',
      adminConfig,
      '--alter',
      '--entity-type',
      'users',
      '--entity-name',
      'carol',
      '--delete-config',
      'SCRAM-SHA-256',
    ]);
    await expect(kafkajs('carol', 'carol-secret').admin().connect()).rejects.toThrow(/SASL|auth/i);
  }, 300_000);

  it('kafka-acls adds, lists and removes ACLs, and they take effect at once', async () => {
    await sg.addScramUser('dave', 'dave-secret', ['SCRAM-SHA-256']);
    const topic = `acl-topic-${Date.now().toString(36)}`;
    const producer = kafkajs('dave', 'dave-secret').producer();
    await producer.connect();
    await expect(producer.send({ topic, messages: [{ value: 'x' }] })).rejects.toThrow(/authoriz/i);
    await cli.ok('kafka-acls', sg.saslSsl, [
      '--command-config',
      adminConfig,
      '--add',
      '--allow-principal',
      'User:dave',
      '--operation',
      'Write',
      '--operation',
      'Create',
      '--operation',
      'Describe',
      '--topic',
      topic,
    ]);
    const listed = await cli.ok('kafka-acls', sg.saslSsl, [
      '--command-config',
      adminConfig,
      '--list',
      '--topic',
      topic,
    ]);
    expect(listed).toMatch(/User:dave/);
    expect(listed).toMatch(/WRITE/);
    await producer.send({ topic, messages: [{ value: 'allowed now' }] });
    await cli.ok('kafka-acls', sg.saslSsl, [
      '--command-config',
      adminConfig,
      '--remove',
      '--force',
      '--allow-principal',
      'User:dave',
      '--operation',
      'Write',
      '--topic',
      topic,
    ]);
    await expect(producer.send({ topic, messages: [{ value: 'y' }] })).rejects.toThrow(/authoriz/i);
    await producer.disconnect();
  }, 300_000);

  it('kafka-acls as a user without ALTER on the cluster is refused', async () => {
    await sg.addScramUser('erin', 'erin-secret', ['SCRAM-SHA-512']);
    const erin = path.join(sg.certs.dir, 'erin.properties');
    writeFileSync(
      erin,
      readFileSync(adminConfig, 'utf8')
        .replace('sasl.mechanism=PLAIN', 'sasl.mechanism=SCRAM-SHA-512')
        .replace(
          'plain.PlainLoginModule required username="root" password="root-secret"',
          'scram.ScramLoginModule required username="erin" password="erin-secret"',
        ),
    );
    const r = await cli.run('kafka-acls', sg.saslSsl, [
      '--command-config',
      erin,
      '--add',
      '--allow-principal',
      'User:erin',
      '--operation',
      'All',
      '--topic',
      '*',
    ]);
    expect(`${r.stdout.toString()}${r.stderr}`).toMatch(/ClusterAuthorizationException|not authorized/i);
  }, 300_000);
});

describe('secured listeners at their edges', () => {
  const metadataFrame = () =>
    withSize(
      requestFrame(
        3,
        9,
        {
          topics: null,
          allowAutoTopicCreation: false,
          includeClusterAuthorizedOperations: false,
          includeTopicAuthorizedOperations: false,
        },
        { correlationId: 1 },
      ),
    );

  it('closes a plaintext client on the TLS port, and a TLS client on the plaintext port, and keeps serving', async () => {
    const plainToTls = tcpConnect({ host: '127.0.0.1', port: Number(sg.ssl.split(':')[1]) });
    plainToTls.on('connect', () => plainToTls.write(metadataFrame()));
    await closedAfter(plainToTls);
    const tlsToPlain = tlsConnect({
      host: '127.0.0.1',
      port: Number(sg.plaintext.split(':')[1]),
      rejectUnauthorized: false,
    });
    await closedAfter(tlsToPlain);
    const admin = kafkajs('admin', 'admin-secret', 'scram-sha-512').admin();
    await admin.connect();
    expect(Array.isArray(await admin.listTopics())).toBe(true);
    await admin.disconnect();
  });

  it('closes a SASL connection that sends a request before authenticating', async () => {
    const socket = tlsConnect({
      host: '127.0.0.1',
      port: Number(sg.saslSsl.split(':')[1]),
      ca: readFileSync(sg.certs.caCert),
      servername: 'localhost',
    });
    socket.on('secureConnect', () => socket.write(metadataFrame()));
    expect((await closedAfter(socket)).length).toBe(0);
  });

  it('refuses a client certificate from an untrusted CA', async () => {
    const socket = tlsConnect({
      host: '127.0.0.1',
      port: Number(sg.ssl.split(':')[1]),
      ca: readFileSync(sg.certs.caCert),
      cert: readFileSync(sg.certs.strangerCert),
      key: readFileSync(sg.certs.strangerKey),
      servername: 'localhost',
    });
    socket.on('secureConnect', () => socket.write(metadataFrame()));
    expect((await closedAfter(socket)).length).toBe(0);
  });

  it('answers Metadata with the address of the listener the client came in on', async () => {
    const plain = await WireConnection.open('127.0.0.1', Number(sg.plaintext.split(':')[1]));
    const viaPlain = await plain.call<{ brokers: { port: number }[] }>(3, 9, {
      topics: [],
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    plain.close();
    expect(viaPlain.brokers.map((b) => b.port)).toEqual([Number(sg.plaintext.split(':')[1])]);
    const admin = kafkajs('admin', 'admin-secret', 'scram-sha-512').admin();
    await admin.connect();
    const cluster = await admin.describeCluster();
    await admin.disconnect();
    expect(cluster.brokers.map((b) => b.port)).toEqual([Number(sg.saslSsl.split(':')[1])]);
  });

  it('gives an anonymous PLAINTEXT client nothing: no topics, no writes', async () => {
    const kafka = new Kafka({ brokers: [sg.plaintext], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
    const admin = kafka.admin();
    await admin.connect();
    expect(await admin.listTopics()).toEqual([]);
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await expect(producer.send({ topic: 'sec-anything', messages: [{ value: 'x' }] })).rejects.toThrow(
      /authoriz/i,
    );
    await producer.disconnect();
  });
});

describe('SASL session lifetime (KIP-368)', () => {
  let short: SecureGateway;
  const LIFETIME_MS = 1500;

  beforeAll(async () => {
    short = await startSecureGateway({ config: { security: { maxReauthMs: LIFETIME_MS } } });
    await short.addScramUser('admin', 'admin-secret', ['SCRAM-SHA-512']);
  }, 120_000);

  afterAll(async () => {
    await short?.stop();
  });

  /** A raw TLS connection to the SASL listener that answers one request at a time. */
  async function rawSasl(): Promise<{
    call: <T>(k: number, v: number, b: object) => Promise<T>;
    socket: TLSSocket;
  }> {
    const socket = tlsConnect({
      host: '127.0.0.1',
      port: Number(short.saslSsl.split(':')[1]),
      ca: readFileSync(short.certs.caCert),
      servername: 'localhost',
    });
    await new Promise<void>((r) => socket.once('secureConnect', () => r()));
    let buffered = Buffer.alloc(0);
    const waiting: ((f: Buffer) => void)[] = [];
    socket.on('data', (c: Buffer) => {
      buffered = Buffer.concat([buffered, c]);
      while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
        const frame = buffered.subarray(4, 4 + buffered.readInt32BE(0));
        buffered = buffered.subarray(4 + frame.length);
        waiting.shift()?.(frame);
      }
    });
    socket.on('error', () => {});
    let id = 0;
    return {
      socket,
      call: <T>(k: number, v: number, b: object) =>
        new Promise<T>((resolve, reject) => {
          const cid = ++id;
          socket.once('close', () => reject(new Error('closed')));
          waiting.push((f) => resolve(decodeResponse<T>(k, v, f).body));
          socket.write(withSize(requestFrame(k, v, b, { correlationId: cid })));
        }),
    };
  }

  async function plainLogin(c: Awaited<ReturnType<typeof rawSasl>>): Promise<bigint> {
    await c.call(17, 1, { mechanism: 'PLAIN' });
    const r = await c.call<{ errorCode: number; sessionLifetimeMs: bigint }>(36, 2, {
      authBytes: Buffer.from('\u0000admin\u0000admin-secret'),
    });
    expect(r.errorCode).toBe(0);
    return r.sessionLifetimeMs;
  }

  const metadata = {
    topics: null,
    allowAutoTopicCreation: false,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  };

  it('tells the client its session lifetime and closes a connection that outlives it', async () => {
    const c = await rawSasl();
    expect(Number(await plainLogin(c))).toBeGreaterThan(0);
    expect(Number(await plainLogin(c))).toBeLessThanOrEqual(LIFETIME_MS);
    await c.call(3, 9, metadata);
    const closed = closedAfter(c.socket);
    await new Promise((r) => setTimeout(r, LIFETIME_MS + 200)); // the lifetime must pass: that is the test
    await expect(c.call(3, 9, metadata)).rejects.toThrow(/closed/);
    await closed;
  });

  it('keeps a connection that re-authenticates in time', async () => {
    const c = await rawSasl();
    await plainLogin(c);
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, LIFETIME_MS / 2));
      await plainLogin(c);
      await c.call(3, 9, metadata);
    }
    c.socket.destroy();
  });
});

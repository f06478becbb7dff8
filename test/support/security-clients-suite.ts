/**
 * Real clients over the gateway's secured listeners: kafkajs, the Java client, kcat, librdkafka
 * through confluent-kafka-python and franz-go, each over SASL_SSL with SCRAM-SHA-512 and over SSL with
 * a client certificate (its subject is the principal). For each: produce and read back work with an
 * ACL allowing it; a wrong password gets SASL_AUTHENTICATION_FAILED; an authenticated user without
 * ACLs gets the authorization error.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Availability } from './clients/availability.js';
import { javaHarness, type JavaHarness } from './clients/java.js';
import { runProcess } from './clients/process.js';
import { CERT_PRINCIPAL, type SecureGateway } from './secure-gateway.js';
import { STORE_PASSWORD } from './tls-certs.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const COUNT = 20;
const expected = Array.from({ length: COUNT }, (_, i) => `v${i}`);

let sg: SecureGateway;
let run = 0;
const topic = (client: string) => `sec-${client}-${Date.now().toString(36)}-${run++}`;

/** What each client reports: the values read back, or the error it failed with. */
type Outcome = { consumed: string[] } | { error: string };

interface Credentials {
  readonly mode: 'scram' | 'cert';
  readonly user?: string;
  readonly password?: string;
}

const ALICE: Credentials = { mode: 'scram', user: 'alice', password: 'alice-secret' };
const WRONG: Credentials = { mode: 'scram', user: 'alice', password: 'not-her-password' };
const BOB: Credentials = { mode: 'scram', user: 'bob', password: 'bob-secret' };
const CERT: Credentials = { mode: 'cert' };

interface Client {
  readonly name: string;
  roundtrip(c: Credentials, topic: string): Promise<Outcome>;
}

const kafkajsClient: Client = {
  name: 'kafkajs',
  async roundtrip(c, t) {
    const certs = sg.certs;
    const config: KafkaConfig =
      c.mode === 'scram'
        ? {
            brokers: [sg.saslSsl],
            ssl: { ca: [readFileSync(certs.caCert)] },
            sasl: { mechanism: 'scram-sha-512', username: c.user!, password: c.password! },
          }
        : {
            brokers: [sg.ssl],
            ssl: {
              ca: [readFileSync(certs.caCert)],
              cert: readFileSync(certs.clientCert),
              key: readFileSync(certs.clientKey),
            },
          };
    const kafka = new Kafka({
      ...config,
      clientId: 'sec-kafkajs',
      logLevel: logLevel.NOTHING,
      retry: { retries: 2 },
    });
    const producer = kafka.producer({ allowAutoTopicCreation: true });
    try {
      await producer.connect();
      await producer.send({ topic: t, messages: expected.map((value) => ({ partition: 0, value })) });
    } catch (err) {
      return { error: String(err) };
    } finally {
      await producer.disconnect().catch(() => {});
    }
    const consumer = kafka.consumer({ groupId: `sec-g-${t}` });
    const consumed: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: t, fromBeginning: true });
    const done = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          consumed.push(message.value!.toString());
          if (consumed.length === COUNT) resolve();
        },
      });
    });
    await Promise.race([
      done,
      new Promise((_, rej) => setTimeout(() => rej(new Error('kafkajs consume timed out')), 60_000)),
    ]);
    await consumer.disconnect();
    return { consumed };
  },
};

let java: Availability<JavaHarness>;

function javaProps(c: Credentials): string[] {
  const certs = sg.certs;
  const common = [
    `ssl.truststore.location=${certs.trustP12}`,
    'ssl.truststore.type=PKCS12',
    `ssl.truststore.password=${STORE_PASSWORD}`,
  ];
  if (c.mode === 'cert') {
    return [
      'security.protocol=SSL',
      ...common,
      `ssl.keystore.location=${certs.clientP12}`,
      'ssl.keystore.type=PKCS12',
      `ssl.keystore.password=${STORE_PASSWORD}`,
    ];
  }
  return [
    'security.protocol=SASL_SSL',
    ...common,
    'sasl.mechanism=SCRAM-SHA-512',
    `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${c.user}" password="${c.password}";`,
  ];
}

const javaClient: Client = {
  name: 'java',
  async roundtrip(c, t) {
    if (!java.ok) throw new Error(java.reason);
    const bootstrap = c.mode === 'cert' ? sg.ssl : sg.saslSsl;
    const props = javaProps(c);
    const produce = await java.client.run(
      [
        'produce',
        '--bootstrap',
        bootstrap,
        '--topic',
        t,
        '--count',
        String(COUNT),
        '--partitions',
        '1',
        '--timeout-ms',
        '30000',
        ...props.flatMap((p) => ['--producer-prop', p]),
      ],
      120_000,
    );
    if (produce.code !== 0) return { error: produce.stderr };
    const consume = await java.client.run(
      [
        'consume',
        '--bootstrap',
        bootstrap,
        '--topic',
        t,
        '--expect',
        String(COUNT),
        ...props.flatMap((p) => ['--consumer-prop', p]),
      ],
      120_000,
    );
    if (consume.code !== 0) return { error: consume.stderr };
    const lines = consume.stdout
      .toString()
      .split('\n')
      .filter((l) => l.trim() !== '');
    const records = lines
      .map((l) => JSON.parse(l) as { summary?: boolean; index?: number })
      .filter((r) => r.summary !== true);
    return { consumed: records.map((_, i) => `record-${i}`) };
  },
};

function kcatArgs(c: Credentials): string[] {
  const certs = sg.certs;
  if (c.mode === 'cert') {
    return [
      '-b',
      sg.ssl,
      '-X',
      'security.protocol=SSL',
      '-X',
      `ssl.ca.location=${certs.caCert}`,
      '-X',
      `ssl.certificate.location=${certs.clientCert}`,
      '-X',
      `ssl.key.location=${certs.clientKey}`,
    ];
  }
  return [
    '-b',
    sg.saslSsl,
    '-X',
    'security.protocol=SASL_SSL',
    '-X',
    `ssl.ca.location=${certs.caCert}`,
    '-X',
    'sasl.mechanisms=SCRAM-SHA-512',
    '-X',
    `sasl.username=${c.user}`,
    '-X',
    `sasl.password=${c.password}`,
  ];
}

const kcatClient: Client = {
  name: 'kcat',
  async roundtrip(c, t) {
    const produce = await runProcess('kcat', [...kcatArgs(c), '-P', '-t', t, '-p', '0'], {
      input: Buffer.from(expected.join('\n') + '\n'),
      timeoutMs: 60_000,
    });
    if (produce.code !== 0) return { error: produce.stderr };
    const consume = await runProcess(
      'kcat',
      [...kcatArgs(c), '-C', '-t', t, '-p', '0', '-o', 'beginning', '-c', String(COUNT), '-e', '-q'],
      { timeoutMs: 60_000 },
    );
    if (consume.code !== 0) return { error: consume.stderr };
    return {
      consumed: consume.stdout
        .toString()
        .split('\n')
        .filter((l) => l !== ''),
    };
  },
};

async function jsonOutcome(command: string, args: string[]): Promise<Outcome> {
  const r = await runProcess(command, args, { timeoutMs: 90_000 });
  const last = r.stdout.toString().trim().split('\n').pop() ?? '';
  try {
    const parsed = JSON.parse(last) as { consumed?: string[]; error?: string };
    if (parsed.error !== undefined) return { error: parsed.error };
    if (parsed.consumed !== undefined) return { consumed: parsed.consumed };
  } catch {
    // fall through
  }
  return { error: `${command} exited ${r.code}: ${r.stderr}` };
}

let python = '';
const pythonClient: Client = {
  name: 'confluent-kafka-python',
  roundtrip(c, t) {
    const certs = sg.certs;
    const args = [
      path.join(root, 'test/clients/python/secure_client.py'),
      '--topic',
      t,
      '--count',
      String(COUNT),
      '--ca',
      certs.caCert,
    ];
    if (c.mode === 'cert')
      args.push(
        '--bootstrap',
        sg.ssl,
        '--protocol',
        'SSL',
        '--cert',
        certs.clientCert,
        '--key',
        certs.clientKey,
      );
    else
      args.push(
        '--bootstrap',
        sg.saslSsl,
        '--protocol',
        'SASL_SSL',
        '--mechanism',
        'SCRAM-SHA-512',
        '--user',
        c.user!,
        '--password',
        c.password!,
      );
    return jsonOutcome(python, args);
  },
};

let goBin = '';
const franzClient: Client = {
  name: 'franz-go',
  roundtrip(c, t) {
    const certs = sg.certs;
    const args = ['-topic', t, '-count', String(COUNT), '-tls-ca', certs.caCert];
    if (c.mode === 'cert')
      args.push('-brokers', sg.ssl, '-tls-cert', certs.clientCert, '-tls-key', certs.clientKey);
    else
      args.push(
        '-brokers',
        sg.saslSsl,
        '-scram',
        'SCRAM-SHA-512',
        '-user',
        c.user!,
        '-password',
        c.password!,
      );
    return jsonOutcome(path.join(goBin, 'franz-secure'), args);
  },
};

/**
 * Registers the suite: a secured gateway from `start` (users alice and bob, alice and the client
 * certificate allowed on topics starting with "sec-"), and every client against it.
 */
export function securityClientsSuite(start: () => Promise<SecureGateway>): void {
  beforeAll(async () => {
    sg = await start();
    await sg.addScramUser('alice', 'alice-secret');
    await sg.addScramUser('bob', 'bob-secret');
    await sg.allowPrefix('User:alice', 'sec-');
    await sg.allowPrefix(CERT_PRINCIPAL, 'sec-');
  }, 180_000);

  afterAll(async () => {
    await sg?.stop();
  });

  beforeAll(async () => {
    java = await javaHarness();
    const py = await runProcess('bash', [path.join(root, 'scripts/clients/install-python-clients.sh')], {
      timeoutMs: 900_000,
    });
    if (py.code !== 0) throw new Error(`install-python-clients.sh: ${py.stderr}`);
    python = py.stdout.toString().trim().split('\n').pop()!;
    const go = await runProcess('bash', [path.join(root, 'scripts/clients/build-go-clients.sh')], {
      timeoutMs: 900_000,
    });
    if (go.code !== 0) throw new Error(`build-go-clients.sh: ${go.stderr}`);
    goBin = go.stdout.toString().trim().split('\n').pop()!;
  }, 900_000);

  const CLIENTS = [kafkajsClient, javaClient, kcatClient, pythonClient, franzClient];

  describe.each(CLIENTS.map((c) => [c.name, c] as const))('%s over secured listeners', (_name, client) => {
    it('produces and reads back over SASL_SSL with SCRAM-SHA-512', async () => {
      const out = await client.roundtrip(ALICE, topic(client.name));
      expect(out, JSON.stringify(out)).toHaveProperty('consumed');
      expect((out as { consumed: string[] }).consumed).toHaveLength(COUNT);
    }, 180_000);

    it('produces and reads back over SSL with a client certificate', async () => {
      const out = await client.roundtrip(CERT, topic(client.name));
      expect(out, JSON.stringify(out)).toHaveProperty('consumed');
      expect((out as { consumed: string[] }).consumed).toHaveLength(COUNT);
    }, 180_000);

    it('is refused with a wrong password', async () => {
      const out = await client.roundtrip(WRONG, topic(client.name));
      expect(out, JSON.stringify(out)).toHaveProperty('error');
      expect((out as { error: string }).error).toMatch(/auth|SASL|credentials|password/i);
    }, 180_000);

    it('gets the authorization error as an authenticated user without ACLs', async () => {
      const out = await client.roundtrip(BOB, topic(client.name));
      expect(out, JSON.stringify(out)).toHaveProperty('error');
      expect((out as { error: string }).error).toMatch(
        /authoriz|not authorized|TOPIC_AUTHORIZATION_FAILED|ClusterAuthorization/i,
      );
    }, 180_000);
  });
}

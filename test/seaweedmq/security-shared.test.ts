/**
 * Credentials and ACLs live in the store, so on SeaweedMQ (the filer) every gateway on a namespace
 * shares them: a user created through one gateway logs in through the other, and an ACL created or
 * deleted through one is enforced by the other within its refresh interval; so is a client quota.
 */
import { readFileSync } from 'node:fs';
import {
  Kafka,
  logLevel,
  AclResourceTypes,
  AclOperationTypes,
  AclPermissionTypes,
  ResourcePatternTypes,
} from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config.js';
import { startSecureGateway, type SecureGateway } from '../support/secure-gateway.js';
import { waitFor } from './support/gateway.js';
import { cluster, connectedStorage, uniqueNamespace } from './support/storage.js';

describe('security state shared by two gateways on one SeaweedMQ namespace', () => {
  const namespace = uniqueNamespace('sec');
  let a: SecureGateway;
  let b: SecureGateway;

  const start = async (nodeId: number) =>
    startSecureGateway({
      storage: await connectedStorage({ namespace }),
      config: {
        nodeId,
        store: 'seaweedmq',
        seaweedmq: { ...DEFAULT_CONFIG.seaweedmq, masters: [cluster().masters], namespace },
        security: { aclRefreshMs: 500 },
      },
    });

  const client = (g: SecureGateway, user: string, password: string) =>
    new Kafka({
      brokers: [g.saslSsl],
      clientId: `sec-shared-${user}`,
      ssl: { ca: [readFileSync(g.certs.caCert)] },
      sasl: { mechanism: 'scram-sha-512', username: user, password },
      logLevel: logLevel.NOTHING,
      retry: { retries: 1 },
    });

  beforeAll(async () => {
    a = await start(1);
    b = await start(2);
  }, 180_000);

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
  });

  it('a user added through one gateway authenticates through the other', async () => {
    await a.addScramUser('admin', 'admin-secret', ['SCRAM-SHA-512']);
    await a.addScramUser('frank', 'frank-secret', ['SCRAM-SHA-512']);
    const admin = client(b, 'frank', 'frank-secret').admin();
    await admin.connect();
    await admin.disconnect();
    await expect(client(b, 'frank', 'wrong').admin().connect()).rejects.toThrow(/SASL|auth/i);
  }, 120_000);

  it('an ACL created through one gateway is enforced by the other, and so is its deletion', async () => {
    const topic = `shared-${Date.now().toString(36)}`;
    const adminA = client(a, 'admin', 'admin-secret').admin();
    await adminA.connect();
    await adminA.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    const producer = client(b, 'frank', 'frank-secret').producer();
    await producer.connect();
    await expect(producer.send({ topic, messages: [{ value: 'denied' }] })).rejects.toThrow(/authoriz/i);
    const acl = {
      resourceType: AclResourceTypes.TOPIC,
      resourceName: topic,
      resourcePatternType: ResourcePatternTypes.LITERAL,
      principal: 'User:frank',
      host: '*',
      operation: AclOperationTypes.WRITE,
      permissionType: AclPermissionTypes.ALLOW,
    };
    await adminA.createAcls({ acl: [acl] });
    await waitFor('gateway B to allow the write', async () => {
      try {
        await producer.send({ topic, messages: [{ value: 'allowed' }] });
        return true;
      } catch {
        return false;
      }
    });
    const adminB = client(b, 'admin', 'admin-secret').admin();
    await adminB.connect();
    await adminB.deleteAcls({ filters: [acl] });
    const producerA = client(a, 'frank', 'frank-secret').producer();
    await producerA.connect();
    await waitFor('gateway A to deny the write again', async () => {
      try {
        await producerA.send({ topic, messages: [{ value: 'late' }] });
        return false;
      } catch (err) {
        return /authoriz/i.test(String(err));
      }
    });
    await Promise.all([
      producer.disconnect(),
      producerA.disconnect(),
      adminA.disconnect(),
      adminB.disconnect(),
    ]);
  }, 180_000);

  it('a client quota altered through one gateway is enforced by the other', async () => {
    const entity = { 'client-id': 'shared-quota-client' };
    const [outcome] = await a.gateway.services.quotas.store.alter(
      [{ entity, ops: [{ key: 'producer_byte_rate', value: 4096, remove: false }] }],
      false,
    );
    expect(outcome!.error).toBeUndefined();
    const quotasB = b.gateway.services.quotas;
    await waitFor(
      'gateway B to apply the quota',
      () => quotasB.limitFor('produce', 'frank', 'shared-quota-client') === 4096,
    );
    expect(quotasB.active).toBe(true);
  }, 60_000);
});

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminGateway } from '../admin/e2e-gateway.js';
import { startAdminGateway, topicName } from '../admin/e2e-gateway.js';
import { kafkaCli } from '../support/kafka-cli.js';

// The Kafka 3.9 tools an operator uses on a broker, run from their jars against the gateway. What
// each prints was compared with a one-broker Kafka 3.9.2 (scripts/kafka-reference): the same lines,
// with the gateway's "memory" log directory in place of Kafka's path.

const cli = await kafkaCli();
const SLOW = 180_000;

describe.skipIf(!cli.ok)('operations with the Kafka CLI tools 3.9', () => {
  const tools = cli.ok ? cli.client : undefined!;
  let gw: AdminGateway;
  let dir: string;

  beforeAll(async () => {
    gw = await startAdminGateway();
    dir = await mkdtemp(path.join(tmpdir(), 'ops-cli-'));
  });
  afterAll(async () => {
    await gw?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  async function topicWithRecords(prefix: string, partitions: number, records: number): Promise<string> {
    const t = topicName(prefix);
    await tools.ok('kafka-topics', gw.bootstrap, [
      '--create',
      '--topic',
      t,
      '--partitions',
      String(partitions),
    ]);
    const kafka = new kafkajs.Kafka({ brokers: [gw.bootstrap], logLevel: kafkajs.logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: t,
      messages: Array.from({ length: records }, (_, i) => ({ partition: 0, value: `value-${i}` })),
    });
    await producer.disconnect();
    return t;
  }

  it(
    'kafka-features describe shows metadata.version 3.9-IV0 finalized',
    async () => {
      const out = await tools.ok('kafka-features', gw.bootstrap, ['describe']);
      const lines = out.trim().split('\n');
      expect(lines).toEqual([
        expect.stringMatching(
          /^Feature: kraft\.version\tSupportedMinVersion: 0\tSupportedMaxVersion: 1\tFinalizedVersionLevel: 0\tEpoch: \d+$/,
        ),
        expect.stringMatching(
          /^Feature: metadata\.version\tSupportedMinVersion: 3\.0-IV1\tSupportedMaxVersion: 3\.9-IV0\tFinalizedVersionLevel: 3\.9-IV0\tEpoch: \d+$/,
        ),
      ]);
    },
    SLOW,
  );

  it(
    'kafka-log-dirs describes every partition with the bytes the store holds',
    async () => {
      const t = await topicWithRecords('logdirs', 2, 5);
      const out = await tools.ok('kafka-log-dirs', gw.bootstrap, ['--describe', '--topic-list', t]);
      const json = JSON.parse(out.split('\n').find((l) => l.startsWith('{'))!) as {
        brokers: {
          broker: number;
          logDirs: { logDir: string; error: null; partitions: { partition: string; size: number }[] }[];
        }[];
      };
      expect(json.brokers).toHaveLength(1);
      expect(json.brokers[0]!.broker).toBe(1);
      const logDir = json.brokers[0]!.logDirs[0]!;
      expect(logDir).toMatchObject({ logDir: 'memory', error: null });
      const dirs = await gw.gateway.services.storage.describeLogDirs!();
      const size = (p: number) =>
        Number(dirs[0]!.partitions.find((x) => x.topic === t && x.partition === p)!.sizeBytes);
      expect(size(0)).toBeGreaterThan(0);
      expect([...logDir.partitions].sort((a, b) => (a.partition < b.partition ? -1 : 1))).toEqual([
        { partition: `${t}-0`, size: size(0), offsetLag: 0, isFuture: false },
        { partition: `${t}-1`, size: 0, offsetLag: 0, isFuture: false },
      ]);
    },
    SLOW,
  );

  it(
    'kafka-reassign-partitions generates, executes, verifies and lists as on a one-broker Kafka',
    async () => {
      const t = await topicWithRecords('reassign', 2, 3);
      const topics = path.join(dir, 'topics.json');
      await writeFile(topics, JSON.stringify({ version: 1, topics: [{ topic: t }] }));
      const generated = await tools.ok('kafka-reassign-partitions', gw.bootstrap, [
        '--generate',
        '--topics-to-move-json-file',
        topics,
        '--broker-list',
        '1',
      ]);
      const plan = {
        version: 1,
        partitions: [0, 1].map((partition) => ({ topic: t, partition, replicas: [1], log_dirs: ['any'] })),
      };
      expect(generated).toContain(`Proposed partition reassignment configuration\n${JSON.stringify(plan)}`);
      const file = path.join(dir, 'plan.json');
      await writeFile(file, JSON.stringify(plan));
      const executed = await tools.ok('kafka-reassign-partitions', gw.bootstrap, [
        '--execute',
        '--reassignment-json-file',
        file,
      ]);
      expect(executed).toContain(`Successfully started partition reassignments for ${t}-0,${t}-1`);
      const verified = await tools.ok('kafka-reassign-partitions', gw.bootstrap, [
        '--verify',
        '--reassignment-json-file',
        file,
      ]);
      expect(verified).toContain(`Reassignment of partition ${t}-0 is completed.`);
      expect(verified).toContain(`Reassignment of partition ${t}-1 is completed.`);
      expect(verified).toContain('Clearing broker-level throttles on broker 1');
      expect(await tools.ok('kafka-reassign-partitions', gw.bootstrap, ['--list'])).toContain(
        'No partition reassignments found.',
      );
      // A broker that does not exist is refused, as Kafka refuses it.
      const elsewhere = path.join(dir, 'elsewhere.json');
      await writeFile(
        elsewhere,
        JSON.stringify({ version: 1, partitions: [{ topic: t, partition: 0, replicas: [2] }] }),
      );
      const refused = await tools.run('kafka-reassign-partitions', gw.bootstrap, [
        '--execute',
        '--reassignment-json-file',
        elsewhere,
      ]);
      expect(refused.code).not.toBe(0);
      expect(refused.stdout.toString() + refused.stderr.toString()).toContain('Unknown broker id 2');
      // The records did not move anywhere.
      await expect(gw.gateway.services.storage.offsets(t, 0)).resolves.toMatchObject({ highWatermark: 3n });
    },
    SLOW,
  );

  it(
    'kafka-leader-election finds every partition already led by its preferred replica',
    async () => {
      const t = await topicWithRecords('elect', 2, 1);
      const one = await tools.ok('kafka-leader-election', gw.bootstrap, [
        '--election-type',
        'PREFERRED',
        '--topic',
        t,
        '--partition',
        '1',
      ]);
      expect(one.trim()).toBe(`Valid replica already elected for partitions ${t}-1`);
      // For all partitions Kafka leaves out those needing no election, so nothing is printed.
      const all = await tools.ok('kafka-leader-election', gw.bootstrap, [
        '--election-type',
        'PREFERRED',
        '--all-topic-partitions',
      ]);
      expect(all.trim()).toBe('');
      const missing = await tools.run('kafka-leader-election', gw.bootstrap, [
        '--election-type',
        'UNCLEAN',
        '--topic',
        'no-such-topic',
        '--partition',
        '0',
      ]);
      expect(missing.stdout.toString() + missing.stderr.toString()).toContain(
        'No such topic as no-such-topic',
      );
    },
    SLOW,
  );

  it(
    'kafka-configs sets, describes and deletes client quotas',
    async () => {
      const alter = (entity: string[], change: string[]) =>
        tools.ok('kafka-configs', gw.bootstrap, ['--alter', ...entity, ...change]);
      expect(
        await alter(
          ['--entity-type', 'clients', '--entity-name', 'app1'],
          ['--add-config', 'producer_byte_rate=1024,request_percentage=50.5'],
        ),
      ).toContain('Completed updating config for client app1.');
      expect(
        await alter(
          ['--entity-type', 'clients', '--entity-default'],
          ['--add-config', 'consumer_byte_rate=2048'],
        ),
      ).toContain('Completed updating default config for clients in the cluster.');
      expect(
        await alter(
          [
            '--entity-type',
            'users',
            '--entity-name',
            'alice',
            '--entity-type',
            'clients',
            '--entity-name',
            'app1',
          ],
          ['--add-config', 'producer_byte_rate=100'],
        ),
      ).toContain('Completed updating config for user alice.');
      const describeClients = await tools.ok('kafka-configs', gw.bootstrap, [
        '--describe',
        '--entity-type',
        'clients',
      ]);
      expect(describeClients.trim().split('\n').sort()).toEqual([
        "Quota configs for client-id 'app1' are producer_byte_rate=1024.0, request_percentage=50.5",
        'Quota configs for the default client-id are consumer_byte_rate=2048.0',
      ]);
      await alter(
        ['--entity-type', 'clients', '--entity-name', 'app1'],
        ['--delete-config', 'request_percentage'],
      );
      const app1 = await tools.ok('kafka-configs', gw.bootstrap, [
        '--describe',
        '--entity-type',
        'clients',
        '--entity-name',
        'app1',
      ]);
      expect(app1.trim()).toBe("Quota configs for client-id 'app1' are producer_byte_rate=1024.0");
      const fractional = await tools.run('kafka-configs', gw.bootstrap, [
        '--alter',
        '--entity-type',
        'clients',
        '--entity-name',
        'app1',
        '--add-config',
        'producer_byte_rate=1.5',
      ]);
      expect(fractional.code).not.toBe(0);
      expect(fractional.stdout.toString() + fractional.stderr.toString()).toContain(
        'InvalidRequestException: producer_byte_rate cannot be a fractional value.',
      );
      expect(gw.gateway.services.quotas.limitFor('produce', 'alice', 'app1')).toBe(100);
      expect(gw.gateway.services.quotas.limitFor('produce', 'ANONYMOUS', 'app1')).toBe(1024);
      expect(gw.gateway.services.quotas.limitFor('fetch', 'ANONYMOUS', 'other')).toBe(2048);
    },
    SLOW,
  );
});

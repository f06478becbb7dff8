import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminGateway } from '../admin/e2e-gateway.js';
import { startAdminGateway, topicName } from '../admin/e2e-gateway.js';
import { kafkaCli } from '../support/kafka-cli.js';

// The Kafka 3.9 command-line tools themselves (kafka-topics, kafka-configs, kafka-delete-records,
// kafka-get-offsets, run from their Maven Central jars) against the gateway: every change they make is
// checked by reading it back, with the tools or with the gateway's own state.

const cli = await kafkaCli();
const SLOW = 180_000;

/** "Topic: t\tTopicId: ...\tPartitionCount: 2\tReplicationFactor: 1\tConfigs: a=1,b=2" */
function topicSummary(describeOutput: string): {
  partitions: number;
  rf: number;
  configs: Record<string, string>;
} {
  const line = describeOutput.split('\n').find((l) => l.includes('PartitionCount:'));
  if (line === undefined) throw new Error(`no topic summary in:\n${describeOutput}`);
  const partitions = Number(/PartitionCount: (\d+)/.exec(line)![1]);
  const rf = Number(/ReplicationFactor: (\d+)/.exec(line)![1]);
  const configText = /Configs: ?(.*)$/.exec(line)![1]!.trim();
  const configs: Record<string, string> = {};
  // Values may contain commas (cleanup.policy=compact,delete), so split before each "name=".
  for (const m of configText.matchAll(/([a-z][a-z.]*)=(.*?)(?=,[a-z][a-z.]*=|$)/g)) configs[m[1]!] = m[2]!;
  return { partitions, rf, configs };
}

/** kafka-configs --describe: "  name=value sensitive=false synonyms={...}" lines. */
function configLines(output: string): Map<string, { value: string; synonyms: string }> {
  const out = new Map<string, { value: string; synonyms: string }>();
  for (const m of output.matchAll(/^ {2}([^=\s]+)=(.*?) sensitive=(?:true|false) synonyms=\{(.*)\}$/gm)) {
    out.set(m[1]!, { value: m[2]!, synonyms: m[3]! });
  }
  return out;
}

/** kafka-get-offsets: "topic:partition:offset" lines, as [partition, offset]. */
function offsets(output: string): [number, number][] {
  return output
    .trim()
    .split('\n')
    .map((l) => l.split(':'))
    .map((f) => [Number(f[f.length - 2]), Number(f[f.length - 1])] as [number, number]);
}

describe.skipIf(!cli.ok)('Kafka CLI tools 3.9', () => {
  const tools = cli.ok ? cli.client : undefined!;
  let gw: AdminGateway;
  let kafka: kafkajs.Kafka;
  let dir: string;

  beforeAll(async () => {
    gw = await startAdminGateway();
    kafka = new kafkajs.Kafka({
      clientId: 'admin-e2e',
      brokers: [gw.bootstrap],
      logLevel: kafkajs.logLevel.NOTHING,
    });
    dir = await mkdtemp(path.join(tmpdir(), 'kafka-cli-'));
  });

  afterAll(async () => {
    await gw?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  async function produce(topic: string, partition: number, count: number): Promise<void> {
    const producer = kafka.producer();
    await producer.connect();
    try {
      await producer.send({
        topic,
        messages: Array.from({ length: count }, (_, i) => ({ partition, key: `k${i}`, value: `v${i}` })),
      });
    } finally {
      await producer.disconnect();
    }
  }

  it(
    'kafka-topics creates, lists, describes, grows and deletes a topic',
    async () => {
      const t = topicName('cli-topic');
      const created = await tools.ok('kafka-topics', gw.bootstrap, [
        '--create',
        '--topic',
        t,
        '--partitions',
        '2',
        '--replication-factor',
        '3',
        '--config',
        'retention.ms=60000',
        '--config',
        'cleanup.policy=compact,delete',
      ]);
      expect(created).toContain(`Created topic ${t}.`);
      expect((await tools.ok('kafka-topics', gw.bootstrap, ['--list'])).split('\n')).toContain(t);

      const described = await tools.ok('kafka-topics', gw.bootstrap, ['--describe', '--topic', t]);
      expect(topicSummary(described)).toEqual({
        partitions: 2,
        rf: 1,
        configs: { 'retention.ms': '60000', 'cleanup.policy': 'compact,delete' },
      });
      const partitionLines = described.split('\n').filter((l) => /\tPartition: \d/.test(l));
      expect(partitionLines).toHaveLength(2);
      for (const l of partitionLines) expect(l).toMatch(/Leader: 1\tReplicas: 1\tIsr: 1/);

      await produce(t, 0, 5);
      await tools.ok('kafka-topics', gw.bootstrap, ['--alter', '--topic', t, '--partitions', '4']);
      const grown = await tools.ok('kafka-topics', gw.bootstrap, ['--describe', '--topic', t]);
      expect(topicSummary(grown).partitions).toBe(4);
      // The existing partition kept its records.
      const latest = await tools.ok('kafka-get-offsets', gw.bootstrap, ['--topic', t]);
      expect(offsets(latest)).toEqual([
        [0, 5],
        [1, 0],
        [2, 0],
        [3, 0],
      ]);

      await tools.ok('kafka-topics', gw.bootstrap, ['--delete', '--topic', t]);
      expect((await tools.ok('kafka-topics', gw.bootstrap, ['--list'])).split('\n')).not.toContain(t);
      expect(await gw.gateway.services.storage.describeTopic(t)).toBeUndefined();
    },
    SLOW,
  );

  it(
    'kafka-configs describes, alters and deletes topic configs; describes the broker',
    async () => {
      const t = topicName('cli-configs');
      await tools.ok('kafka-topics', gw.bootstrap, ['--create', '--topic', t, '--partitions', '1']);
      const topicArgs = ['--entity-type', 'topics', '--entity-name', t];
      await tools.ok('kafka-configs', gw.bootstrap, [
        '--alter',
        ...topicArgs,
        '--add-config',
        'retention.ms=120000,max.message.bytes=2000,cleanup.policy=[compact,delete]',
      ]);
      const dynamic = configLines(
        await tools.ok('kafka-configs', gw.bootstrap, ['--describe', ...topicArgs]),
      );
      expect(Object.fromEntries([...dynamic].map(([k, v]) => [k, v.value]))).toEqual({
        'retention.ms': '120000',
        'max.message.bytes': '2000',
        'cleanup.policy': 'compact,delete',
      });
      expect(dynamic.get('max.message.bytes')!.synonyms).toBe(
        'DYNAMIC_TOPIC_CONFIG:max.message.bytes=2000, DEFAULT_CONFIG:message.max.bytes=1048588',
      );
      await expect(gw.gateway.services.storage.describeTopic(t)).resolves.toMatchObject({
        configs: {
          'retention.ms': '120000',
          'max.message.bytes': '2000',
          'cleanup.policy': 'compact,delete',
        },
      });

      await tools.ok('kafka-configs', gw.bootstrap, [
        '--alter',
        ...topicArgs,
        '--delete-config',
        'max.message.bytes',
      ]);
      const all = configLines(
        await tools.ok('kafka-configs', gw.bootstrap, ['--describe', ...topicArgs, '--all']),
      );
      expect(all.size).toBe(36);
      expect(all.get('max.message.bytes')).toEqual({
        value: '1048588',
        synonyms: 'DEFAULT_CONFIG:message.max.bytes=1048588',
      });
      expect(all.get('retention.ms')!.value).toBe('120000');
      expect(all.get('segment.bytes')!.value).toBe('1073741824');

      const broker = configLines(
        await tools.ok('kafka-configs', gw.bootstrap, [
          '--describe',
          '--entity-type',
          'brokers',
          '--entity-name',
          '1',
          '--all',
        ]),
      );
      expect(broker.get('num.partitions')!.value).toBe('1');
      expect(broker.get('default.replication.factor')!.value).toBe('1');
      expect(broker.get('offsets.topic.replication.factor')!.value).toBe('1');
      expect(broker.get('log.retention.hours')!.value).toBe('168');
      const defaults = await tools.ok('kafka-configs', gw.bootstrap, [
        '--describe',
        '--entity-type',
        'brokers',
        '--entity-default',
      ]);
      expect(configLines(defaults).size).toBe(0);
    },
    SLOW,
  );

  it(
    'kafka-delete-records advances the log start offset that kafka-get-offsets reports',
    async () => {
      const t = topicName('cli-delete');
      await tools.ok('kafka-topics', gw.bootstrap, ['--create', '--topic', t, '--partitions', '2']);
      await produce(t, 0, 10);
      await produce(t, 1, 3);
      const plan = path.join(dir, `${t}.json`);
      await writeFile(
        plan,
        JSON.stringify({ version: 1, partitions: [{ topic: t, partition: 0, offset: 4 }] }),
      );
      const out = await tools.ok('kafka-delete-records', gw.bootstrap, ['--offset-json-file', plan]);
      expect(out).toMatch(new RegExp(`partition: ${t}-0\\s+low_watermark: 4`));
      const earliest = await tools.ok('kafka-get-offsets', gw.bootstrap, ['--topic', t, '--time', '-2']);
      expect(offsets(earliest)).toEqual([
        [0, 4],
        [1, 0],
      ]);
      const latest = await tools.ok('kafka-get-offsets', gw.bootstrap, ['--topic', t, '--time', 'latest']);
      expect(offsets(latest)).toEqual([
        [0, 10],
        [1, 3],
      ]);
    },
    SLOW,
  );

  it(
    "reports the gateway's errors with their messages",
    async () => {
      const t = topicName('cli-errors');
      await tools.ok('kafka-topics', gw.bootstrap, ['--create', '--topic', t, '--partitions', '2']);
      const failure = async (tool: Parameters<typeof tools.run>[0], args: string[]): Promise<string> => {
        const r = await tools.run(tool, gw.bootstrap, args);
        expect(r.code, `${tool} ${args.join(' ')} should fail`).not.toBe(0);
        return r.stdout.toString('utf8') + r.stderr;
      };
      expect(await failure('kafka-topics', ['--create', '--topic', t])).toContain(
        `Topic '${t}' already exists.`,
      );
      expect(
        await failure('kafka-topics', ['--create', '--topic', `${t}-x`, '--config', 'foo=bar']),
      ).toContain('Unknown topic config name: foo');
      expect(await failure('kafka-topics', ['--alter', '--topic', t, '--partitions', '1'])).toContain(
        `The topic ${t} currently has 2 partition(s); 1 would not be an increase.`,
      );
      expect(
        await failure('kafka-configs', [
          '--alter',
          '--entity-type',
          'topics',
          '--entity-name',
          t,
          '--add-config',
          'retention.ms=abc',
        ]),
      ).toContain(
        'InvalidConfigurationException: Invalid value abc for configuration retention.ms: Not a number of type LONG',
      );
      expect(
        await failure('kafka-configs', [
          '--alter',
          '--entity-type',
          'topics',
          '--entity-name',
          t,
          '--add-config',
          'message.timestamp.type=Wrong',
        ]),
      ).toContain('String must be one of: CreateTime, LogAppendTime');
      expect(
        await failure('kafka-configs', [
          '--alter',
          '--entity-type',
          'brokers',
          '--entity-name',
          '1',
          '--add-config',
          'log.retention.ms=5',
        ]),
      ).toContain('InvalidRequestException: Cannot update these configs dynamically: log.retention.ms');
      const plan = path.join(dir, `${t}-beyond.json`);
      await writeFile(
        plan,
        JSON.stringify({ version: 1, partitions: [{ topic: t, partition: 0, offset: 99 }] }),
      );
      // kafka-delete-records reports per-partition errors but exits 0.
      const beyond = await tools.ok('kafka-delete-records', gw.bootstrap, ['--offset-json-file', plan]);
      expect(beyond).toMatch(
        new RegExp(`partition: ${t}-0\\s+error: org.apache.kafka.common.errors.OffsetOutOfRangeException`),
      );
      expect(await gw.gateway.services.storage.describeTopic(t)).toMatchObject({
        partitions: 2,
        configs: {},
      });
    },
    SLOW,
  );
});

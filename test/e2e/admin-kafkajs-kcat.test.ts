import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminGateway } from '../admin/e2e-gateway.js';
import { startAdminGateway, topicName } from '../admin/e2e-gateway.js';
import { kcatClient } from '../support/clients/kcat.js';
import { checkResult, runProcess } from '../support/clients/process.js';

// kafkajs's admin client and kcat -L against the gateway: what one tool changes, the other sees.

const { ConfigResourceTypes } = kafkajs;
const kcat = await kcatClient();

interface KcatMetadata {
  brokers: { id: number; name: string }[];
  topics: {
    topic: string;
    partitions: { partition: number; leader: number; replicas: { id: number }[]; isrs: { id: number }[] }[];
  }[];
}

describe('kafkajs admin and kcat -L', () => {
  let gw: AdminGateway;
  let admin: kafkajs.Admin;

  beforeAll(async () => {
    gw = await startAdminGateway();
    const kafka = new kafkajs.Kafka({
      clientId: 'admin-kafkajs',
      brokers: [gw.bootstrap],
      logLevel: kafkajs.logLevel.NOTHING,
      retry: { retries: 2 },
    });
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.disconnect();
    await gw?.stop();
  });

  it('creates a topic with configs and describes it', async () => {
    const t = topicName('kjs');
    const created = await admin.createTopics({
      topics: [
        {
          topic: t,
          numPartitions: 3,
          replicationFactor: 3,
          configEntries: [{ name: 'retention.ms', value: '90000' }],
        },
      ],
      waitForLeaders: true,
    });
    expect(created).toBe(true);
    expect(await admin.listTopics()).toContain(t);
    const md = await admin.fetchTopicMetadata({ topics: [t] });
    expect(md.topics[0]!.partitions.map((p) => [p.partitionId, p.leader, p.replicas, p.isr])).toEqual([
      [0, 1, [1], [1]],
      [1, 1, [1], [1]],
      [2, 1, [1], [1]],
    ]);
    const described = await admin.describeConfigs({
      resources: [
        { type: ConfigResourceTypes.TOPIC, name: t, configNames: ['retention.ms', 'cleanup.policy'] },
      ],
      includeSynonyms: true,
    });
    const entries = Object.fromEntries(
      described.resources[0]!.configEntries.map((e) => [e.configName, [e.configValue, e.isDefault]]),
    );
    expect(entries).toEqual({ 'retention.ms': ['90000', false], 'cleanup.policy': ['delete', true] });
  });

  it('alters configs, adds partitions, deletes records and topics', async () => {
    const t = topicName('kjs-alter');
    await admin.createTopics({ topics: [{ topic: t, numPartitions: 1 }] });
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: t,
          configEntries: [
            { name: 'cleanup.policy', value: 'compact' },
            { name: 'max.message.bytes', value: '3000' },
          ],
        },
      ],
    });
    expect((await gw.gateway.services.storage.describeTopic(t))!.configs).toEqual({
      'cleanup.policy': 'compact',
      'max.message.bytes': '3000',
    });

    await admin.createPartitions({ topicPartitions: [{ topic: t, count: 3 }] });
    const producer = new kafkajs.Kafka({
      brokers: [gw.bootstrap],
      logLevel: kafkajs.logLevel.NOTHING,
    }).producer();
    await producer.connect();
    await producer.send({
      topic: t,
      // Keyed: a compacted topic refuses records without a key, as Kafka does.
      messages: Array.from({ length: 6 }, (_, i) => ({ partition: 2, key: `k${i}`, value: `m${i}` })),
    });
    await producer.disconnect();
    // kafkajs finds leaders in its cached metadata (as against Kafka): refresh it after growing the topic.
    await admin.fetchTopicMetadata({ topics: [t] });
    await admin.deleteTopicRecords({ topic: t, partitions: [{ partition: 2, offset: '4' }] });
    const offsets = await admin.fetchTopicOffsets(t);
    expect(offsets.map((o) => [o.partition, o.low, o.high])).toEqual([
      [0, '0', '0'],
      [1, '0', '0'],
      [2, '4', '6'],
    ]);

    await admin.deleteTopics({ topics: [t] });
    expect(await admin.listTopics()).not.toContain(t);
  });

  it("surfaces the gateway's errors as kafkajs protocol errors", async () => {
    const t = topicName('kjs-err');
    await admin.createTopics({ topics: [{ topic: t, numPartitions: 2 }] });
    await expect(
      admin.alterConfigs({
        validateOnly: false,
        resources: [
          { type: ConfigResourceTypes.TOPIC, name: t, configEntries: [{ name: 'retention.ms', value: 'x' }] },
        ],
      }),
    ).rejects.toMatchObject({ type: 'INVALID_CONFIG' });
    await expect(admin.createPartitions({ topicPartitions: [{ topic: t, count: 1 }] })).rejects.toMatchObject(
      {
        type: 'INVALID_PARTITIONS',
      },
    );
    await expect(
      admin.createTopics({
        topics: [{ topic: `${t}-bad`, numPartitions: 1, configEntries: [{ name: 'nope', value: '1' }] }],
      }),
    ).rejects.toMatchObject({ name: 'KafkaJSAggregateError' });
    expect(await admin.createTopics({ topics: [{ topic: t, numPartitions: 2 }] })).toBe(false);
  });

  it('describes the cluster', async () => {
    const cluster = await admin.describeCluster();
    expect(cluster).toMatchObject({ controller: 1, clusterId: 'kafka-gateway-cluster' });
    expect(cluster.brokers).toEqual([
      { nodeId: 1, host: '127.0.0.1', port: Number(gw.bootstrap.split(':')[1]) },
    ]);
  });

  it.skipIf(!kcat.ok)(
    'kcat -L lists what the admin tools created, with one replica per partition',
    async () => {
      const t = topicName('kjs-kcat');
      await admin.createTopics({ topics: [{ topic: t, numPartitions: 2, replicationFactor: 3 }] });
      await admin.createPartitions({ topicPartitions: [{ topic: t, count: 4 }] });
      const out = checkResult(
        'kcat -L',
        await runProcess('kcat', ['-L', '-J', '-b', gw.bootstrap, '-t', t], { timeoutMs: 60_000 }),
      );
      const md = JSON.parse(out.stdout.toString('utf8')) as KcatMetadata;
      expect(md.brokers.map((b) => [b.id, b.name])).toEqual([[1, gw.bootstrap]]);
      const topic = md.topics.find((x) => x.topic === t)!;
      expect(
        topic.partitions.map((p) => [
          p.partition,
          p.leader,
          p.replicas.map((r) => r.id),
          p.isrs.map((r) => r.id),
        ]),
      ).toEqual([0, 1, 2, 3].map((p) => [p, 1, [1], [1]]));
    },
  );
});

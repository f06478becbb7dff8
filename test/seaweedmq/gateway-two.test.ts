import { ConfigResourceTypes, type Admin, type Kafka, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import type { MetadataResponse } from '../../src/protocol/generated/index.js';
import { RawClient } from '../server/support/client.js';
import {
  kafkaClient,
  positions,
  readGroup,
  startSeaweedGateway,
  waitFor,
  type SeaweedGateway,
} from './support/gateway.js';
import { uniqueNamespace } from './support/storage.js';

// Two gateways in front of one SeaweedMQ namespace: topics, configs, ids and records are SeaweedMQ's,
// so either gateway serves what the other wrote. (Their consumer groups are shared too:
// gateway-group-failover.test.ts, and gateway-shared-groups.test.ts with --group-coordinator.)

const TOPIC = 'two-orders';
const PARTITIONS = 3;
const CONFIGS = { 'retention.ms': '7200000', 'max.message.bytes': '500000' };

/** The topic as Metadata v12 describes it (kafkajs asks for older versions, without topic ids). */
async function metadataV12(port: number, topic: string): Promise<MetadataResponse['topics'][number]> {
  const client = await RawClient.connect(port);
  try {
    const res = await client.call<MetadataResponse>(
      3,
      12,
      {
        topics: [{ topicId: '0'.repeat(32), name: topic }],
        allowAutoTopicCreation: false,
        includeTopicAuthorizedOperations: false,
      },
      1,
    );
    return res.topics[0]!;
  } finally {
    client.destroy();
  }
}

describe('two gateways on one SeaweedMQ namespace', () => {
  const namespace = uniqueNamespace('gw2');
  let a: SeaweedGateway;
  let b: SeaweedGateway;
  let kafkaA: Kafka;
  let kafkaB: Kafka;
  let adminA: Admin;
  let adminB: Admin;
  let producerA: Producer;
  let producerB: Producer;

  beforeAll(async () => {
    a = await startSeaweedGateway({ namespace, config: { nodeId: 1 } });
    b = await startSeaweedGateway({ namespace, config: { nodeId: 2 } });
    kafkaA = kafkaClient(a.bootstrap, 'two-a');
    kafkaB = kafkaClient(b.bootstrap, 'two-b');
    adminA = kafkaA.admin();
    adminB = kafkaB.admin();
    producerA = kafkaA.producer({ idempotent: true, maxInFlightRequests: 1 });
    producerB = kafkaB.producer({ idempotent: true, maxInFlightRequests: 1 });
    await Promise.all([adminA.connect(), adminB.connect(), producerA.connect(), producerB.connect()]);
  });

  afterAll(async () => {
    for (const c of [producerA, producerB, adminA, adminB]) await c?.disconnect();
    await a?.stop();
    await b?.stop();
  });

  it('a topic created through A is listed and described through B, with the same id and configs', async () => {
    expect(
      await adminA.createTopics({
        topics: [
          {
            topic: TOPIC,
            numPartitions: PARTITIONS,
            configEntries: Object.entries(CONFIGS).map(([name, value]) => ({ name, value })),
          },
        ],
        waitForLeaders: true,
      }),
    ).toBe(true);
    await waitFor('B to list the topic', async () => (await adminB.listTopics()).includes(TOPIC), 10_000);
    // B refuses to create it again: it exists for B too.
    expect(await adminB.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1 }] })).toBe(false);
    const meta = await adminB.fetchTopicMetadata({ topics: [TOPIC] });
    expect(meta.topics[0]!.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2]);
    const described = await adminB.describeConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: TOPIC, configNames: Object.keys(CONFIGS) }],
      includeSynonyms: false,
    });
    const entries = described.resources[0]!.configEntries;
    expect(Object.fromEntries(entries.map((c) => [c.configName, c.configValue]))).toEqual(CONFIGS);
    expect(entries.every((c) => !c.isDefault)).toBe(true);

    const [viaA, viaB] = await Promise.all([metadataV12(a.port, TOPIC), metadataV12(b.port, TOPIC)]);
    expect(viaA.errorCode).toBe(ErrorCode.NONE);
    expect(viaA.topicId).toMatch(/^[0-9a-f]{32}$/);
    expect(viaA.topicId).not.toBe('0'.repeat(32));
    expect(viaB).toMatchObject({ errorCode: ErrorCode.NONE, name: TOPIC, topicId: viaA.topicId });
    expect(viaB.partitions).toHaveLength(PARTITIONS);
  });

  it('records produced through A are fetched through B, and the other way round', async () => {
    // B's reader waits first: records appended through A must wake its fetches (SeaweedMQ is polled).
    const readerB = await readGroup(kafkaB, { groupId: 'two-readers-b', topic: TOPIC });
    try {
      await producerA.send({
        topic: TOPIC,
        messages: [0, 1, 2].map((p) => ({ partition: p, key: `a-${p}`, value: `from A ${p}` })),
      });
      await readerB.waitCount(3);
      expect(positions(readerB.seen)).toEqual(['0@0', '1@0', '2@0']);
      expect(readerB.seen.every((r) => r.value?.toString() === `from A ${r.partition}`)).toBe(true);
    } finally {
      await readerB.stop();
    }

    const readerA = await readGroup(kafkaA, { groupId: 'two-readers-a', topic: TOPIC });
    try {
      await readerA.waitCount(3);
      await producerB.send({
        topic: TOPIC,
        messages: [0, 1, 2].map((p) => ({ partition: p, key: `b-${p}`, value: `from B ${p}` })),
      });
      await readerA.waitCount(6);
      expect(positions(readerA.seen)).toEqual(['0@0', '0@1', '1@0', '1@1', '2@0', '2@1']);
      for (const r of readerA.seen) {
        expect(r.value?.toString()).toBe(`from ${r.offset === 0 ? 'A' : 'B'} ${r.partition}`);
      }
    } finally {
      await readerA.stop();
    }
    // Both gateways report the same ends.
    const ends = async (admin: Admin) =>
      (await admin.fetchTopicOffsets(TOPIC)).sort((x, y) => x.partition - y.partition).map((o) => o.high);
    expect(await ends(adminA)).toEqual(['2', '2', '2']);
    expect(await ends(adminB)).toEqual(['2', '2', '2']);
  });

  it('a topic deleted through B disappears from A', async () => {
    await adminB.deleteTopics({ topics: [TOPIC], timeout: 30_000 });
    expect(await adminB.listTopics()).not.toContain(TOPIC);
    // A caches topic metadata for about a second.
    await waitFor(
      'A to stop listing the deleted topic',
      async () => !(await adminA.listTopics()).includes(TOPIC),
      15_000,
    );
    await waitFor(
      'A to answer Metadata for the topic with UNKNOWN_TOPIC_OR_PARTITION',
      async () => (await metadataV12(a.port, TOPIC)).errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      15_000,
    );
    expect(await a.storage.describeTopic(TOPIC)).toBeUndefined();
  });
});

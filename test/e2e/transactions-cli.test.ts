/**
 * kafka-transactions (Kafka 3.9's TransactionsCommand, from its jar) against the gateway while a
 * kafkajs transaction is open: list, describe, describe-producers, and abort of the open transaction
 * on its partition (WriteTxnMarkers), after which read_committed readers are no longer held back.
 */
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminGateway } from '../admin/e2e-gateway.js';
import { startAdminGateway, topicName } from '../admin/e2e-gateway.js';
import { kafkaCli } from '../support/kafka-cli.js';

const cli = await kafkaCli();
const SLOW = 180_000;
const TXN_ID = 'cli-txn';

describe.skipIf(!cli.ok)('kafka-transactions against an open transaction', () => {
  const tools = cli.ok ? cli.client : undefined!;
  let gw: AdminGateway;
  let kafka: kafkajs.Kafka;
  let producer: kafkajs.Producer;
  let topic: string;

  beforeAll(async () => {
    gw = await startAdminGateway();
    topic = topicName('txn-cli');
    kafka = new kafkajs.Kafka({ brokers: [gw.bootstrap], logLevel: kafkajs.logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    await admin.disconnect();
    producer = kafka.producer({ transactionalId: TXN_ID, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const txn = await producer.transaction();
    await txn.send({ topic, messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] });
  }, SLOW);

  afterAll(async () => {
    await producer?.disconnect();
    await gw?.stop();
  });

  /** Rows of a tab-separated table the tool prints, as objects keyed by its header. */
  const table = (out: string): Record<string, string>[] => {
    const [header, ...rows] = out
      .trim()
      .split('\n')
      .map((l) => l.split('\t').map((c) => c.trim()));
    return rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ''])));
  };

  /** kafka-transactions `args` against the gateway, its table parsed. */
  const transactions = async (args: string[]): Promise<Record<string, string>[]> =>
    table(await tools.ok('kafka-transactions', gw.bootstrap, args));

  it(
    'lists and describes the open transaction, and its producer on the partition',
    async () => {
      const listed = await transactions(['list']);
      expect(listed).toContainEqual(
        expect.objectContaining({ TransactionalId: TXN_ID, TransactionState: 'Ongoing' }),
      );
      const described = await transactions(['describe', '--transactional-id', TXN_ID]);
      expect(described).toEqual([
        expect.objectContaining({
          TransactionalId: TXN_ID,
          TransactionState: 'Ongoing',
          TopicPartitions: `${topic}-0`,
        }),
      ]);
      const producers = await transactions(['describe-producers', '--topic', topic, '--partition', '0']);
      expect(producers).toEqual([
        expect.objectContaining({
          ProducerId: described[0]!.ProducerId,
          LastSequence: '2',
          CurrentTransactionStartOffset: '0',
        }),
      ]);
    },
    SLOW,
  );

  it(
    'abort ends the transaction on its partition: read_committed readers see the end',
    async () => {
      const producerId = (await transactions(['describe', '--transactional-id', TXN_ID]))[0]!.ProducerId!;
      await tools.ok('kafka-transactions', gw.bootstrap, [
        'abort',
        '--topic',
        topic,
        '--partition',
        '0',
        '--start-offset',
        '0',
      ]);
      const producers = await transactions(['describe-producers', '--topic', topic, '--partition', '0']);
      expect(producers).toContainEqual(
        expect.objectContaining({ ProducerId: producerId, CurrentTransactionStartOffset: 'None' }),
      );
      const admin = kafka.admin();
      await admin.connect();
      try {
        // The abort marker follows the three records: the last stable offset is the end again.
        const [end] = await admin.fetchTopicOffsets(topic);
        expect(end!.high).toBe('4');
      } finally {
        await admin.disconnect();
      }
    },
    SLOW,
  );
});

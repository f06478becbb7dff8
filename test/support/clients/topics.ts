import kafkajs from 'kafkajs';

/**
 * Creates a topic with kafkajs's admin client. Used by the kcat tests, since kcat cannot create
 * topics and a broker's auto-creation would give them its default partition count instead.
 */
export async function createTopic(bootstrap: string, topic: string, partitions: number): Promise<void> {
  const kafka = new kafkajs.Kafka({
    clientId: 'e2e-setup',
    brokers: [bootstrap],
    logLevel: kafkajs.logLevel.NOTHING,
    retry: { retries: 5 },
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const created = await admin.createTopics({
      topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
      waitForLeaders: true,
      timeout: 30_000,
    });
    if (!created) {
      throw new Error(`topic ${topic} already exists`);
    }
  } finally {
    await admin.disconnect();
  }
}

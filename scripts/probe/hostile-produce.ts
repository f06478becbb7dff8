/**
 * Sends every hostile batch of test/support/hostile-batches.ts to a broker and prints its answer,
 * to compare the gateway with Apache Kafka (scripts/kafka-reference):
 *   npx tsx scripts/probe/hostile-produce.ts 127.0.0.1:19192
 */
import { WireConnection } from '../../test/compat/support/wire.js';
import { hostileCases } from '../../test/support/hostile-batches.js';

interface ProduceBody {
  responses: {
    name: string;
    partitionResponses: {
      errorCode: number;
      errorMessage?: string | null;
      recordErrors?: { batchIndex: number; batchIndexErrorMessage?: string | null }[];
    }[];
  }[];
}

const [host, port] = (process.argv[2] ?? '127.0.0.1:9092').split(':');
const conn = await WireConnection.open(host!, Number(port));
const run = Date.now().toString(36);
let i = 0;
for (const c of hostileCases()) {
  const topic = `hostile-${run}-${i++}`;
  const configs = Object.entries(c.topicConfigs ?? {}).map(([name, value]) => ({ name, value }));
  await conn.call(19, 5, {
    topics: [{ name: topic, numPartitions: 1, replicationFactor: 1, assignments: [], configs }],
    timeoutMs: 10000,
    validateOnly: false,
  });
  const version = c.produceVersion ?? 9;
  let p: ProduceBody['responses'][number]['partitionResponses'][number];
  // A new topic's leader takes a moment to appear on Kafka: retry its "not here yet" answers.
  for (let attempt = 0; ; attempt++) {
    const res = await conn.call<ProduceBody>(0, version, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 10000,
      topicData: [{ name: topic, partitionData: [{ index: 0, records: c.records }] }],
    });
    p = res.responses[0]!.partitionResponses[0]!;
    if (![3, 6].includes(p.errorCode) || attempt === 50) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const recordErrors = (p.recordErrors ?? []).map((r) => `${r.batchIndex}:${r.batchIndexErrorMessage ?? ''}`);
  console.log(
    JSON.stringify({ case: c.name, code: p.errorCode, message: p.errorMessage ?? null, recordErrors }),
  );
}
conn.close();

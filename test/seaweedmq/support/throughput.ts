/**
 * Publish throughput through SeaweedMqStorage's pipelined streams (a measurement, not a test):
 *
 *   npx tsx test/seaweedmq/support/throughput.ts [records=50000] [batch=100] [inflight=16]
 *
 * Starts its own SeaweedFS unless SEAWEED_MASTERS names one. 1 KiB values, one partition, a bounded
 * loop: `records` in batches of `batch`, at most `inflight` appends outstanding.
 */
import { randomBytes } from 'node:crypto';
import { silentLogger } from '../../../src/log.js';
import { buildRecordBatch } from '../../../src/protocol/records/builder.js';
import { SeaweedMqStorage } from '../../../src/storage/seaweedmq/index.js';
import { startCluster, stopCluster, type ClusterInfo } from './cluster.js';

const total = Number(process.argv[2] ?? 50_000);
const perBatch = Number(process.argv[3] ?? 100);
const inflight = Number(process.argv[4] ?? 16);
const partitions = Number(process.env.PARTITIONS ?? 1);

async function main(): Promise<void> {
  let cluster: ClusterInfo | undefined;
  let masters = process.env.SEAWEED_MASTERS;
  if (!masters) {
    cluster = await startCluster();
    masters = cluster.masters;
  }
  const storage = new SeaweedMqStorage({
    masters: [masters],
    namespace: `bench${randomBytes(3).toString('hex')}`,
    logger: silentLogger,
  });
  try {
    await storage.start();
    await storage.waitConnected(30_000);
    await storage.createTopic({ name: 'throughput', partitions, configs: {} });
    const value = randomBytes(1024);
    const batches = Math.ceil(total / perBatch);
    let next = 0;
    const started = process.hrtime.bigint();
    const worker = async (): Promise<void> => {
      while (next < batches) {
        const i = next++;
        const batch = buildRecordBatch({
          records: Array.from({ length: perBatch }, (_, j) => ({ key: Buffer.from(`k${i}-${j}`), value })),
        });
        await storage.append('throughput', i % partitions, batch);
      }
    };
    await Promise.all(Array.from({ length: inflight }, worker));
    const secs = Number(process.hrtime.bigint() - started) / 1e9;
    let stored = 0n;
    for (let p = 0; p < partitions; p++) stored += (await storage.offsets('throughput', p)).highWatermark;
    console.log(
      JSON.stringify({
        records: batches * perBatch,
        stored: Number(stored),
        seconds: Number(secs.toFixed(2)),
        recordsPerSecond: Math.round((batches * perBatch) / secs),
        mibPerSecond: Number(((batches * perBatch * 1024) / secs / 1048576).toFixed(1)),
        perBatch,
        inflight,
        partitions,
      }),
    );
  } finally {
    await storage.close();
    if (cluster) stopCluster(cluster);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

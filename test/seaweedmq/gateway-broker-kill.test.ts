/**
 * The SeaweedMQ broker is stopped (SIGTERM, then SIGKILL in a second run) and started again while the
 * Java client and kcat keep producing through one gateway with acks=all and idempotence. Whatever they
 * saw acknowledged must be read back afterwards exactly once, at the offset it was acknowledged with:
 * the gateway answers acks=-1 only once SeaweedMQ has flushed and checkpointed the records, and repairs
 * the checkpoint a stopped broker left behind (docs/seaweedmq.md, "Durability").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { javaConsume, javaHarness, javaListOffsets, type JavaHarness } from '../support/clients/java.js';
import { kcatClient } from '../support/clients/kcat.js';
import { createTopic } from '../support/clients/topics.js';
import {
  acknowledged,
  javaGroupTools,
  startSequenceProducer,
  type JavaGroupTools,
} from '../support/groups/java-groups.js';
import { installed } from '../support/groups/suite.js';
import { restartBroker } from './support/cluster.js';
import { startSeaweedGateway, waitFor, type SeaweedGateway } from './support/gateway.js';
import { startKcatStream } from './support/kcat-stream.js';
import { cluster } from './support/storage.js';

const java = await javaHarness();
const groupTools = await javaGroupTools();
const kcat = await kcatClient();
const JAVA_PARTITIONS = 2;
/** Acknowledgements to see before the stop, and again after the broker is back. */
const JAVA_ACKS = 600;
const KCAT_ACKS = 200;

async function readTopic(harness: JavaHarness, bootstrap: string, topic: string) {
  const ends = await javaListOffsets(harness, { bootstrap, topic });
  const total = ends.reduce((n, p) => n + p.latest - p.earliest, 0);
  return javaConsume(harness, { bootstrap, topic, expect: total });
}

describe.skipIf(!java.ok || !groupTools.ok || !kcat.ok)(
  'SeaweedMQ broker stopped during continuous acks=-1 production',
  () => {
    let gateway: SeaweedGateway;
    const harness = (): JavaHarness => installed(java);
    const tools = (): JavaGroupTools => installed(groupTools);

    beforeAll(async () => {
      gateway = await startSeaweedGateway();
    });

    afterAll(async () => {
      await gateway?.stop();
    });

    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      it(`${signal}: every record the Java producer and kcat saw acknowledged is read back once, at its offset`, async () => {
        const bootstrap = gateway.bootstrap;
        const javaTopic = `kill-java-${signal.toLowerCase()}`;
        const kcatTopic = `kill-kcat-${signal.toLowerCase()}`;
        await createTopic(bootstrap, javaTopic, JAVA_PARTITIONS);
        await createTopic(bootstrap, kcatTopic, 1);

        const producer = startSequenceProducer(tools(), {
          bootstrap,
          topic: javaTopic,
          partitions: JAVA_PARTITIONS,
          rate: 400,
          durationMs: 240_000,
        });
        const kc = startKcatStream({ bootstrap, topic: kcatTopic, partition: 0, prefix: 'kc-' });
        // kcat gets values in small bursts for as long as the test runs, like a steady source.
        const feed = setInterval(() => kc.write(5), 20);
        let finished = false;
        try {
          const javaAcks = () => acknowledged(producer.events).length;
          await producer.waitUntil('Java acks before the stop', () => javaAcks() >= JAVA_ACKS, 120_000);
          await waitFor('kcat deliveries before the stop', () => kc.delivered.length >= KCAT_ACKS, 120_000);

          await restartBroker(cluster(), signal);

          const javaBefore = javaAcks();
          const kcatBefore = kc.delivered.length;
          await producer.waitUntil(
            'Java acks after the broker is back',
            () => javaAcks() >= javaBefore + JAVA_ACKS,
            180_000,
          );
          await waitFor(
            'kcat deliveries after the broker is back',
            () => kc.delivered.length >= kcatBefore + KCAT_ACKS,
            180_000,
          );
          clearInterval(feed);
          await producer.stop(180_000);
          expect(await kc.end(180_000), kc.log()).toBe(0);
          finished = true;
        } finally {
          clearInterval(feed);
          if (!finished) {
            producer.kill();
            await kc.end(1);
          }
        }
        expect(kc.failed, kc.log()).toEqual([]);

        // Java: each acknowledged sequence number once, at the partition and offset of its ack.
        const acked = acknowledged(producer.events);
        const javaRead = await readTopic(harness(), bootstrap, javaTopic);
        const seen = new Map<string, string[]>();
        for (const r of javaRead) {
          const n = r.value?.toString() ?? 'null';
          seen.set(n, [...(seen.get(n) ?? []), `${r.partition}@${r.offset}`]);
        }
        const wrong = acked
          .filter((a) => (seen.get(String(a.n)) ?? []).join() !== `${a.p}@${a.o}`)
          .map(
            (a) => `${a.n}: acked ${a.p}@${a.o}, read ${(seen.get(String(a.n)) ?? []).join(' ') || 'never'}`,
          );
        const firstWrong = acked.find((a) => (seen.get(String(a.n)) ?? []).join() !== `${a.p}@${a.o}`);
        const around = javaRead
          .filter((r) => firstWrong && r.partition === firstWrong.p && Math.abs(r.offset - firstWrong.o) < 6)
          .map((r) => `${r.offset}:${r.value?.toString()}`)
          .join(' ');
        expect(wrong.slice(0, 20), `${wrong.length} of ${acked.length} Java acks; read ${around}`).toEqual(
          [],
        );
        const positions = javaRead.map((r) => `${r.partition}@${r.offset}`);
        expect(new Set(positions).size).toBe(positions.length);

        // kcat: the value delivered at each offset is the one stored there, and it is stored once.
        const kcatRead = await readTopic(harness(), bootstrap, kcatTopic);
        const byOffset = new Map(kcatRead.map((r) => [r.offset, r.value?.toString()]));
        const kcatWrong = kc.delivered
          .filter((d) => byOffset.get(d.offset) !== d.value)
          .map((d) => `${d.value}: acked at ${d.offset}, read ${byOffset.get(d.offset) ?? 'nothing'} there`);
        expect(kcatWrong.slice(0, 20), `${kcatWrong.length} of ${kc.delivered.length} kcat acks`).toEqual([]);
        const kcatValues = kcatRead.map((r) => r.value?.toString());
        const delivered = new Set(kc.delivered.map((d) => d.value));
        expect(kcatValues.filter((v) => v !== undefined && delivered.has(v)).length).toBe(delivered.size);
      }, 600_000);
    }
  },
);

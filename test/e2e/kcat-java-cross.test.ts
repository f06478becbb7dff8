import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  javaConsume,
  javaCreateTopic,
  javaHarness,
  javaProduce,
  type JavaHarness,
} from '../support/clients/java.js';
import { kcatClient, kcatConsume, kcatProduce } from '../support/clients/kcat.js';
import { expectedKcatRecords, kcatBatches } from '../support/clients/kcat-dataset.js';
import { diffRecords } from '../support/clients/records.js';
import { startTarget, uniqueTopic, type Target } from '../support/clients/target.js';

// What one client writes another must read identically: Java -> kcat and kcat -> Java.

const kcat = await kcatClient();
const java = await javaHarness();
const PARTITIONS = 3;
const SLOW = 240_000;

function harness(): JavaHarness {
  if (!java.ok) {
    throw new Error(java.reason);
  }
  return java.client;
}

describe.skipIf(!kcat.ok || !java.ok)('cross-client: Java and kcat', () => {
  let target: Target;

  beforeAll(async () => {
    target = await startTarget({ autoCreateTopics: true, defaultPartitions: PARTITIONS });
  });

  afterAll(async () => {
    await target?.stop();
  });

  it(
    'kcat reads exactly what the Java producer wrote',
    async () => {
      const topic = uniqueTopic('java-to-kcat');
      const bootstrap = target.bootstrap;
      await javaCreateTopic(harness(), { bootstrap, topic, partitions: PARTITIONS });
      const { records } = await javaProduce(harness(), {
        bootstrap,
        topic,
        count: 30,
        partitions: PARTITIONS,
        compression: 'zstd',
      });
      const consumed = await kcatConsume({ bootstrap, topic, withTimestampType: true });
      const sent = records.map((r) => ({ ...r, timestampType: 'CreateTime' as const }));
      expect(diffRecords(sent, consumed, { timestamps: true, timestampTypes: true })).toEqual([]);
    },
    SLOW,
  );

  it(
    'the Java consumer reads exactly what kcat wrote',
    async () => {
      const topic = uniqueTopic('kcat-to-java');
      const bootstrap = target.bootstrap;
      await javaCreateTopic(harness(), { bootstrap, topic, partitions: PARTITIONS });
      const batches = kcatBatches();
      for (const b of batches) {
        await kcatProduce({ bootstrap, topic, compression: 'gzip', ...b });
      }
      const expected = expectedKcatRecords(batches);
      const byJava = await javaConsume(harness(), { bootstrap, topic, expect: expected.length });
      expect(diffRecords(expected, byJava, { timestamps: false })).toEqual([]);
      // Both clients must see the same timestamps and types for the same records.
      const byKcat = await kcatConsume({ bootstrap, topic, withTimestampType: true });
      expect(diffRecords(byKcat, byJava, { timestamps: true, timestampTypes: true })).toEqual([]);
    },
    SLOW,
  );
});

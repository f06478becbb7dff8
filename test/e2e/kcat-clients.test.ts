import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Compression } from '../support/clients/java.js';
import { kcatClient, kcatConsume, kcatProduce } from '../support/clients/kcat.js';
import { expectedKcatRecords, kcatBatches } from '../support/clients/kcat-dataset.js';
import { diffRecords, offsetGaps } from '../support/clients/records.js';
import { startTarget, uniqueTopic, type Target } from '../support/clients/target.js';
import { createTopic } from '../support/clients/topics.js';

// kcat (librdkafka) against the broker under test: produce with acks=all and idempotence, each codec,
// then consume from the beginning and compare byte for byte.

const kcat = await kcatClient();
const PARTITIONS = 3;
const CODECS: Compression[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
const SLOW = 240_000;

describe.skipIf(!kcat.ok)(`kcat ${kcat.ok ? kcat.client.version : ''}`, () => {
  let target: Target;

  beforeAll(async () => {
    target = await startTarget({ autoCreateTopics: true, defaultPartitions: PARTITIONS });
  });

  afterAll(async () => {
    await target?.stop();
  });

  it.each(CODECS)(
    'round-trips keys, values and headers compressed with %s (acks=all, idempotent)',
    async (compression) => {
      const topic = uniqueTopic(`kcat-${compression}`);
      const bootstrap = target.bootstrap;
      await createTopic(bootstrap, topic, PARTITIONS);

      const batches = kcatBatches();
      const before = Date.now();
      for (const b of batches) {
        await kcatProduce({ bootstrap, topic, compression, ...b });
      }
      const after = Date.now();

      const consumed = await kcatConsume({ bootstrap, topic, withTimestampType: true });
      const expected = expectedKcatRecords(batches);
      expect(diffRecords(expected, consumed, { timestamps: false })).toEqual([]);
      expect(offsetGaps(consumed)).toEqual([]);
      // librdkafka stamps CreateTime when kcat hands it the message; the broker must keep it.
      for (const r of consumed) {
        expect(r.timestampType).toBe('CreateTime');
        expect(r.timestamp).toBeGreaterThanOrEqual(before - 1000);
        expect(r.timestamp).toBeLessThanOrEqual(after + 1000);
      }
    },
    SLOW,
  );
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  javaConsume,
  javaCreateTopic,
  javaHarness,
  javaListOffsets,
  javaProduce,
  type Compression,
  type JavaHarness,
  type ProducedRecord,
} from '../support/clients/java.js';
import { diffRecords, offsetGaps } from '../support/clients/records.js';
import { startTarget, uniqueTopic, type Target } from '../support/clients/target.js';

// The official Java client (kafka-clients 3.9.2 by default) against the broker under test:
// produce with acks=all and idempotence, read everything back with assign(), compare byte for byte.

const java = await javaHarness();
const PARTITIONS = 3;
const COUNT = 30;
const CODECS: Compression[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
const SLOW = 240_000;

function harness(): JavaHarness {
  if (!java.ok) {
    throw new Error(java.reason);
  }
  return java.client;
}

/** Per partition, offsets must follow the order the producer sent the records in. */
function sendOrderProblems(records: readonly ProducedRecord[]): string[] {
  const problems: string[] = [];
  for (let p = 0; p < PARTITIONS; p++) {
    const inPartition = records.filter((r) => r.partition === p).sort((a, b) => a.index - b.index);
    inPartition.forEach((r, i) => {
      if (r.offset !== i) {
        problems.push(`record ${r.index} in partition ${p}: acked offset ${r.offset}, expected ${i}`);
      }
    });
  }
  return problems;
}

describe.skipIf(!java.ok)(`Java client ${java.ok ? java.client.kafkaClientsVersion : ''}`, () => {
  let target: Target;

  beforeAll(async () => {
    target = await startTarget({ autoCreateTopics: true, defaultPartitions: PARTITIONS });
  });

  afterAll(async () => {
    await target?.stop();
  });

  it.each(CODECS)(
    'round-trips the data set compressed with %s (acks=all, idempotent)',
    async (compression) => {
      const topic = uniqueTopic(`java-${compression}`);
      const bootstrap = target.bootstrap;
      await javaCreateTopic(harness(), { bootstrap, topic, partitions: PARTITIONS });

      const produced = await javaProduce(harness(), {
        bootstrap,
        topic,
        count: COUNT,
        partitions: PARTITIONS,
        compression,
      });
      expect(produced.records).toHaveLength(COUNT);
      // The data set really holds the edge cases the comparison below is meant to cover.
      const sent = produced.records;
      expect(sent.some((r) => r.key === null)).toBe(true);
      expect(sent.some((r) => r.value === null)).toBe(true);
      expect(sent.some((r) => r.key?.length === 0 && r.value?.length === 0)).toBe(true);
      expect(sent.some((r) => (r.value?.length ?? 0) > 1_000_000)).toBe(true);
      expect(sent.some((r) => r.headers.some(([, v]) => v === null))).toBe(true);
      expect(sent.every((r) => r.partition === r.index % PARTITIONS)).toBe(true);
      expect(sendOrderProblems(sent)).toEqual([]);

      const consumed = await javaConsume(harness(), { bootstrap, topic, expect: COUNT });
      expect(diffRecords(sent, consumed, { timestamps: true })).toEqual([]);
      expect(offsetGaps(consumed)).toEqual([]);
      expect(consumed.every((r) => r.timestampType === 'CreateTime')).toBe(true);
    },
    SLOW,
  );

  it(
    'lists earliest, latest and max-timestamp offsets per partition',
    async () => {
      const topic = uniqueTopic('java-offsets');
      const bootstrap = target.bootstrap;
      await javaCreateTopic(harness(), { bootstrap, topic, partitions: PARTITIONS });
      const { records } = await javaProduce(harness(), {
        bootstrap,
        topic,
        count: COUNT,
        partitions: PARTITIONS,
        compression: 'none',
        largeValueBytes: 1000,
      });

      const offsets = await javaListOffsets(harness(), { bootstrap, topic });
      expect(offsets.map((o) => o.partition)).toEqual([0, 1, 2]);
      for (const o of offsets) {
        const inPartition = records.filter((r) => r.partition === o.partition);
        const newest = inPartition.reduce((a, b) => (b.timestamp > a.timestamp ? b : a));
        expect(o).toEqual({
          partition: o.partition,
          earliest: 0,
          latest: inPartition.length,
          maxTimestampOffset: newest.offset,
          maxTimestamp: newest.timestamp,
        });
      }
    },
    SLOW,
  );
});

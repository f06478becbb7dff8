import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlterClientQuotasResponse } from '../../src/protocol/generated/index.js';
import type { AdminGateway } from '../admin/e2e-gateway.js';
import { startAdminGateway, topicName } from '../admin/e2e-gateway.js';
import { RawClient } from '../server/support/client.js';
import { kafkaCli } from '../support/kafka-cli.js';

// A producer over its byte-rate quota, driven by Kafka's own kafka-producer-perf-test (the Java
// producer): the gateway must hold it to the quota, and the producer must see the throttle time in
// its metrics (produce-throttle-time-max), as it does against Kafka.
//
// Quota windows: 3 of 1 s instead of Kafka's default 11, so the allowance at start (the windows
// not yet elapsed count as empty) is 2 s of quota and a run of a few seconds already measures the
// held rate; the rate is computed the same way whatever the window count.

const cli = await kafkaCli();
const QUOTA = 1_000_000; // bytes per second
const SAMPLES = 3;
const RECORDS = 6000;
const RECORD_SIZE = 1000;
/** Bytes stored / run time / quota must fall within this band. */
const TOLERANCE = { low: 0.8, high: 1.25 };

describe.skipIf(!cli.ok)('producer byte-rate quota with the Java producer', () => {
  const tools = cli.ok ? cli.client : undefined!;
  let gw: AdminGateway;

  beforeAll(async () => {
    gw = await startAdminGateway({
      autoCreateTopics: true,
      quotaWindow: { samples: SAMPLES, windowMs: 1000 },
    });
    const client = await RawClient.connect(gw.gateway.address.port);
    const r = await client.call<AlterClientQuotasResponse>(
      49,
      1,
      {
        validateOnly: false,
        entries: [
          {
            entity: [{ entityType: 'client-id', entityName: 'quota-producer' }],
            ops: [{ key: 'producer_byte_rate', value: QUOTA, remove: false }],
          },
        ],
      },
      1,
    );
    client.destroy();
    expect(r.entries[0]!.errorCode).toBe(0);
  });
  afterAll(async () => gw?.stop());

  it('holds the producer to its quota and reports the throttle time to it', async () => {
    const topic = topicName('quota');
    const result = await tools.runClass(
      'org.apache.kafka.tools.ProducerPerformance',
      [
        '--topic',
        topic,
        '--num-records',
        String(RECORDS),
        '--record-size',
        String(RECORD_SIZE),
        '--throughput',
        '-1',
        '--print-metrics',
        '--producer-props',
        `bootstrap.servers=${gw.bootstrap}`,
        'client.id=quota-producer',
        'acks=1',
        'linger.ms=5',
      ],
      180_000,
    );
    const out = result.stdout.toString();
    expect(result.code, result.stderr.toString()).toBe(0);
    // "6000 records sent, 1203.4 records/sec (1.15 MB/sec), ..." is the run's summary line.
    const summary = /(\d+) records sent, ([\d.]+) records\/sec/.exec(
      out
        .split('\n')
        .filter((l) => l.includes('records sent'))
        .pop()!,
    );
    const seconds = RECORDS / Number(summary![2]);
    const dirs = await gw.gateway.services.storage.describeLogDirs!();
    const stored = dirs[0]!.partitions
      .filter((p) => p.topic === topic)
      .reduce((n, p) => n + Number(p.sizeBytes), 0);
    expect(stored).toBeGreaterThan(RECORDS * RECORD_SIZE);
    // Over the run the rate is held near the quota: the allowance at start (the windows not yet
    // elapsed) is paid back while the first window is still measured.
    const ratio = stored / seconds / QUOTA;
    console.log(
      `quota run: ${stored} bytes in ${seconds.toFixed(2)} s, rate/quota ratio ${ratio.toFixed(3)}`,
    );
    expect(ratio).toBeGreaterThan(TOLERANCE.low);
    expect(ratio).toBeLessThan(TOLERANCE.high);
    const throttleMax =
      /producer-metrics:produce-throttle-time-max:\{client-id=quota-producer\}\s*:\s*([\d.]+)/.exec(out);
    expect(throttleMax, out).not.toBeNull();
    expect(Number(throttleMax![1])).toBeGreaterThan(0);
  }, 240_000);
});

import type { ConsumerStats, ProducerStats } from './parse.js';
import type { PublisherReport } from './plain-publisher.js';

export interface AssignConsumerStats {
  records: number;
  bytes: number;
  elapsedMs: number;
  recordsPerSec: number;
  mbPerSec: number;
  timedOut: boolean;
}

export type Outcome<T> = T | { error: string };

export interface Report {
  target: string;
  backend: string;
  bootstrap: string;
  topic: string;
  records: number;
  recordSize: number;
  partitions: number;
  producerProps: Record<string, string>;
  producer: Outcome<ProducerStats>;
  consumer: Outcome<ConsumerStats> | { skipped: true };
  assignConsumer: Outcome<AssignConsumerStats> | { skipped: true };
  memory?: { peakRssKiB: number; hwmKiB: number | null };
  /** CPU seconds of the gateway (and the SeaweedMQ broker) during each step. */
  cpu?: Partial<Record<'produce' | 'consumeGroup' | 'consumeAssign', Record<string, number>>>;
  /** /proc/loadavg before and after the run: the machine is shared, so this says how quiet it was. */
  loadAvg: { before: string; after: string };
  kafkaToolsVersion: string;
  date: string;
}

export function failed(r: Report): boolean {
  const steps = [r.producer, r.consumer, r.assignConsumer];
  return steps.some((s) => 'error' in s || ('timedOut' in s && s.timedOut));
}

const f = (n: number, digits = 1): string => n.toFixed(digits);

export function printReport(r: Report): void {
  console.log(`\nkafka-gateway bench: ${r.target}`);
  console.log(
    `${r.records} records x ${r.recordSize} B, ${r.partitions} partitions, topic ${r.topic}, ` +
      `acks=${r.producerProps.acks} linger.ms=${r.producerProps['linger.ms']} batch.size=${r.producerProps['batch.size']} ` +
      `compression=${r.producerProps['compression.type']}`,
  );
  console.log(`load avg  before: ${r.loadAvg.before}  after: ${r.loadAvg.after}`);
  if ('error' in r.producer) {
    console.log(`produce   FAILED: ${r.producer.error}`);
  } else {
    const p = r.producer;
    const l = p.latencyMs;
    console.log(
      `produce   ${f(p.recordsPerSec, 0)} records/s  ${f(p.mbPerSec, 2)} MB/s  latency ms: ` +
        `avg ${f(l.avg)} p50 ${l.p50} p95 ${l.p95} p99 ${l.p99} p99.9 ${l.p999} max ${l.max}`,
    );
  }
  if ('skipped' in r.consumer) {
    console.log('consume   (group, ConsumerPerformance) skipped');
  } else if ('error' in r.consumer) {
    console.log(`consume   (group, ConsumerPerformance) FAILED: ${r.consumer.error}`);
  } else {
    const c = r.consumer;
    console.log(
      `consume   (group, ConsumerPerformance) ${f(c.recordsPerSec, 0)} records/s  ${f(c.mbPerSec, 2)} MB/s ` +
        `(fetch only: ${f(c.fetchRecordsPerSec, 0)} records/s, ${f(c.fetchMbPerSec, 2)} MB/s; rebalance ${c.rebalanceMs} ms)`,
    );
  }
  if ('skipped' in r.assignConsumer) {
    console.log('consume   (assign, harness) skipped');
  } else if ('error' in r.assignConsumer) {
    console.log(`consume   (assign, harness) FAILED: ${r.assignConsumer.error}`);
  } else {
    const a = r.assignConsumer;
    console.log(
      `consume   (assign, harness) ${f(a.recordsPerSec, 0)} records/s  ${f(a.mbPerSec, 2)} MB/s ` +
        `(${a.records} records in ${a.elapsedMs} ms${a.timedOut ? `; TIMED OUT before ${r.records}` : ''})`,
    );
  }
  const gb = (r.records * r.recordSize) / 1e9;
  for (const [step, spent] of Object.entries(r.cpu ?? {})) {
    const parts = Object.entries(spent).map(([who, s]) => `${who} ${f(s, 1)} s (${f(s / gb, 1)} s/GB)`);
    if (parts.length > 0) console.log(`cpu       ${step}: ${parts.join(', ')}`);
  }
  if (r.memory) {
    const mib = (k: number | null): string => (k === null ? 'n/a' : `${f(k / 1024)} MiB`);
    console.log(
      `memory    peak RSS ${mib(r.memory.peakRssKiB)} (sampled every 250 ms), VmHWM ${mib(r.memory.hwmKiB)}`,
    );
  }
}

/** Ours over SeaweedFS's gateway, for each figure both runs produced. */
export function printComparison(ours: Report, theirs: Report): void {
  const ratio = (a: number | undefined, b: number | undefined): string =>
    a === undefined || b === undefined || b <= 0 ? 'n/a' : `${f(a / b, 2)}x`;
  const produce = (r: Report): number | undefined =>
    'error' in r.producer ? undefined : r.producer.recordsPerSec;
  const fetch = (r: Report): number | undefined =>
    'error' in r.consumer || 'skipped' in r.consumer ? undefined : r.consumer.fetchMbPerSec;
  const assign = (r: Report): number | undefined =>
    'error' in r.assignConsumer || 'skipped' in r.assignConsumer ? undefined : r.assignConsumer.mbPerSec;
  console.log(`\nours / SeaweedFS gateway (same stack, same load)`);
  console.log(`produce records/s                    ${ratio(produce(ours), produce(theirs))}`);
  console.log(`consume group, fetch-only MB/s       ${ratio(fetch(ours), fetch(theirs))}`);
  console.log(`consume assign() MB/s                ${ratio(assign(ours), assign(theirs))}`);
}

/** Our produce against SeaweedMQ's own publish rate (bench/tools/smq-publisher) on the same stack. */
export function printPublisherComparison(ours: Report | undefined, publisher: PublisherReport): void {
  const gb = publisher.bytes / 1e9;
  console.log(`\nSeaweedMQ's own publish rate (Go smq-publisher, ${publisher.records} records, same stack)`);
  console.log(
    `publish   ${f(publisher.recordsPerSec, 0)} records/s  ${f(publisher.mbPerSec, 2)} MB/s; cpu ` +
      Object.entries(publisher.cpu)
        .map(([who, s]) => `${who} ${f(s, 1)} s (${f(s / gb, 1)} s/GB)`)
        .join(', '),
  );
  if (ours !== undefined && !('error' in ours.producer)) {
    console.log(
      `ours / plain publisher, records/s  ${f(ours.producer.recordsPerSec / publisher.recordsPerSec, 2)}x`,
    );
  }
}

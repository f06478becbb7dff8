/** Final line of org.apache.kafka.tools.ProducerPerformance (3.x): throughput and latency percentiles. */
export interface ProducerStats {
  records: number;
  recordsPerSec: number;
  mbPerSec: number;
  latencyMs: { avg: number; p50: number; p95: number; p99: number; p999: number; max: number };
}

/** Summary line of org.apache.kafka.tools.ConsumerPerformance (3.x), without --show-detailed-stats. */
export interface ConsumerStats {
  records: number;
  mb: number;
  mbPerSec: number;
  recordsPerSec: number;
  rebalanceMs: number;
  fetchMs: number;
  fetchMbPerSec: number;
  fetchRecordsPerSec: number;
}

const num = String.raw`(-?[\d.]+)`;

// "N records sent, X records/sec (Y MB/sec), A ms avg latency, M ms max latency, P ms 50th, P ms 95th,
//  P ms 99th, P ms 99.9th." — only the last line carries percentiles; earlier ones are progress.
const PRODUCER_FINAL = new RegExp(
  `${num} records sent, ${num} records/sec \\(${num} MB/sec\\), ${num} ms avg latency, ` +
    `${num} ms max latency, ${num} ms 50th, ${num} ms 95th, ${num} ms 99th, ${num} ms 99.9th`,
);

export function parseProducerPerformance(stdout: string): ProducerStats | null {
  const m = stdout
    .split('\n')
    .map((l) => PRODUCER_FINAL.exec(l))
    .filter((x) => x !== null)
    .pop();
  if (!m) {
    return null;
  }
  const n = m.slice(1).map(Number);
  const at = (i: number): number => n[i] ?? NaN;
  return {
    records: at(0),
    recordsPerSec: at(1),
    mbPerSec: at(2),
    latencyMs: { avg: at(3), max: at(4), p50: at(5), p95: at(6), p99: at(7), p999: at(8) },
  };
}

/** Finds the CSV header line and reads the data line after it by column name. */
export function parseConsumerPerformance(stdout: string): ConsumerStats | null {
  const lines = stdout.split('\n').map((l) => l.trim());
  const h = lines.findIndex((l) => l.startsWith('start.time'));
  const data = h >= 0 ? lines[h + 1] : undefined;
  if (h < 0 || !data) {
    return null;
  }
  const names = (lines[h] ?? '').split(',').map((s) => s.trim());
  const values = data.split(',').map((s) => s.trim());
  const col = (name: string): number => Number(values[names.indexOf(name)]);
  return {
    records: col('data.consumed.in.nMsg'),
    mb: col('data.consumed.in.MB'),
    mbPerSec: col('MB.sec'),
    recordsPerSec: col('nMsg.sec'),
    rebalanceMs: col('rebalance.time.ms'),
    fetchMs: col('fetch.time.ms'),
    fetchMbPerSec: col('fetch.MB.sec'),
    fetchRecordsPerSec: col('fetch.nMsg.sec'),
  };
}

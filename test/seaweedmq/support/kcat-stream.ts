/**
 * kcat (librdkafka) as a continuous idempotent acks=all producer to one partition: values are written
 * to its stdin as the test goes, and its delivery reports ("Message delivered to partition P (offset
 * O)", printed at verbosity 3) are collected. librdkafka reports deliveries of one partition in the
 * order the messages were produced, so the i-th report is the i-th value written.
 */
import { spawn } from 'node:child_process';

const DELIVERED = /% Message delivered to partition (\d+) \(offset (\d+)\)/;
const FAILED = /% Delivery failed for message: (.*)/;

export interface KcatDelivery {
  readonly value: string;
  readonly partition: number;
  readonly offset: number;
}

export interface KcatStream {
  /** Values acknowledged so far, with their offsets, in production order. */
  readonly delivered: KcatDelivery[];
  /** Values whose delivery failed (after librdkafka's own retries). */
  readonly failed: string[];
  /** The last lines kcat printed that were not delivery reports, to explain a failure. */
  log(): string;
  /** Writes `count` more values (`<prefix><n>`); kcat produces each as it reads it. */
  write(count: number): void;
  /** Closes stdin: kcat delivers what is queued and exits; resolves with its exit code. */
  end(timeoutMs: number): Promise<number | null>;
}

export function startKcatStream(o: {
  bootstrap: string;
  topic: string;
  partition: number;
  prefix: string;
}): KcatStream {
  const args = ['-P', '-b', o.bootstrap, '-t', o.topic, '-p', String(o.partition)];
  args.push('-X', 'acks=all', '-X', 'enable.idempotence=true', '-X', 'linger.ms=5');
  // librdkafka retries a retriable error until this bound; far above a broker restart.
  args.push('-X', 'message.timeout.ms=180000', '-v', '-v', '-v');
  const child = spawn('kcat', args, { stdio: ['pipe', 'ignore', 'pipe'] });
  const written: string[] = [];
  const delivered: KcatDelivery[] = [];
  const failed: string[] = [];
  let reports = 0;
  let partial = '';
  let other: string[] = [];
  child.stdin.on('error', () => undefined);
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const ok = DELIVERED.exec(line);
      if (ok !== null) {
        const value = written[reports++] ?? '?';
        delivered.push({ value, partition: Number(ok[1]), offset: Number(ok[2]) });
      } else if (FAILED.test(line)) {
        failed.push(written[reports++] ?? '?');
        other.push(line);
      } else {
        other.push(line);
      }
      if (other.length > 200) other = other.slice(-100);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    delivered,
    failed,
    log: () => other.join('\n'),
    write(count) {
      const lines: string[] = [];
      for (let i = 0; i < count; i++) lines.push(`${o.prefix}${written.length + i}`);
      written.push(...lines);
      child.stdin.write(`${lines.join('\n')}\n`);
    },
    async end(timeoutMs) {
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

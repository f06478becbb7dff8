/**
 * SeaweedMQ's own publish throughput on the bench's stack: bench/tools/smq-publisher (Go, SeaweedFS's
 * generated gRPC client, one PublishMessage stream per partition, messages written back to back) sends
 * the same number of records of the same size to a new topic of the same partition count.
 */
import { spawn } from 'node:child_process';
import { cpuMeter, cpuSeconds } from './cpu.js';
import { ROOT, runCaptured } from './proc.js';

export interface PublisherReport {
  records: number;
  bytes: number;
  recordsPerSec: number;
  mbPerSec: number;
  seconds: number;
  /** CPU seconds of the publisher and of the broker while it ran. */
  cpu: Record<string, number>;
}

export async function runPlainPublisher(o: {
  broker: string;
  brokerPid?: number;
  records: number;
  recordSize: number;
  partitions: number;
  namespace: string;
}): Promise<PublisherReport | { error: string }> {
  const built = await runCaptured('bash', ['scripts/seaweedfs/build-publisher.sh'], 15 * 60_000);
  const binary = built.stdout.trim().split('\n').pop() ?? '';
  if (built.code !== 0 || binary === '')
    return { error: `build-publisher.sh failed: ${built.stderr.trim()}` };
  const meter = cpuMeter(o.brokerPid === undefined ? {} : { broker: o.brokerPid });
  const args = ['-broker', o.broker, '-namespace', o.namespace, '-records', String(o.records)];
  args.push('-size', String(o.recordSize), '-partitions', String(o.partitions));
  const r = await new Promise<{ code: number | null; stdout: string; stderr: string; cpu: number }>(
    (resolve, reject) => {
      const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT });
      let stdout = '';
      let stderr = '';
      let cpu = 0;
      // Its own CPU time, sampled until it exits (a process's times vanish with it).
      const timer = setInterval(() => {
        cpu = (child.pid === undefined ? undefined : cpuSeconds(child.pid)) ?? cpu;
      }, 50);
      const limit = setTimeout(() => child.kill('SIGKILL'), 15 * 60_000);
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => {
        clearInterval(timer);
        clearTimeout(limit);
        resolve({ code, stdout, stderr, cpu });
      });
    },
  );
  if (r.code !== 0) return { error: `smq-publisher exited ${String(r.code)}: ${r.stderr.trim()}` };
  const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as {
    recordsPerS: number;
    mbPerS: number;
    seconds: number;
  };
  return {
    records: o.records,
    bytes: o.records * o.recordSize,
    recordsPerSec: out.recordsPerS,
    mbPerSec: out.mbPerS,
    seconds: out.seconds,
    cpu: { publisher: r.cpu, ...meter() },
  };
}

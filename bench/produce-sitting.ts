/**
 * One sitting of produce measurements (`npm run bench -- --sitting`): for each codec, several rounds
 * in which every target runs ProducerPerformance in turn, the order rotating each round so no target
 * always goes first on a machine whose load drifts. Ours and the baseline build start fresh for each
 * run; an external server (the reference Kafka) is used as it is. Reported per codec: the median
 * records/s of each target, the median of the per-round ratios, and the server's CPU-seconds per GB
 * produced (from /proc/<pid>/stat during the produce step).
 */
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';
import type { GatewayProcess } from './gateway-process.js';
import { ROOT } from './proc.js';
import type { Report } from './report.js';
import { runSequence, type Load } from './steps.js';

export interface SittingTarget {
  readonly name: string;
  /** Starts a fresh server for one run; absent for an external server. */
  readonly start?: () => Promise<GatewayProcess>;
  readonly bootstrap?: string;
  readonly pid?: number;
}

interface Run {
  codec: string;
  round: number;
  target: string;
  recordsPerSec: number | null;
  cpuSecondsPerGB: number | null;
  loadAvg: string;
}

export interface Sitting {
  machine: string;
  commit: string;
  command: string;
  date: string;
  runs: Run[];
  summary: Record<string, Record<string, number | null>>;
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function machine(): string {
  const model = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown CPU';
  return `${cpus().length} CPUs (${model}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

function commit(): string {
  const git = (...args: string[]): string =>
    execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  return `${git('rev-parse', '--short=12', 'HEAD')}${git('status', '--porcelain', '--untracked-files=no') ? ' (+ uncommitted changes)' : ''}`;
}

async function once(t: SittingTarget, load: Load, topic: string): Promise<Report> {
  if (t.start === undefined) {
    return runSequence(
      {
        name: t.name,
        backend: 'external',
        bootstrap: t.bootstrap!,
        topic,
        pid: t.pid,
        cpuPids: t.pid === undefined ? undefined : { server: t.pid },
      },
      load,
    );
  }
  const server = await t.start();
  try {
    return await runSequence(
      {
        name: t.name,
        backend: 'memory',
        bootstrap: server.bootstrap,
        topic,
        pid: server.pid,
        cpuPids: { server: server.pid },
      },
      load,
    );
  } finally {
    await server.stop();
  }
}

export async function runSitting(
  targets: readonly SittingTarget[],
  load: Load,
  codecs: readonly string[],
  rounds: number,
  runId: string,
): Promise<Sitting> {
  const runs: Run[] = [];
  const gb = (load.records * load.recordSize) / 1e9;
  for (const codec of codecs) {
    for (let round = 0; round < rounds; round++) {
      const order = targets.map((_, i) => targets[(i + round) % targets.length]!);
      for (const t of order) {
        const topic = `sit-${runId}-${codec}-${t.name.replace(/\W+/g, '')}-${round}`;
        const r = await once(t, { ...load, compression: codec, produceOnly: true }, topic);
        const ok = !('error' in r.producer);
        const cpu = r.cpu?.produce?.server;
        runs.push({
          codec,
          round,
          target: t.name,
          recordsPerSec: ok && !('error' in r.producer) ? r.producer.recordsPerSec : null,
          cpuSecondsPerGB: cpu === undefined ? null : cpu / gb,
          loadAvg: `${r.loadAvg.before} -> ${r.loadAvg.after}`,
        });
        console.error(`bench: sitting ${codec} round ${round} ${t.name}: ${JSON.stringify(runs.at(-1))}`);
      }
    }
  }
  return {
    machine: machine(),
    commit: commit(),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`,
    date: new Date().toISOString(),
    runs,
    summary: summarize(
      runs,
      targets.map((t) => t.name),
      codecs,
    ),
  };
}

function summarize(runs: Run[], names: string[], codecs: readonly string[]): Sitting['summary'] {
  const out: Sitting['summary'] = {};
  const [ours, ...others] = names;
  for (const codec of codecs) {
    const row: Record<string, number | null> = {};
    const of = (target: string, round?: number): Run[] =>
      runs.filter(
        (r) => r.codec === codec && r.target === target && (round === undefined || r.round === round),
      );
    for (const n of names) {
      row[`${n} records/s`] = median(
        of(n).flatMap((r) => (r.recordsPerSec === null ? [] : [r.recordsPerSec])),
      );
      row[`${n} CPU-s/GB`] = median(
        of(n).flatMap((r) => (r.cpuSecondsPerGB === null ? [] : [r.cpuSecondsPerGB])),
      );
    }
    for (const other of others) {
      const ratios: number[] = [];
      for (const mine of of(ours!)) {
        const theirs = of(other, mine.round)[0];
        if (mine.recordsPerSec !== null && theirs?.recordsPerSec)
          ratios.push(mine.recordsPerSec / theirs.recordsPerSec);
      }
      row[`${ours} / ${other}`] = median(ratios);
    }
    out[codec] = row;
  }
  return out;
}

export function printSitting(s: Sitting): void {
  console.log(`\nproduce sitting: ${s.machine}; commit ${s.commit}; ${s.date}\n${s.command}`);
  for (const [codec, row] of Object.entries(s.summary)) {
    const cells = Object.entries(row).map(
      ([k, v]) => `${k} ${v === null ? '-' : v >= 100 ? v.toFixed(0) : v.toFixed(2)}`,
    );
    console.log(`${codec.padEnd(7)} ${cells.join('  |  ')}`);
  }
  for (const r of s.runs)
    console.log(
      `  ${r.codec} #${r.round} ${r.target}: ${r.recordsPerSec ?? 'failed'} rec/s, load ${r.loadAvg}`,
    );
}

/**
 * The data directory's own files: the lock that keeps a second gateway out, the clean-shutdown
 * marker, and the recovery points (per partition, the offset below which everything is on disk).
 *
 *   <data-dir>/.lock                  pid (and, on Linux, start time) of the gateway using the directory
 *   <data-dir>/.clean-shutdown        written last by a clean stop, removed at start
 *   <data-dir>/recovery-points.json   {"<topicId>/<partition>": "<offset>"}, replaced atomically
 *   <data-dir>/meta/metadata.log      topics, committed offsets, key-value entries (meta-log.ts)
 *   <data-dir>/logs/<topicId>/<partition>/<base offset>.log|.index|.timeindex
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic, type LogFs } from './fs.js';

export const CLEAN_SHUTDOWN = '.clean-shutdown';
const LOCK = '.lock';
const RECOVERY_POINTS = 'recovery-points.json';

export function metaFile(dataDir: string): string {
  return path.join(dataDir, 'meta', 'metadata.log');
}

export function logsDir(dataDir: string): string {
  return path.join(dataDir, 'logs');
}

export function partitionDir(dataDir: string, topicId: string, partition: number): string {
  return path.join(dataDir, 'logs', topicId, String(partition));
}

/**
 * A process's start time in clock ticks since boot (field 22 of /proc/<pid>/stat), and whether it is
 * a zombie; undefined where /proc is not there (not Linux) or the process is gone.
 */
function procStat(pid: number): { startTicks: string; zombie: boolean } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: fields count from its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { zombie: fields[0] === 'Z', startTicks: fields[19] ?? '' };
  } catch {
    return undefined;
  }
}

/**
 * Whether the process that wrote a lock still runs. Where /proc is there, the start time written with
 * the pid tells a reused pid (a restarted container, another process) from the holder, and a killed
 * holder not yet reaped (a zombie) counts as gone.
 */
function holderAlive(pid: number, startTicks: string | undefined): boolean {
  const stat = procStat(pid);
  if (stat !== undefined) return !stat.zombie && (startTicks === undefined || stat.startTicks === startTicks);
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the directory for this process. A lock left by a process that is gone (killed) is taken
 * over; one held by a live process is refused, since two gateways on one directory corrupt it.
 * Synchronous on purpose: it runs once at start, before anything else touches the directory.
 */
export function lockDataDir(dataDir: string): () => void {
  const lock = path.join(dataDir, LOCK);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const start = procStat(process.pid)?.startTicks;
      writeFileSync(lock, `${process.pid}${start === undefined ? '' : ` ${start}`}\n`, { flag: 'wx' });
      return () => rmSync(lock, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const [pid, startTicks] = readFileSync(lock, 'utf8').trim().split(' ');
    const holder = Number(pid);
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && holderAlive(holder, startTicks)) {
      throw new Error(
        `data directory ${dataDir} is in use by process ${holder}; give this gateway its own --data-dir`,
      );
    }
    rmSync(lock, { force: true });
  }
  throw new Error(`cannot lock data directory ${dataDir}`);
}

export async function readRecoveryPoints(fs: LogFs, dataDir: string): Promise<Map<string, bigint>> {
  const raw = await fs.readFile(path.join(dataDir, RECOVERY_POINTS));
  const out = new Map<string, bigint>();
  if (raw === undefined) return out;
  try {
    for (const [k, v] of Object.entries(JSON.parse(raw.toString('utf8')) as Record<string, string>)) {
      out.set(k, BigInt(v));
    }
  } catch {
    // Unreadable: every partition is recovered from its first segment, which is slow but safe.
    out.clear();
  }
  return out;
}

export async function writeRecoveryPoints(
  fs: LogFs,
  dataDir: string,
  points: ReadonlyMap<string, bigint>,
): Promise<void> {
  const json = JSON.stringify(Object.fromEntries([...points].map(([k, v]) => [k, v.toString()])));
  await writeFileAtomic(fs, path.join(dataDir, RECOVERY_POINTS), Buffer.from(json));
}

import { readFileSync } from 'node:fs';

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks. */
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds a process has used so far; undefined once it is gone. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces, inside parentheses): state is field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** CPU seconds each named process spent between start() and the call of the returned function. */
export function cpuMeter(pids: Readonly<Record<string, number>>): () => Record<string, number> {
  const start = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
  return () => {
    const spent: Record<string, number> = {};
    for (const [name, pid] of Object.entries(pids)) {
      const a = start[name];
      const b = cpuSeconds(pid);
      if (a !== undefined && b !== undefined) spent[name] = Math.round((b - a) * 100) / 100;
    }
    return spent;
  };
}

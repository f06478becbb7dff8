import { checkResult, runProcess } from '../../support/clients/process.js';
import type { Ack, DataRecord, Driver, MetadataResult, ProduceOptions, ReadRecord } from '../types.js';

/** Record and key delimiters on kcat's stdin; the data set for kcat never contains these bytes. */
export const KCAT_AVOID_BYTES = [0x1e, 0x1f] as const;
const TIMEOUT_MS = 180_000;
const SIZES = ['-X', 'message.max.bytes=8388608', '-X', 'fetch.message.max.bytes=16777216'];

/**
 * One kcat -P run: kcat sets partition and headers per run, and -Z (empty means null) per run, so
 * consecutive records of one partition that agree on both go together.
 */
interface Run {
  partition: number;
  headers: DataRecord['headers'];
  nullEmpty: boolean;
  records: DataRecord[];
}

const sameHeaders = (a: DataRecord['headers'], b: DataRecord['headers']): boolean =>
  a.length === b.length &&
  a.every(
    ([k, v], i) => b[i]![0] === k && (v === null ? b[i]![1] === null : v.equals(b[i]![1] ?? Buffer.alloc(1))),
  );

/** null: the record can go in either mode; true needs -Z (a tombstone); false forbids it (empty bytes). */
function needsNullEmpty(r: DataRecord): boolean | null {
  if (r.value === null) return true;
  if ((r.key && r.key.length === 0) || r.value.length === 0) return false;
  return null;
}

export function kcatRuns(records: readonly DataRecord[]): Run[] {
  const runs: Run[] = [];
  const last = new Map<number, Run>();
  for (const r of records) {
    const need = needsNullEmpty(r);
    const run = last.get(r.partition);
    if (run && sameHeaders(run.headers, r.headers) && (need === null || need === run.nullEmpty)) {
      run.records.push(r);
      continue;
    }
    const fresh: Run = { partition: r.partition, headers: r.headers, nullEmpty: need ?? false, records: [r] };
    runs.push(fresh);
    last.set(r.partition, fresh);
  }
  return runs;
}

function stdin(records: readonly DataRecord[]): Buffer {
  const parts: Buffer[] = [];
  for (const r of records) {
    // No key delimiter gives a null key; with -Z an empty value becomes a tombstone.
    if (r.key !== null) parts.push(r.key, Buffer.of(0x1f));
    parts.push(r.value ?? Buffer.alloc(0), Buffer.of(0x1e));
  }
  return Buffer.concat(parts);
}

/** Per record: "partition offset timestamp keyLen valueLen\n", raw key and value, then headers and "\n". */
const FORMAT = '%p %o %T %K %S\\n%k%s%h\\n';

function parse(out: Buffer): ReadRecord[] {
  const records: ReadRecord[] = [];
  let pos = 0;
  const lineEnd = (from: number): number => {
    const nl = out.indexOf(0x0a, from);
    if (nl < 0) throw new Error(`kcat output truncated at byte ${from}`);
    return nl;
  };
  while (pos < out.length) {
    const metaEnd = lineEnd(pos);
    const f = out.subarray(pos, metaEnd).toString('latin1').split(' ').map(Number);
    if (f.length !== 5 || f.some((n) => !Number.isFinite(n)))
      throw new Error(`kcat output: bad line at byte ${pos}`);
    pos = metaEnd + 1;
    const take = (len: number): Buffer | null => {
      if (len < 0) return null;
      const b = Buffer.from(out.subarray(pos, pos + len));
      pos += len;
      return b;
    };
    const key = take(f[3]!);
    const value = take(f[4]!);
    const end = lineEnd(pos);
    const text = out.subarray(pos, end);
    pos = end + 1;
    const headers: DataRecord['headers'] = [];
    // kcat joins headers as name=value with ',' and prints a null value as NULL; our kcat data set
    // keeps ',' '=' and newlines out of header values so this stays unambiguous.
    if (text.length > 0) {
      for (const item of text.toString('latin1').split(',')) {
        const eq = item.indexOf('=');
        const raw = Buffer.from(item.slice(eq + 1), 'latin1');
        headers.push([item.slice(0, eq), item.slice(eq + 1) === 'NULL' ? null : raw]);
      }
    }
    records.push({ partition: f[0]!, offset: f[1]!, timestamp: f[2]!, key, value, headers });
  }
  return records;
}

export class KcatDriver implements Driver {
  async metadata(bootstrap: string): Promise<MetadataResult> {
    const r = checkResult(
      'kcat -L',
      await runProcess('kcat', ['-L', '-J', '-b', bootstrap], { timeoutMs: 60_000 }),
    );
    const md = JSON.parse(r.stdout.toString('utf8')) as {
      brokers: Array<{ id: number; name: string }>;
      topics: Array<{ topic: string; partitions: unknown[]; error?: string }>;
    };
    return {
      brokers: md.brokers.map((b) => {
        const at = b.name.lastIndexOf(':');
        return {
          id: b.id,
          host: b.name.slice(0, at).replace(/^\[|\]$/g, ''),
          port: Number(b.name.slice(at + 1)),
        };
      }),
      topics: Object.fromEntries(
        md.topics.filter((t) => !t.error).map((t) => [t.topic, t.partitions.length]),
      ),
    };
  }

  async produce(o: ProduceOptions): Promise<Ack[] | null> {
    for (const run of kcatRuns(o.records)) {
      const args = [
        '-P',
        '-q',
        '-b',
        o.bootstrap,
        '-t',
        o.topic,
        '-p',
        String(run.partition),
        '-D',
        '\\x1e',
        '-K',
        '\\x1f',
      ];
      args.push(
        '-X',
        'acks=all',
        '-X',
        `enable.idempotence=${o.idempotent}`,
        '-X',
        'message.timeout.ms=120000',
        ...SIZES,
      );
      if (o.codec !== 'none') args.push('-z', o.codec);
      if (run.nullEmpty) args.push('-Z');
      for (const [name, value] of run.headers)
        args.push('-H', value === null ? name : `${name}=${value.toString('utf8')}`);
      const res = await runProcess('kcat', args, { input: stdin(run.records), timeoutMs: TIMEOUT_MS });
      checkResult(`kcat -P ${o.topic}[${run.partition}]`, res);
    }
    return null;
  }

  async consume(bootstrap: string, topic: string): Promise<ReadRecord[]> {
    const args = ['-C', '-q', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e', '-f', FORMAT, ...SIZES];
    return parse(
      checkResult(`kcat -C ${topic}`, await runProcess('kcat', args, { timeoutMs: TIMEOUT_MS })).stdout,
    );
  }

  /** kcat -G stores each offset as it hands the record over and commits on exit: exactly `max`. */
  async groupConsume(bootstrap: string, topic: string, group: string, max: number): Promise<ReadRecord[]> {
    const args = ['-G', group, '-q', '-b', bootstrap, '-c', String(max), '-f', FORMAT, ...SIZES];
    args.push('-X', 'auto.offset.reset=earliest', topic);
    return parse(
      checkResult(`kcat -G ${group}`, await runProcess('kcat', args, { timeoutMs: TIMEOUT_MS })).stdout,
    );
  }
}

import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { unavailable, type Availability } from './availability.js';
import { checkResult, runProcess } from './process.js';
import type { KafkaRecord } from './records.js';
import type { Compression } from './java.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const installScript = path.join(root, 'scripts/clients/install-kcat.sh');

/** Record and key separators on kcat's stdin: ASCII RS and US, which our test data never contains. */
const RECORD_DELIMITER = 0x1e;
const KEY_DELIMITER = 0x1f;

export interface Kcat {
  version: string;
}

/** Finds kcat, installing it (scripts/clients/install-kcat.sh) when it is missing. */
export async function kcatClient(): Promise<Availability<Kcat>> {
  let probe = await runProcess('kcat', ['-V'], { timeoutMs: 30_000 }).catch(() => null);
  if (!probe || probe.code !== 0) {
    const install = await runProcess('bash', [installScript], { timeoutMs: 600_000 });
    if (install.code !== 0) {
      return unavailable(`kcat is not installed and install-kcat.sh failed: ${install.stderr.trim()}`);
    }
    probe = await runProcess('kcat', ['-V'], { timeoutMs: 30_000 });
  }
  const text = probe.stdout.toString('utf8');
  return { ok: true, client: { version: /Version (\S+)/.exec(text)?.[1] ?? 'unknown' } };
}

/**
 * One message on kcat's stdin. `key: undefined` sends no key delimiter, which kcat turns into a null
 * key. With nullEmpty (-Z) kcat sends an empty key or value as null instead of empty.
 */
export interface KcatInput {
  key?: Buffer;
  value: Buffer;
}

export interface KcatProduceOptions {
  bootstrap: string;
  topic: string;
  partition: number;
  compression: Compression;
  messages: readonly KcatInput[];
  /** Applied to every message of this invocation; null value = header with a null value. */
  headers?: ReadonlyArray<[string, string | null]>;
  nullEmpty?: boolean;
}

/** Produces with acks=all and idempotence; kcat exits non-zero if any delivery fails. */
export async function kcatProduce(o: KcatProduceOptions): Promise<void> {
  const args = ['-P', '-q', '-b', o.bootstrap, '-t', o.topic, '-p', String(o.partition)];
  args.push('-D', '\\x1e', '-K', '\\x1f');
  args.push('-X', 'acks=all', '-X', 'enable.idempotence=true');
  // Room for the ~1 MiB record, and a delivery bound well under the test timeout (default is 5 min).
  args.push('-X', 'message.max.bytes=4000000', '-X', 'message.timeout.ms=60000', '-m', '30');
  if (o.compression !== 'none') {
    args.push('-z', o.compression);
  }
  if (o.nullEmpty) {
    args.push('-Z');
  }
  for (const [name, value] of o.headers ?? []) {
    args.push('-H', value === null ? name : `${name}=${value}`);
  }
  const result = await runProcess('kcat', args, { input: encodeInput(o.messages), timeoutMs: 120_000 });
  checkResult(`kcat produce ${o.topic}[${o.partition}]`, result);
}

/** What a broker should store for one KcatInput, following kcat's rules for -K and -Z. */
export function expectedFromInput(
  m: KcatInput,
  nullEmpty: boolean,
): { key: Buffer | null; value: Buffer | null } {
  if (m.key === undefined) {
    return { key: null, value: m.value };
  }
  return {
    key: nullEmpty && m.key.length === 0 ? null : m.key,
    value: nullEmpty && m.value.length === 0 ? null : m.value,
  };
}

function encodeInput(messages: readonly KcatInput[]): Buffer {
  const parts: Buffer[] = [];
  for (const m of messages) {
    for (const b of m.key ? [m.key, m.value] : [m.value]) {
      if (b.includes(RECORD_DELIMITER) || b.includes(KEY_DELIMITER)) {
        throw new Error('kcat input must not contain bytes 0x1e or 0x1f');
      }
    }
    if (m.key === undefined && m.value.length === 0) {
      throw new Error('kcat drops empty input lines; give the message a key delimiter');
    }
    if (m.key !== undefined) {
      parts.push(m.key, Buffer.of(KEY_DELIMITER));
    }
    parts.push(m.value, Buffer.of(RECORD_DELIMITER));
  }
  return Buffer.concat(parts);
}

/**
 * Per record: a text line "partition offset timestamp keyLength valueLength", then the raw key and
 * value bytes (lengths are -1 for null), then kcat's header list up to the newline. Lengths make the
 * binary part unambiguous; headers are "name=value" joined by commas with a null value printed as NULL.
 */
const FORMAT = '%p %o %T %K %S\\n%k%s%h\\n';

export interface KcatConsumeOptions {
  bootstrap: string;
  topic: string;
  /** Also run kcat -J to learn each record's timestamp type (the -f format cannot print it). */
  withTimestampType?: boolean;
}

/** Reads all partitions from the beginning and exits at the end of each (-o beginning -e). */
export async function kcatConsume(o: KcatConsumeOptions): Promise<KafkaRecord[]> {
  const base = ['-C', '-q', '-b', o.bootstrap, '-t', o.topic, '-o', 'beginning', '-e', '-m', '30'];
  // Room for the ~1 MiB record in one fetch.
  base.push('-X', 'fetch.message.max.bytes=4000000');
  const result = await runProcess('kcat', [...base, '-f', FORMAT], { timeoutMs: 120_000 });
  const records = parseFormatted(checkResult(`kcat consume ${o.topic}`, result).stdout);
  if (o.withTimestampType) {
    const json = await runProcess('kcat', [...base, '-J'], { timeoutMs: 120_000 });
    const types = new Map<string, KafkaRecord['timestampType']>();
    for (const line of checkResult(`kcat consume -J ${o.topic}`, json).stdout.toString('utf8').split('\n')) {
      if (line.trim() !== '') {
        const r = JSON.parse(line) as { partition: number; offset: number; tstype?: string };
        types.set(`${r.partition}@${r.offset}`, r.tstype === 'logappend' ? 'LogAppendTime' : 'CreateTime');
      }
    }
    for (const r of records) {
      const t = types.get(`${r.partition}@${r.offset}`);
      if (t) {
        r.timestampType = t;
      }
    }
  }
  return records;
}

function parseFormatted(out: Buffer): KafkaRecord[] {
  const records: KafkaRecord[] = [];
  let pos = 0;
  const lineEnd = (from: number): number => {
    const nl = out.indexOf(0x0a, from);
    if (nl < 0) {
      throw new Error(`kcat output truncated at byte ${from}`);
    }
    return nl;
  };
  while (pos < out.length) {
    const metaEnd = lineEnd(pos);
    const fields = out.subarray(pos, metaEnd).toString('latin1').split(' ').map(Number);
    const [partition, offset, timestamp, keyLen, valueLen] = fields;
    if (fields.length !== 5 || fields.some((n) => !Number.isFinite(n))) {
      throw new Error(`kcat output: bad record line at byte ${pos}`);
    }
    pos = metaEnd + 1;
    const take = (len: number): Buffer | null => {
      if (len < 0) {
        return null;
      }
      const b = Buffer.from(out.subarray(pos, pos + len));
      pos += len;
      return b;
    };
    const key = take(keyLen as number);
    const value = take(valueLen as number);
    const headersEnd = lineEnd(pos);
    const headers = parseHeaders(out.subarray(pos, headersEnd));
    pos = headersEnd + 1;
    records.push({
      partition: partition as number,
      offset: offset as number,
      timestamp: timestamp as number,
      key,
      value,
      headers,
    });
  }
  return records;
}

function parseHeaders(text: Buffer): KafkaRecord['headers'] {
  const headers: KafkaRecord['headers'] = [];
  if (text.length === 0) {
    return headers;
  }
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf(0x2c, start);
    if (end < 0) {
      end = text.length;
    }
    const item = text.subarray(start, end);
    const eq = item.indexOf(0x3d);
    const name = item.subarray(0, eq).toString('utf8');
    const value = item.subarray(eq + 1);
    headers.push([name, value.toString('latin1') === 'NULL' ? null : Buffer.from(value)]);
    start = end + 1;
  }
  return headers;
}

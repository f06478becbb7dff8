import type { Ack, DataRecord, ReadProfile, ReadRecord, WriteProfile } from './types.js';

export interface CompareOptions {
  write: WriteProfile;
  read: ReadProfile;
  partitions: number;
  /** When the client stamps its own times: the produce call's start and end (ms). */
  window: [number, number];
  acks: readonly Ack[] | null;
}

const MAX_PROBLEMS = 12;

/**
 * Every difference between what a client sent (in send order) and what it read back: per partition,
 * offsets 0..n-1 in send order, each key, value, header list and timestamp byte for byte, within what
 * the client's read profile can report. Records with no predictable partition (-1) are matched by
 * content anywhere. An empty list means equal.
 */
export function compareRoundtrip(
  sent: readonly DataRecord[],
  read: readonly ReadRecord[],
  o: CompareOptions,
): string[] {
  const problems: string[] = [];
  const add = (s: string): void => {
    if (problems.length < MAX_PROBLEMS) problems.push(s);
    else if (problems.length === MAX_PROBLEMS) problems.push('… more differences not shown');
  };
  if (read.length !== sent.length) add(`count: sent ${sent.length}, read ${read.length}`);

  const actual = new Map<number, ReadRecord[]>();
  for (const r of read) {
    if (r.partition < 0 || r.partition >= o.partitions) add(`record in unknown partition ${r.partition}`);
    const list = actual.get(r.partition) ?? [];
    list.push(r);
    actual.set(r.partition, list);
  }
  for (const [p, list] of actual) {
    list.sort((a, b) => a.offset - b.offset);
    list.forEach((r, i) => {
      if (r.offset !== i)
        add(`partition ${p}: offset ${r.offset} at position ${i} (want 0..n-1, no gaps or repeats)`);
    });
  }

  const expected = new Map<number, Array<{ r: DataRecord; index: number }>>();
  sent.forEach((r, index) => {
    if (r.partition < 0) return;
    const list = expected.get(r.partition) ?? [];
    list.push({ r, index });
    expected.set(r.partition, list);
  });
  // Records whose partition nobody can predict: find each by content and take it out of the sequence.
  sent.forEach((r, index) => {
    if (r.partition >= 0) return;
    for (const list of actual.values()) {
      const at = list.findIndex(
        (a) => sameBytes(a.key, r.key, o.read) && sameBytes(a.value, r.value, o.read),
      );
      if (at >= 0) {
        recordProblems(`record ${index}`, r, list[at]!, o).forEach(add);
        list.splice(at, 1);
        return;
      }
    }
    add(`record ${index} (partition chosen by the client): not found`);
  });

  for (let p = 0; p < o.partitions; p++) {
    const want = expected.get(p) ?? [];
    const got = actual.get(p) ?? [];
    if (want.length !== got.length) add(`partition ${p}: sent ${want.length}, read ${got.length}`);
    for (let i = 0; i < Math.min(want.length, got.length); i++) {
      const w = want[i]!;
      recordProblems(`record ${w.index} (${p}@${got[i]!.offset})`, w.r, got[i]!, o).forEach(add);
    }
  }

  if (o.acks) {
    if (o.acks.length !== sent.length) add(`acks: ${o.acks.length} for ${sent.length} records`);
    const next = new Map<number, number>();
    sent.forEach((r, i) => {
      const ack = o.acks![i];
      if (!ack || r.partition < 0) return;
      const want = next.get(r.partition) ?? 0;
      next.set(r.partition, want + 1);
      if (ack.offset < 0) return;
      if (ack.partition !== r.partition || ack.offset !== want) {
        add(`record ${i}: acknowledged at ${ack.partition}@${ack.offset}, expected ${r.partition}@${want}`);
      }
    });
  }
  return problems;
}

/** A record as sent, with the partition and offset the log must hold it at. */
export interface Placed {
  r: DataRecord;
  /** Index in the data set, for messages. */
  index: number;
  partition: number;
  offset: number;
}

/**
 * Every difference between the records a reader should see (at known partitions and offsets, which
 * need not be contiguous: transaction markers take offsets too) and what it read: the same records,
 * byte for byte, each partition in offset order as delivered, nothing more.
 */
export function comparePlaced(
  want: readonly Placed[],
  read: readonly ReadRecord[],
  o: Omit<CompareOptions, 'acks'>,
): string[] {
  const problems: string[] = [];
  const add = (s: string): void => {
    if (problems.length < MAX_PROBLEMS) problems.push(s);
    else if (problems.length === MAX_PROBLEMS) problems.push('… more differences not shown');
  };
  if (read.length !== want.length) add(`count: want ${want.length}, read ${read.length}`);
  for (let p = 0; p < o.partitions; p++) {
    const w = want.filter((x) => x.partition === p).sort((a, b) => a.offset - b.offset);
    const got = read.filter((x) => x.partition === p);
    const offsets = got.map((x) => x.offset);
    if (offsets.some((x, i) => i > 0 && x <= offsets[i - 1]!))
      add(`partition ${p}: delivered out of offset order or twice: ${offsets.join(',')}`);
    if (w.length !== got.length)
      add(
        `partition ${p}: want ${w.length} records at ${w.map((x) => x.offset).join(',')}, read ${got.length} at ${offsets.join(',')}`,
      );
    for (let i = 0; i < Math.min(w.length, got.length); i++) {
      const x = w[i]!;
      const g = got[i]!;
      if (g.offset !== x.offset)
        add(`partition ${p}: record ${x.index} is at offset ${x.offset}, read ${g.offset}`);
      recordProblems(`record ${x.index} (${p}@${g.offset})`, x.r, g, { ...o, acks: null }).forEach(add);
    }
  }
  const stray = read.filter((x) => x.partition < 0 || x.partition >= o.partitions);
  if (stray.length > 0) add(`${stray.length} records in unknown partitions`);
  return problems;
}

function recordProblems(what: string, want: DataRecord, got: ReadRecord, o: CompareOptions): string[] {
  const out: string[] = [];
  if (!sameBytes(want.key, got.key, o.read))
    out.push(`${what} key: sent ${show(want.key)}, read ${show(got.key)}`);
  if (!sameBytes(want.value, got.value, o.read)) {
    out.push(
      `${what} value: sent ${show(want.value)}, read ${show(got.value)}${firstDifference(want.value, got.value)}`,
    );
  }
  if (!sameHeaders(want.headers, got.headers, o.read)) {
    out.push(`${what} headers: sent ${showHeaders(want.headers)}, read ${showHeaders(got.headers)}`);
  }
  if (want.timestamp >= 0) {
    if (got.timestamp !== want.timestamp)
      out.push(`${what} timestamp: sent ${want.timestamp}, read ${got.timestamp}`);
  } else if (got.timestamp < o.window[0] - 1000 || got.timestamp > o.window[1] + 1000) {
    out.push(`${what} timestamp ${got.timestamp} outside the produce window ${o.window[0]}..${o.window[1]}`);
  }
  return out;
}

export function sameBytes(a: Buffer | null, b: Buffer | null, read: ReadProfile): boolean {
  if (read.nullIsEmpty && (a === null || a.length === 0) && (b === null || b.length === 0)) return true;
  return a === null || b === null ? a === b : a.equals(b);
}

function sameHeaders(a: DataRecord['headers'], b: DataRecord['headers'], read: ReadProfile): boolean {
  const norm = (h: DataRecord['headers']): DataRecord['headers'] =>
    read.headerOrder ? h : [...h].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  const x = norm(a);
  const y = norm(b);
  return x.length === y.length && x.every(([k, v], i) => y[i]![0] === k && sameBytes(v, y[i]![1], read));
}

function firstDifference(a: Buffer | null, b: Buffer | null): string {
  if (a === null || b === null) return '';
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return ` (first difference at byte ${i})`;
  return '';
}

export function show(b: Buffer | null): string {
  if (b === null) return 'null';
  const hex = b.subarray(0, 12).toString('hex');
  return `${b.length}B<${hex}${b.length > 12 ? '…' : ''}>`;
}

function showHeaders(h: DataRecord['headers']): string {
  return `[${h.map(([k, v]) => `${k}=${show(v)}`).join(' ')}]`;
}

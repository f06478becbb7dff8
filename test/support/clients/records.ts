/** A record as read back by any client, normalised so records from different clients compare directly. */
export interface KafkaRecord {
  partition: number;
  offset: number;
  timestamp: number;
  timestampType?: 'CreateTime' | 'LogAppendTime';
  key: Buffer | null;
  value: Buffer | null;
  headers: Array<[string, Buffer | null]>;
}

export function sortRecords(records: readonly KafkaRecord[]): KafkaRecord[] {
  return [...records].sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

export interface DiffOptions {
  /** Compare timestamps exactly (false when the expected side does not know them). */
  timestamps: boolean;
  /** Compare timestamp types when both sides have one. */
  timestampTypes?: boolean;
}

/**
 * Lists every difference between two record sets, matched by (partition, offset). An empty list means
 * byte-for-byte equal keys, values and headers, including null versus empty.
 */
export function diffRecords(
  expected: readonly KafkaRecord[],
  actual: readonly KafkaRecord[],
  options: DiffOptions,
): string[] {
  const problems: string[] = [];
  const byPosition = new Map<string, KafkaRecord>();
  for (const r of actual) {
    const at = `${r.partition}@${r.offset}`;
    if (byPosition.has(at)) {
      problems.push(`${at}: delivered twice`);
    }
    byPosition.set(at, r);
  }
  if (expected.length !== actual.length) {
    problems.push(`count: expected ${expected.length}, got ${actual.length}`);
  }
  for (const e of sortRecords(expected)) {
    const at = `${e.partition}@${e.offset}`;
    const a = byPosition.get(at);
    if (!a) {
      problems.push(`${at}: missing`);
      continue;
    }
    byPosition.delete(at);
    if (!sameBytes(e.key, a.key)) {
      problems.push(`${at} key: expected ${show(e.key)}, got ${show(a.key)}`);
    }
    if (!sameBytes(e.value, a.value)) {
      problems.push(`${at} value: expected ${show(e.value)}, got ${show(a.value)}`);
    }
    if (!sameHeaders(e.headers, a.headers)) {
      problems.push(`${at} headers: expected ${showHeaders(e.headers)}, got ${showHeaders(a.headers)}`);
    }
    if (options.timestamps && e.timestamp !== a.timestamp) {
      problems.push(`${at} timestamp: expected ${e.timestamp}, got ${a.timestamp}`);
    }
    if (options.timestampTypes && e.timestampType && a.timestampType && e.timestampType !== a.timestampType) {
      problems.push(`${at} timestampType: expected ${e.timestampType}, got ${a.timestampType}`);
    }
  }
  for (const at of byPosition.keys()) {
    problems.push(`${at}: unexpected record`);
  }
  return problems;
}

/** Offsets within each partition must be 0..n-1 in order on a fresh topic. */
export function offsetGaps(records: readonly KafkaRecord[]): string[] {
  const next = new Map<number, number>();
  const problems: string[] = [];
  for (const r of sortRecords(records)) {
    const want = next.get(r.partition) ?? 0;
    if (r.offset !== want) {
      problems.push(`partition ${r.partition}: expected offset ${want}, got ${r.offset}`);
    }
    next.set(r.partition, r.offset + 1);
  }
  return problems;
}

function sameBytes(a: Buffer | null, b: Buffer | null): boolean {
  return a === null || b === null ? a === b : a.equals(b);
}

function sameHeaders(a: KafkaRecord['headers'], b: KafkaRecord['headers']): boolean {
  return a.length === b.length && a.every(([k, v], i) => b[i]?.[0] === k && sameBytes(v, b[i]?.[1] ?? null));
}

function show(b: Buffer | null): string {
  if (b === null) {
    return 'null';
  }
  const hex = b.subarray(0, 16).toString('hex');
  return `${b.length} bytes <${hex}${b.length > 16 ? '…' : ''}>`;
}

function showHeaders(h: KafkaRecord['headers']): string {
  return `[${h.map(([k, v]) => `${k}=${show(v)}`).join(', ')}]`;
}

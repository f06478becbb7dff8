import { checkResult } from '../clients/process.js';
import type { JavaHarness } from '../clients/java.js';

/** What the Java harness's txn-produce reports: each transaction with the records it sent. */
export interface TxnRun {
  transactions: {
    label: string;
    outcome: 'c' | 'a' | 'o';
    records: { partition: number; offset: number; value: string }[];
  }[];
}

export async function javaTxnProduce(
  java: JavaHarness,
  o: {
    bootstrap: string;
    topic: string;
    partitions: number;
    transactionalId: string;
    plan: string;
    timeoutMs?: number;
  },
): Promise<TxnRun> {
  const args = [
    'txn-produce',
    '--bootstrap',
    o.bootstrap,
    '--topic',
    o.topic,
    '--partitions',
    String(o.partitions),
  ];
  args.push('--transactional-id', o.transactionalId, '--plan', o.plan);
  if (o.timeoutMs !== undefined) args.push('--transaction-timeout-ms', String(o.timeoutMs));
  const result = checkResult(`java txn-produce ${o.topic}`, await java.run(args));
  return JSON.parse(result.stdout.toString('utf8')) as TxnRun;
}

export async function javaTxnScenario<T>(java: JavaHarness, command: string, args: string[]): Promise<T> {
  const result = checkResult(`java ${command}`, await java.run([command, ...args]));
  return JSON.parse(result.stdout.toString('utf8')) as T;
}

export interface ReadRecord {
  readonly key: Buffer | null;
  readonly value: Buffer;
}

/** Records read from every partition from the beginning with the given isolation level. */
export async function javaReadRecords(
  java: JavaHarness,
  o: { bootstrap: string; topic: string; isolation: 'read_committed' | 'read_uncommitted' },
): Promise<ReadRecord[]> {
  const args = ['consume', '--bootstrap', o.bootstrap, '--topic', o.topic, '--isolation-level', o.isolation];
  const result = checkResult(`java consume ${o.topic}`, await java.run(args));
  const records: ReadRecord[] = [];
  for (const line of result.stdout.toString('utf8').split('\n')) {
    if (line.trim() === '') continue;
    const parsed = JSON.parse(line) as { key?: string | null; value?: string | null; summary?: boolean };
    if (parsed.summary === true) continue;
    records.push({
      key: parsed.key == null ? null : Buffer.from(parsed.key, 'base64'),
      value: Buffer.from(parsed.value ?? '', 'base64'),
    });
  }
  return records;
}

/** Values (as text) read from every partition from the beginning with the given isolation level. */
export async function javaReadValues(
  java: JavaHarness,
  o: { bootstrap: string; topic: string; isolation: 'read_committed' | 'read_uncommitted' },
): Promise<string[]> {
  return (await javaReadRecords(java, o)).map((r) => r.value.toString('utf8'));
}

export function valuesOf(run: TxnRun, outcomes: readonly string[]): string[] {
  return run.transactions
    .filter((t) => outcomes.includes(t.outcome))
    .flatMap((t) => t.records.map((r) => r.value));
}

import { checkResult, runProcess, type ProcessResult } from '../../support/clients/process.js';
import type {
  Ack,
  Driver,
  GroupDescription,
  Isolation,
  MetadataResult,
  ProduceOptions,
  ReadRecord,
  TxnProduceOptions,
  TxnTransformOptions,
} from '../types.js';

/** Per-operation bound: generous, since a cold JVM on a busy 2-core machine is slow to start. */
const OP_TIMEOUT_MS = 240_000;
const DRIVER_TIMEOUT_MS = '180000';

export interface ContractProgram {
  command: string;
  args: readonly string[];
  env?: NodeJS.ProcessEnv;
  /** The produce command's name when it is not "produce" (the Java harness has its own). */
  produceCommand?: string;
  /** The txn-produce command's name when it is not "txn-produce". */
  txnProduceCommand?: string;
  /** The consume flags that set an isolation level (default: --isolation LEVEL). */
  isolationArgs?: (level: Isolation) => string[];
}

interface JsonRecord {
  partition: number;
  offset: number;
  timestamp: number;
  key: string | null;
  value: string | null;
  headers: Array<[string, string | null]>;
}

const bytes = (s: string | null): Buffer | null => (s === null ? null : Buffer.from(s, 'base64'));

export function parseRecordLines(stdout: Buffer): ReadRecord[] {
  const out: ReadRecord[] = [];
  for (const line of stdout.toString('utf8').split('\n')) {
    if (line.trim() === '') continue;
    const j = JSON.parse(line) as JsonRecord | { summary: true };
    if ('summary' in j) continue;
    out.push({
      partition: j.partition,
      offset: j.offset,
      timestamp: j.timestamp,
      key: bytes(j.key),
      value: bytes(j.value),
      headers: j.headers.map(([k, v]) => [k, bytes(v)]),
    });
  }
  return out;
}

function lastJson<T>(r: ProcessResult): T {
  const lines = r.stdout.toString('utf8').trim().split('\n');
  return JSON.parse(lines[lines.length - 1] ?? '') as T;
}

/**
 * A client driven through a program that speaks the test/compat driver contract (README.md): the
 * Python, Go and Java drivers. Exit 4 means the program gave up waiting for records.
 */
export class ContractDriver implements Driver {
  constructor(private readonly program: ContractProgram) {}

  private async run(what: string, args: readonly string[]): Promise<ProcessResult> {
    const result = await runProcess(
      this.program.command,
      [...this.program.args, ...args, '--timeout-ms', DRIVER_TIMEOUT_MS],
      {
        timeoutMs: OP_TIMEOUT_MS,
        env: { ...process.env, ...this.program.env },
      },
    );
    if (result.code === 4) {
      throw new Error(
        `${what}: gave up waiting (read ${parseRecordLines(result.stdout).length} records)\n${result.stderr.slice(-2000)}`,
      );
    }
    return checkResult(what, result);
  }

  async metadata(bootstrap: string): Promise<MetadataResult> {
    return lastJson<MetadataResult>(await this.run('metadata', ['metadata', '--bootstrap', bootstrap]));
  }

  async createTopic(
    bootstrap: string,
    topic: string,
    partitions: number,
    configs: Record<string, string>,
  ): Promise<void> {
    const args = [
      'create-topic',
      '--bootstrap',
      bootstrap,
      '--topic',
      topic,
      '--partitions',
      String(partitions),
    ];
    for (const [k, v] of Object.entries(configs)) args.push('--config', `${k}=${v}`);
    await this.run('create-topic', args);
  }

  async deleteTopic(bootstrap: string, topic: string): Promise<void> {
    await this.run('delete-topic', ['delete-topic', '--bootstrap', bootstrap, '--topic', topic]);
  }

  async produce(o: ProduceOptions): Promise<Ack[]> {
    const args = [this.program.produceCommand ?? 'produce', '--bootstrap', o.bootstrap, '--topic', o.topic];
    args.push('--input', o.file, '--compression', o.codec, '--idempotent', String(o.idempotent));
    const res = lastJson<{ acks: Array<[number, number]> }>(await this.run(`produce ${o.codec}`, args));
    return res.acks.map(([partition, offset]) => ({ partition, offset }));
  }

  async consume(
    bootstrap: string,
    topic: string,
    partitions: number,
    expect: number,
    isolation?: Isolation,
  ): Promise<ReadRecord[]> {
    const args = ['consume', '--bootstrap', bootstrap, '--topic', topic];
    args.push('--partitions', String(partitions), '--expect', String(expect));
    if (isolation) args.push(...(this.program.isolationArgs?.(isolation) ?? ['--isolation', isolation]));
    return parseRecordLines((await this.run(isolation ? `consume ${isolation}` : 'consume', args)).stdout);
  }

  async txnProduce(o: TxnProduceOptions): Promise<Ack[]> {
    const plan = o.plan.map((t) => `${t.outcome === 'commit' ? 'c' : 'a'}${t.count}`).join(',');
    const args = [this.program.txnProduceCommand ?? 'txn-produce', '--bootstrap', o.bootstrap];
    args.push('--topic', o.topic, '--input', o.file, '--transactional-id', o.transactionalId, '--plan', plan);
    const res = lastJson<{ acks: Array<[number, number]> }>(await this.run(`txn-produce ${plan}`, args));
    return res.acks.map(([partition, offset]) => ({ partition, offset }));
  }

  async txnTransform(o: TxnTransformOptions): Promise<ReadRecord[]> {
    const args = ['txn-transform', '--bootstrap', o.bootstrap, '--input-topic', o.inputTopic];
    args.push('--output-topic', o.outputTopic, '--group', o.group, '--transactional-id', o.transactionalId);
    args.push('--max', String(o.max), '--tag', o.tag, '--outcome', o.outcome);
    return parseRecordLines((await this.run(`txn-transform ${o.outcome}`, args)).stdout);
  }

  async groupConsume(bootstrap: string, topic: string, group: string, max: number): Promise<ReadRecord[]> {
    const args = [
      'group-consume',
      '--bootstrap',
      bootstrap,
      '--topic',
      topic,
      '--group',
      group,
      '--max',
      String(max),
    ];
    return parseRecordLines((await this.run('group-consume', args)).stdout);
  }

  async describeGroup(bootstrap: string, topic: string, group: string): Promise<GroupDescription> {
    const args = ['describe-group', '--bootstrap', bootstrap, '--topic', topic, '--group', group];
    return lastJson<GroupDescription>(await this.run('describe-group', args));
  }
}

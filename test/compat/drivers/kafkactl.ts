import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { checkResult, runProcess, type ProcessResult } from '../../support/clients/process.js';
import type { Ack, Driver, GroupDescription, MetadataResult, ProduceOptions, ReadRecord } from '../types.js';

const TIMEOUT_MS = 180_000;

interface KafkactlMessage {
  Partition: number;
  Offset: number;
  Headers?: Record<string, string>;
  Key?: string | null;
  Value: string | null;
  Timestamp?: string;
}

/** kafkactl -o json prints one indented object per message, back to back. */
function parseMessages(out: string): KafkactlMessage[] {
  const text = out.trim();
  if (text === '') return [];
  return JSON.parse(`[${text.replace(/\}\s*\n\{/g, '},{')}]`) as KafkactlMessage[];
}

function toRecord(m: KafkactlMessage): ReadRecord {
  const b64 = (s: string | null | undefined): Buffer | null =>
    s === null || s === undefined ? null : Buffer.from(s, 'base64');
  return {
    partition: m.Partition,
    offset: m.Offset,
    timestamp: m.Timestamp ? Date.parse(m.Timestamp) : -1,
    key: b64(m.Key),
    value: b64(m.Value),
    headers: Object.entries(m.Headers ?? {}).map(([k, v]) => [k, Buffer.from(v, 'utf8')]),
  };
}

/** kafkactl (a CLI over Sarama), configured through a context file per bootstrap address. */
export class KafkactlDriver implements Driver {
  private readonly configs = new Map<string, string>();

  constructor(
    private readonly bin: string,
    private readonly workDir: string,
  ) {}

  private config(bootstrap: string): string {
    let file = this.configs.get(bootstrap);
    if (!file) {
      const dir = path.join(this.workDir, 'kafkactl');
      mkdirSync(dir, { recursive: true });
      file = path.join(dir, `config-${this.configs.size}.yml`);
      writeFileSync(
        file,
        `contexts:\n  default:\n    brokers:\n      - "${bootstrap}"\ncurrent-context: default\n`,
      );
      this.configs.set(bootstrap, file);
    }
    return file;
  }

  private async run(
    what: string,
    bootstrap: string,
    args: readonly string[],
    input?: Buffer,
  ): Promise<ProcessResult> {
    const r = await runProcess(this.bin, ['-C', this.config(bootstrap), ...args], {
      timeoutMs: TIMEOUT_MS,
      input,
    });
    return checkResult(`kafkactl ${what}`, r);
  }

  async metadata(bootstrap: string): Promise<MetadataResult> {
    const topics: Record<string, number> = {};
    const table = (await this.run('get topics', bootstrap, ['get', 'topics'])).stdout.toString('utf8');
    for (const line of table.split('\n').slice(1)) {
      const [name, partitions] = line.trim().split(/\s+/);
      if (name && partitions) topics[name] = Number(partitions);
    }
    const brokers: MetadataResult['brokers'] = [];
    const list = (await this.run('get brokers', bootstrap, ['get', 'brokers'])).stdout.toString('utf8');
    for (const line of list.split('\n').slice(1)) {
      const [id, address] = line.trim().split(/\s+/);
      if (!id || !address) continue;
      const at = address.lastIndexOf(':');
      brokers.push({
        id: Number(id),
        host: address.slice(0, at).replace(/^\[|\]$/g, ''),
        port: Number(address.slice(at + 1)),
      });
    }
    return { brokers, topics };
  }

  async createTopic(
    bootstrap: string,
    topic: string,
    partitions: number,
    configs: Record<string, string>,
  ): Promise<void> {
    const args = ['create', 'topic', topic, '--partitions', String(partitions), '--replication-factor', '1'];
    for (const [k, v] of Object.entries(configs)) args.push('--config', `${k}=${v}`);
    await this.run('create topic', bootstrap, args);
  }

  async deleteTopic(bootstrap: string, topic: string): Promise<void> {
    await this.run('delete topic', bootstrap, ['delete', 'topic', topic]);
  }

  /** One run per partition (-p), records as JSON lines with base64 keys and values. */
  async produce(o: ProduceOptions): Promise<Ack[] | null> {
    const partitions = [...new Set(o.records.map((r) => r.partition))].sort((a, b) => a - b);
    for (const p of partitions) {
      const lines = o.records
        .filter((r) => r.partition === p)
        .map((r) =>
          JSON.stringify({
            key: r.key === null ? null : r.key.toString('base64'),
            value: r.value === null ? null : r.value.toString('base64'),
            headers: Object.fromEntries(
              r.headers.map(([k, v]) => [k, (v ?? Buffer.alloc(0)).toString('utf8')]),
            ),
          }),
        );
      const file = path.join(this.workDir, `kafkactl-${o.topic}-${p}.json`);
      writeFileSync(file, lines.join('\n') + '\n');
      const args = ['produce', o.topic, '-p', String(p), '--file', file, '--input-format', 'json', '-s'];
      args.push('--key-encoding', 'base64', '--value-encoding', 'base64', '--required-acks', 'WaitForAll');
      args.push('--max-message-bytes', String(8 << 20));
      await this.run(`produce ${o.topic}[${p}]`, o.bootstrap, args);
    }
    return null;
  }

  private readArgs(): string[] {
    return [
      '-o',
      'json',
      '--print-keys',
      '--print-headers',
      '--print-timestamps',
      '--key-encoding',
      'base64',
      '--value-encoding',
      'base64',
    ];
  }

  async consume(bootstrap: string, topic: string): Promise<ReadRecord[]> {
    const r = await this.run('consume', bootstrap, [
      'consume',
      topic,
      '--from-beginning',
      '--exit',
      ...this.readArgs(),
    ]);
    return parseMessages(r.stdout.toString('utf8')).map(toRecord);
  }

  async groupConsume(bootstrap: string, topic: string, group: string, max: number): Promise<ReadRecord[]> {
    const args = [
      'consume',
      topic,
      '--group',
      group,
      '--from-beginning',
      '--max-messages',
      String(max),
      ...this.readArgs(),
    ];
    return parseMessages((await this.run('consume --group', bootstrap, args)).stdout.toString('utf8')).map(
      toRecord,
    );
  }

  async describeGroup(bootstrap: string, topic: string, group: string): Promise<GroupDescription> {
    const r = await this.run('describe consumer-group', bootstrap, [
      'describe',
      'consumer-group',
      group,
      '-o',
      'json',
    ]);
    const d = JSON.parse(r.stdout.toString('utf8')) as {
      State: string;
      Members?: unknown[] | null;
      Topics?: Array<{
        Name: string;
        Partitions: Array<{ Partition: number; consumerOffset: number; Lag: number }>;
      }>;
    };
    const offsets: Record<string, number> = {};
    const lag: Record<string, number> = {};
    for (const p of d.Topics?.find((t) => t.Name === topic)?.Partitions ?? []) {
      offsets[String(p.Partition)] = p.consumerOffset;
      lag[String(p.Partition)] = p.Lag;
    }
    return { state: d.State, members: d.Members?.length ?? 0, offsets, lag };
  }
}

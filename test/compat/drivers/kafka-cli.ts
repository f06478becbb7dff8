import path from 'node:path';
import { checkResult, runProcess, type ProcessResult } from '../../support/clients/process.js';
import type {
  Ack,
  DataRecord,
  Driver,
  DriverHelpers,
  GroupDescription,
  MetadataResult,
  ProduceOptions,
  ReadRecord,
} from '../types.js';

const TIMEOUT_MS = 180_000;
/** kafka-console-* parse and print text: tab separates fields, this marks null keys, values and headers. */
const NULL = '<NULL>';
const TAB = '\t';

const CLASSES = {
  topics: 'org.apache.kafka.tools.TopicCommand',
  brokers: 'kafka.admin.BrokerApiVersionsCommand',
  producer: 'kafka.tools.ConsoleProducer',
  consumer: 'org.apache.kafka.tools.consumer.ConsoleConsumer',
  groups: 'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand',
};

const text = (b: Buffer | null): string => (b === null ? NULL : b.toString('utf8'));

/** One kafka-console-producer input line: headers, key and value separated by tabs. */
function line(r: DataRecord): string {
  const headers = r.headers.map(([k, v]) => `${k}:${text(v)}`).join(',');
  return [headers, text(r.key), text(r.value)].join(TAB);
}

/** "CreateTime:TS  Partition:P  Offset:O  headers  key  value" as kafka-console-consumer prints them. */
function parseLines(stdout: string): ReadRecord[] {
  const out: ReadRecord[] = [];
  for (const l of stdout.split('\n')) {
    if (l === '') continue;
    const f = l.split(TAB);
    if (f.length !== 6)
      throw new Error(`kafka-console-consumer: unexpected line ${JSON.stringify(l.slice(0, 200))}`);
    const [ts, partition, offset, headers, key, value] = f as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const bytes = (s: string): Buffer | null => (s === NULL ? null : Buffer.from(s, 'utf8'));
    out.push({
      timestamp: Number(ts.slice(ts.indexOf(':') + 1)),
      partition: Number(partition.slice('Partition:'.length)),
      offset: Number(offset.slice('Offset:'.length)),
      headers:
        headers === 'NO_HEADERS'
          ? []
          : headers.split(',').map((h) => {
              const at = h.indexOf(':');
              return [h.slice(0, at), bytes(h.slice(at + 1))];
            }),
      key: bytes(key),
      value: bytes(value),
    });
  }
  return out;
}

const PRINT = [
  'print.key=true',
  'print.headers=true',
  'print.partition=true',
  'print.offset=true',
  'print.timestamp=true',
  `key.separator=${TAB}`,
  `null.literal=${NULL}`,
].flatMap((p) => ['--property', p]);

/**
 * The Apache Kafka command-line tools (kafka-topics, kafka-console-producer/consumer,
 * kafka-consumer-groups), run as their main classes from the kafka_2.13 and kafka-tools jars.
 */
export class KafkaCliDriver implements Driver {
  constructor(
    private readonly lib: string,
    private readonly helpers: DriverHelpers,
  ) {}

  private async java(
    what: string,
    cls: string,
    args: readonly string[],
    input?: Buffer,
  ): Promise<ProcessResult> {
    const jvm = ['-Xmx512m', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-cp', path.join(this.lib, '*')];
    const r = await runProcess('java', [...jvm, cls, ...args], { timeoutMs: TIMEOUT_MS, input });
    return checkResult(what, r);
  }

  async metadata(bootstrap: string): Promise<MetadataResult> {
    const topics: Record<string, number> = {};
    const described = await this.java('kafka-topics --describe', CLASSES.topics, [
      '--bootstrap-server',
      bootstrap,
      '--describe',
    ]);
    for (const m of described.stdout
      .toString('utf8')
      .matchAll(/^Topic: (\S+)\s+TopicId: \S+\s+PartitionCount: (\d+)/gm)) {
      topics[m[1]!] = Number(m[2]);
    }
    const versions = await this.java('kafka-broker-api-versions', CLASSES.brokers, [
      '--bootstrap-server',
      bootstrap,
    ]);
    const brokers: MetadataResult['brokers'] = [];
    for (const m of versions.stdout
      .toString('utf8')
      .matchAll(/^(\S+):(\d+) \(id: (-?\d+) rack: [^)]*\) -> \(/gm)) {
      brokers.push({ id: Number(m[3]), host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) });
    }
    return { brokers, topics };
  }

  async createTopic(
    bootstrap: string,
    topic: string,
    partitions: number,
    configs: Record<string, string>,
  ): Promise<void> {
    const args = [
      '--bootstrap-server',
      bootstrap,
      '--create',
      '--topic',
      topic,
      '--partitions',
      String(partitions),
    ];
    args.push('--replication-factor', '1');
    for (const [k, v] of Object.entries(configs)) args.push('--config', `${k}=${v}`);
    await this.java('kafka-topics --create', CLASSES.topics, args);
  }

  async deleteTopic(bootstrap: string, topic: string): Promise<void> {
    await this.java('kafka-topics --delete', CLASSES.topics, [
      '--bootstrap-server',
      bootstrap,
      '--delete',
      '--topic',
      topic,
    ]);
  }

  async produce(o: ProduceOptions): Promise<Ack[] | null> {
    const args = ['--bootstrap-server', o.bootstrap, '--topic', o.topic];
    if (o.codec !== 'none') args.push('--compression-codec', o.codec);
    for (const p of [
      'parse.key=true',
      `key.separator=${TAB}`,
      'parse.headers=true',
      `headers.delimiter=${TAB}`,
      `null.marker=${NULL}`,
    ]) {
      args.push('--property', p);
    }
    for (const p of [
      'acks=all',
      `enable.idempotence=${o.idempotent}`,
      'linger.ms=5',
      `max.request.size=${8 << 20}`,
    ]) {
      args.push('--producer-property', p);
    }
    const input = Buffer.from(o.records.map(line).join('\n') + '\n', 'utf8');
    await this.java('kafka-console-producer', CLASSES.producer, args, input);
    return null;
  }

  /** Group-less reading means --partition, so one run per partition up to its end offset. */
  async consume(bootstrap: string, topic: string, partitions: number): Promise<ReadRecord[]> {
    const ends = await this.helpers.endOffsets(topic);
    const out: ReadRecord[] = [];
    for (let p = 0; p < partitions; p++) {
      const n = ends[p] ?? 0;
      if (n === 0) continue;
      const args = [
        '--bootstrap-server',
        bootstrap,
        '--topic',
        topic,
        '--partition',
        String(p),
        '--offset',
        'earliest',
      ];
      args.push('--max-messages', String(n), '--timeout-ms', '120000', ...PRINT);
      args.push('--consumer-property', `max.partition.fetch.bytes=${16 << 20}`);
      out.push(
        ...parseLines(
          (await this.java(`kafka-console-consumer ${topic}[${p}]`, CLASSES.consumer, args)).stdout.toString(
            'utf8',
          ),
        ),
      );
    }
    return out;
  }

  /** One record per poll, so the commit on close covers exactly the records printed. */
  async groupConsume(bootstrap: string, topic: string, group: string, max: number): Promise<ReadRecord[]> {
    const args = ['--bootstrap-server', bootstrap, '--topic', topic, '--group', group, '--from-beginning'];
    args.push('--max-messages', String(max), '--timeout-ms', '120000', ...PRINT);
    args.push(
      '--consumer-property',
      'max.poll.records=1',
      '--consumer-property',
      `max.partition.fetch.bytes=${16 << 20}`,
    );
    return parseLines(
      (await this.java('kafka-console-consumer --group', CLASSES.consumer, args)).stdout.toString('utf8'),
    );
  }

  async describeGroup(bootstrap: string, topic: string, group: string): Promise<GroupDescription> {
    const base = ['--bootstrap-server', bootstrap, '--describe', '--group', group];
    const state = (
      await this.java('kafka-consumer-groups --state', CLASSES.groups, [...base, '--state'])
    ).stdout.toString('utf8');
    // GROUP COORDINATOR (ID) ASSIGNMENT-STRATEGY STATE #MEMBERS
    const row = state
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .find((f) => f[0] === group);
    if (!row) throw new Error(`kafka-consumer-groups --state: no row for ${group}:\n${state}`);
    const offsets: Record<string, number> = {};
    const lag: Record<string, number> = {};
    const table = (await this.java('kafka-consumer-groups --describe', CLASSES.groups, base)).stdout.toString(
      'utf8',
    );
    // GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID
    for (const l of table.split('\n')) {
      const f = l.trim().split(/\s+/);
      if (f[0] !== group || f[1] !== topic) continue;
      offsets[f[2]!] = f[3] === '-' ? -1 : Number(f[3]);
      lag[f[2]!] = f[5] === '-' ? Number(f[4]) : Number(f[5]);
    }
    return { state: row[row.length - 2]!, members: Number(row[row.length - 1]), offsets, lag };
  }
}

import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkResult, runProcess } from '../support/clients/process.js';
import { ContractDriver } from './drivers/contract.js';
import { KafkaCliDriver } from './drivers/kafka-cli.js';
import { KafkactlDriver } from './drivers/kafkactl.js';
import { KafkajsDriver } from './drivers/kafkajs.js';
import { KCAT_AVOID_BYTES, KcatDriver } from './drivers/kcat.js';
import { CODECS, type ClientSpec, type ReadProfile, type WriteProfile } from './types.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const INSTALL_MS = 1_200_000;

/** kafka-clients versions: the latest 3.9.x, and the newest 4.x that test/clients/java builds against. */
export const JAVA3_VERSION = process.env.COMPAT_JAVA3_VERSION ?? '3.9.2';
export const JAVA4_VERSION = process.env.COMPAT_JAVA4_VERSION ?? '4.4.0';
const KAFKA_CLI_VERSION = '3.9.2';

const FULL_WRITE: WriteProfile = {
  binary: true,
  binaryHeaders: true,
  avoidBytes: [],
  nullHeaderValues: true,
  duplicateHeaders: true,
  emptyBytes: true,
  partitioning: 'explicit',
  timestamps: true,
  headerRun: 1,
  requireHeaders: false,
};
const FULL_READ: ReadProfile = { nullIsEmpty: false, headerOrder: true };

/**
 * A client the package registries reachable here do not offer (install-kafkactl.sh exits 3): reported
 * as skipped even where missing installs fail the run (CI, --require-all).
 */
export class NotOffered extends Error {}

async function script(what: string, file: string, ...args: string[]): Promise<string> {
  const r = await runProcess('bash', [path.join(root, file), ...args], { timeoutMs: INSTALL_MS });
  if (r.code !== 0) {
    const message = `${what}: ${file} failed (exit ${String(r.code)}): ${r.stderr.trim().slice(-1500)}`;
    throw r.code === 3 ? new NotOffered(message) : new Error(message);
  }
  return r.stdout.toString('utf8').trim().split('\n').pop() ?? '';
}

/** The version a Go driver's go.mod pins for `module`. */
function goModVersion(client: string, module: string): string {
  const mod = readFileSync(path.join(root, 'test/compat/go', client, 'go.mod'), 'utf8');
  return new RegExp(`${module.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} (v\\S+)`).exec(mod)?.[1] ?? 'unknown';
}

async function python(): Promise<string> {
  return script('Python clients', 'scripts/clients/install-python-clients.sh');
}

async function pythonVersion(py: string, expr: string): Promise<string> {
  const code = `import confluent_kafka; from importlib.metadata import version as v; print(${expr})`;
  const r = await runProcess(py, ['-c', code], { timeoutMs: 60_000 });
  return checkResult('python version', r).stdout.toString('utf8').trim();
}

function goClient(
  id: string,
  name: string,
  module: string,
  notes: string[],
  extra: Partial<ClientSpec> = {},
): ClientSpec {
  return {
    id,
    name,
    codecs: CODECS,
    idempotent: true,
    transactions: true,
    write: FULL_WRITE,
    read: FULL_READ,
    notes,
    ...extra,
    async prepare() {
      const bin = await script(name, 'scripts/compat/build-go.sh', id);
      return {
        version: `${module.split('/').slice(1).join('/')} ${goModVersion(id, module)}`,
        driver: new ContractDriver({ command: bin, args: [] }),
      };
    },
  };
}

function javaClient(version: string): ClientSpec {
  return {
    id: `java-${version.split('.')[0]}`,
    name: `Java kafka-clients ${version.split('.').slice(0, 2).join('.')}`,
    codecs: CODECS,
    idempotent: true,
    transactions: true,
    write: FULL_WRITE,
    read: FULL_READ,
    notes: [
      'KafkaProducer, KafkaConsumer (assign for reading back, subscribe for groups) and Admin, through test/clients/java.',
      "Transactions: initTransactions/beginTransaction/commitTransaction/abortTransaction and sendOffsetsToTransaction with the consumer's groupMetadata() (class CompatTxn).",
    ],
    async prepare() {
      const dir = await script('Java harness', 'scripts/clients/build-java.sh', version);
      const cp = `${dir}/harness.jar${path.delimiter}${dir}/lib/*`;
      const driver = new ContractDriver({
        command: 'java',
        args: ['-Xmx768m', '-XX:TieredStopAtLevel=1', '-cp', cp, 'dev.kafkagateway.harness.CompatMain'],
        produceCommand: 'produce-dataset',
        // The general harness (Main) has a txn-produce of its own with other flags.
        txnProduceCommand: 'txn-produce-dataset',
        // consume is Main's ConsumeCommand, which takes consumer properties.
        isolationArgs: (level) => ['--consumer-prop', `isolation.level=${level}`],
      });
      return { version: `kafka-clients ${version}`, driver };
    },
  };
}

/**
 * kafkactl from scripts/clients/install-kafkactl.sh (go install), else COMPAT_KAFKACTL or an earlier
 * install in GOPATH/bin. The Go module proxy reachable here refuses kafkactl (403), so on a fresh
 * machine this client is reported as not installed rather than failed.
 */
async function findKafkactl(): Promise<string> {
  if (process.env.COMPAT_KAFKACTL) return process.env.COMPAT_KAFKACTL;
  try {
    return await script('kafkactl', 'scripts/clients/install-kafkactl.sh');
  } catch (e) {
    const gopath = process.env.GOPATH ?? path.join(homedir(), 'go');
    for (const candidate of [path.join(gopath, 'bin/kafkactl'), '/usr/local/bin/kafkactl']) {
      if (existsSync(candidate)) return candidate;
    }
    throw e;
  }
}

export const CLIENTS: readonly ClientSpec[] = [
  {
    id: 'kafkajs',
    name: 'kafkajs',
    codecs: CODECS,
    idempotent: true,
    transactions: true,
    readNeedsGroup: true,
    ipv6Note: "kafkajs splits a broker address at ':' and so cannot take an IPv6 literal such as [::1]:9092",
    write: { ...FULL_WRITE, nullHeaderValues: false },
    read: FULL_READ,
    notes: [
      'kafkajs has no group-less consumer, so reading back goes through a consumer group.',
      'snappy, lz4 and zstd through codec plugins built on the libraries the gateway itself uses (kafkajs ships gzip only).',
      'kafkajs cannot send a null header value (its headers are an object of strings or buffers).',
      'Transactions: producer.transaction() with send, sendOffsets({ consumerGroupId }) (group id only, no generation or member id), commit and abort; readUncommitted selects the isolation level.',
    ],
    async prepare() {
      const pkg = JSON.parse(readFileSync(path.join(root, 'node_modules/kafkajs/package.json'), 'utf8')) as {
        version: string;
      };
      return { version: `kafkajs ${pkg.version}`, driver: new KafkajsDriver() };
    },
  },
  {
    id: 'confluent',
    name: 'confluent-kafka-python (librdkafka)',
    codecs: CODECS,
    idempotent: true,
    transactions: true,
    write: FULL_WRITE,
    read: FULL_READ,
    notes: [
      'The PyPI wheel bundles its own librdkafka; assign() for reading back, subscribe() for groups.',
      "Transactions: init/begin/commit/abort_transaction and send_offsets_to_transaction with the consumer's consumer_group_metadata().",
    ],
    async prepare() {
      const py = await python();
      const version = await pythonVersion(
        py,
        `'confluent-kafka', v('confluent-kafka') + ', bundled librdkafka', confluent_kafka.libversion()[0]`,
      );
      return {
        version,
        driver: new ContractDriver({
          command: py,
          args: [path.join(root, 'test/compat/python/confluent_driver.py')],
        }),
      };
    },
  },
  {
    id: 'kcat',
    name: 'kcat',
    codecs: CODECS,
    idempotent: true,
    transactions:
      'kcat has no transactional producer (it never calls init/begin/commit_transaction) and cannot send offsets to a transaction',
    groupNote: 'kcat has no group administration',
    producerPerRun: true,
    write: {
      ...FULL_WRITE,
      binaryHeaders: false,
      avoidBytes: KCAT_AVOID_BYTES,
      timestamps: false,
      headerRun: 50,
    },
    read: FULL_READ,
    notes: [
      'kcat sets headers per invocation and cannot set timestamps: its data set shares header sets across runs of 50 records and timestamps are checked against the produce window.',
      'No admin API: topics are created and deleted by the runner for kcat (create/delete cells n/a); kcat -G for groups.',
    ],
    async prepare() {
      await script('kcat', 'scripts/clients/install-kcat.sh');
      const v = checkResult(
        'kcat -V',
        await runProcess('kcat', ['-V'], { timeoutMs: 30_000 }),
      ).stdout.toString('utf8');
      const kcat = /Version (\S+)/.exec(v)?.[1] ?? 'unknown';
      const rd = /librdkafka (\S+)/.exec(v)?.[1] ?? 'unknown';
      return { version: `kcat ${kcat}, librdkafka ${rd}`, driver: new KcatDriver() };
    },
  },
  {
    id: 'kafka-python',
    name: 'kafka-python',
    codecs: CODECS,
    idempotent: true,
    transactions: true,
    write: { ...FULL_WRITE, nullHeaderValues: false },
    read: FULL_READ,
    notes: [
      'kafka-python refuses a null header value (headers must be (str, bytes)).',
      "Transactions: KafkaProducer(transactional_id=...) with send_offsets_to_transaction and the consumer's group_metadata(); isolation_level on the consumer.",
    ],
    async prepare() {
      const py = await python();
      const version = await pythonVersion(py, `'kafka-python', v('kafka-python')`);
      return {
        version,
        driver: new ContractDriver({
          command: py,
          args: [path.join(root, 'test/compat/python/kafka_python_driver.py')],
        }),
      };
    },
  },
  javaClient(JAVA3_VERSION),
  javaClient(JAVA4_VERSION),
  {
    id: 'kafka-cli',
    name: 'Kafka CLI tools',
    codecs: CODECS,
    idempotent: true,
    transactions:
      'kafka-console-producer has no transactions (every line is its own send) and no tool sends offsets to a transaction',
    write: {
      ...FULL_WRITE,
      binary: false,
      binaryHeaders: false,
      partitioning: 'murmur2',
      timestamps: false,
      requireHeaders: true,
    },
    read: FULL_READ,
    notes: [
      `kafka-topics, kafka-console-producer, kafka-console-consumer, kafka-consumer-groups and kafka-broker-api-versions ${KAFKA_CLI_VERSION}, run as their main classes.`,
      'The console tools read and print lines of text: that data set is UTF-8 text, one header at least per record, partitions chosen by key (murmur2), timestamps checked against the produce window.',
    ],
    async prepare(helpers) {
      const lib = await script('Kafka CLI', 'scripts/clients/kafka-cli/install.sh', KAFKA_CLI_VERSION);
      return {
        version: `kafka_2.13/kafka-tools ${KAFKA_CLI_VERSION}`,
        driver: new KafkaCliDriver(lib, helpers),
      };
    },
  },
  goClient('franz', 'franz-go', 'github.com/twmb/franz-go', [
    'kgo for producing and consuming, kadm for administration and group lag.',
    'Transactions: BeginTransaction/EndTransaction for the producer, a GroupTransactSession for consume-transform-produce.',
  ]),
  goClient('sarama', 'Sarama', 'github.com/IBM/sarama', [
    "Sarama's default protocol version (config.Version left unset, 2.8.0 in this release), as most applications run it.",
    'Transactions: a transactional SyncProducer (BeginTxn, CommitTxn, AbortTxn) with AddOffsetsToTxn, which names the group only (no generation or member id).',
  ]),
  goClient(
    'kafkago',
    'segmentio/kafka-go',
    'github.com/segmentio/kafka-go',
    [
      'kafka-go reads empty keys, values and header values back as null, so null and empty compare equal for it.',
    ],
    {
      idempotent: "kafka-go's Writer has no idempotent producer",
      transactions:
        'kafka-go has no transactional producer (no InitProducerId, AddPartitionsToTxn or EndTxn)',
      read: { ...FULL_READ, nullIsEmpty: true },
    },
  ),
  {
    id: 'kafkactl',
    name: 'kafkactl',
    codecs: ['none'],
    codecNote: 'kafkactl has no compression setting',
    groupFirstTake: 30,
    idempotent: "kafkactl does not enable Sarama's idempotent producer",
    transactions: 'kafkactl has no transactional producer (no transactional.id, begin or commit)',
    write: {
      ...FULL_WRITE,
      binaryHeaders: false,
      nullHeaderValues: false,
      duplicateHeaders: false,
      timestamps: false,
    },
    read: { ...FULL_READ, headerOrder: false },
    notes: [
      'The Go module proxy reachable from this project refuses kafkactl (403), so scripts/clients/install-kafkactl.sh exits 3 on a fresh machine and the column is reported as skipped; COMPAT_KAFKACTL names a binary built elsewhere.',
      'kafkactl headers are a map of strings: no null values, no repeated names, order not kept.',
      'kafkactl cannot set timestamps: they are checked against the produce window.',
      'kafkactl consume --group --max-messages N can commit past the N-th record (it marks records as it queues them for printing), so its first group run reads all 30 records rather than 20.',
    ],
    async prepare(helpers) {
      const bin = await findKafkactl();
      const v = checkResult(
        'kafkactl version',
        await runProcess(bin, ['version'], { timeoutMs: 30_000 }),
      ).stdout.toString('utf8');
      const given = process.env.COMPAT_KAFKACTL ? ' (binary from COMPAT_KAFKACTL)' : '';
      return {
        version: `kafkactl ${/version:"([^"]+)"/.exec(v)?.[1] ?? 'unknown'}${given}`,
        driver: new KafkactlDriver(bin, helpers.workDir),
      };
    },
  },
];

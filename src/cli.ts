import { Command, InvalidArgumentError, Option } from 'commander';
import type { CoordinatorAddress, GatewayConfig } from './config.js';
import { DEFAULT_CONFIG } from './config.js';
import { applyConfigFile, CONFIG_ENV, configFilePath } from './config-file.js';
import { startGateway } from './gateway.js';
import { DEFAULT_GROUP_CONFIG } from './groups/config.js';
import { DEFAULT_TXN_CONFIG } from './transactions/config.js';
import { boolean, integer, long, option } from './cli-values.js';
import { createLogger } from './log.js';
import { addSecurityOptions, securityFromOptions } from './security/cli-options.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function buildCommand(): Command {
  const d = DEFAULT_CONFIG;
  const command = new Command('kafka-gateway')
    .description('A Kafka-wire-compatible server with an embedded store')
    .addOption(option('--host <host>', 'address to listen on', 'HOST').default(d.host))
    .addOption(
      option('--port <port>', 'port to listen on', 'PORT').default(d.port).argParser(integer(0, 65535)),
    )
    .addOption(
      option(
        '--advertised-host <host>',
        'host put in Metadata (default: the address the client reached)',
        'ADVERTISED_HOST',
      ),
    )
    .addOption(
      option(
        '--advertised-port <port>',
        'port put in Metadata (default: the port the client reached)',
        'ADVERTISED_PORT',
      ).argParser(integer(1, 65535)),
    )
    .addOption(
      option(
        '--store <kind>',
        'storage backend (default: seaweedmq when --masters is given, else log)',
        'STORE',
      ).choices(['memory', 'log', 'seaweedmq']),
    )
    .addOption(
      option('--data-dir <dir>', `directory of the log store (default: ./${d.log.dataDir})`, 'DATA_DIR'),
    )
    .addOption(
      option(
        '--log-flush-interval-messages <n>',
        'log store: records appended between fsyncs; 1 fsyncs each append before acknowledging it',
        'LOG_FLUSH_INTERVAL_MESSAGES',
      )
        .default(d.log.flushIntervalMessages, String(d.log.flushIntervalMessages))
        .argParser(long(1n)),
    )
    .addOption(
      option(
        '--log-flush-interval-ms <ms>',
        'log store: longest time appended data waits for an fsync (default: no limit)',
        'LOG_FLUSH_INTERVAL_MS',
      ).argParser(long(0n)),
    )
    .addOption(
      option(
        '--log-segment-bytes <n>',
        'log store: size at which a segment file is rolled',
        'LOG_SEGMENT_BYTES',
      )
        .default(d.log.segmentBytes)
        .argParser(integer(1024, 2 ** 31 - 1)),
    )
    .addOption(
      option(
        '--masters <list>',
        'SeaweedFS masters host:port[,host:port…]: store topics in SeaweedMQ',
        'MASTERS',
      ),
    )
    .addOption(
      option('--filer-group <name>', 'SeaweedFS filer group of the cluster', 'FILER_GROUP').default(
        d.seaweedmq.filerGroup,
      ),
    )
    .addOption(
      option('--namespace <name>', 'SeaweedMQ namespace holding the Kafka topics', 'NAMESPACE').default(
        d.seaweedmq.namespace,
      ),
    )
    .addOption(
      option(
        '--seaweedmq-request-timeout-ms <ms>',
        'deadline of one SeaweedMQ call',
        'SEAWEEDMQ_REQUEST_TIMEOUT_MS',
      )
        .default(d.seaweedmq.requestTimeoutMs)
        .argParser(integer(100, 2 ** 31 - 1)),
    )
    .addOption(
      option(
        '--seaweedmq-publish-timeout-ms <ms>',
        "how long a record may wait for SeaweedMQ's ack",
        'SEAWEEDMQ_PUBLISH_TIMEOUT_MS',
      )
        .default(d.seaweedmq.publishTimeoutMs)
        .argParser(integer(100, 2 ** 31 - 1)),
    )
    .addOption(
      option(
        '--default-partitions <n>',
        'partitions of auto-created topics and of CreateTopics with -1',
        'DEFAULT_PARTITIONS',
      )
        .default(d.defaultPartitions)
        .argParser(integer(1, 100_000)),
    )
    .addOption(
      option(
        '--auto-create-topics <bool>',
        'create unknown topics on Metadata and Produce',
        'AUTO_CREATE_TOPICS',
      )
        .default(d.autoCreateTopics)
        .argParser(boolean),
    )
    .addOption(
      option('--max-request-bytes <n>', 'largest request frame accepted', 'MAX_REQUEST_BYTES')
        .default(d.maxRequestBytes)
        .argParser(integer(1024, 2 ** 31 - 1)),
    )
    .addOption(
      option(
        '--queued-max-request-bytes <n>',
        'bytes of requests being received or queued, over all connections, before sockets stop being read',
        'QUEUED_MAX_REQUEST_BYTES',
      )
        .default(d.queuedMaxRequestBytes)
        .argParser(integer(1024, 2 ** 40)),
    )
    .addOption(
      option(
        '--request-receive-timeout-ms <ms>',
        'close a connection whose request stops arriving for this long',
        'REQUEST_RECEIVE_TIMEOUT_MS',
      )
        .default(d.requestReceiveTimeoutMs)
        .argParser(integer(1, 2 ** 31 - 1)),
    )
    .addOption(
      option(
        '--connections-max-idle-ms <ms>',
        'close a connection that sends no request for this long',
        'CONNECTIONS_MAX_IDLE_MS',
      )
        .default(d.connectionsMaxIdleMs)
        .argParser(integer(1, 2 ** 31 - 1)),
    )
    .addOption(
      option(
        '--max-decompressed-ratio <n>',
        'records of a compressed batch may decompress to at most this many times max.message.bytes',
        'MAX_DECOMPRESSED_RATIO',
      )
        .default(d.maxDecompressedRatio)
        .argParser(integer(1, 1_000_000)),
    )
    .addOption(
      option(
        '--message-max-bytes <n>',
        'largest record batch when a topic sets no max.message.bytes',
        'MESSAGE_MAX_BYTES',
      )
        .default(d.messageMaxBytes)
        .argParser(integer(1, 2 ** 31 - 1)),
    )
    .addOption(
      option('--log-level <level>', 'log level', 'LOG_LEVEL').choices(LOG_LEVELS).default(d.logLevel),
    )
    .addOption(
      option('--node-id <id>', 'broker id reported to clients', 'NODE_ID')
        .default(d.nodeId)
        .argParser(integer(0, 2 ** 31 - 1)),
    )
    .addOption(
      option('--cluster-id <id>', 'cluster id reported to clients', 'CLUSTER_ID').default(d.clusterId),
    )
    .addOption(
      option(
        '--retention-check-interval-ms <ms>',
        'how often retention.ms / retention.bytes are applied',
        'RETENTION_CHECK_INTERVAL_MS',
      )
        .default(d.retentionCheckIntervalMs)
        .argParser(integer(100, 2 ** 31 - 1)),
    )
    .addOption(
      option(
        '--producer-snapshot-interval-ms <ms>',
        'how often the idempotent-producer state of changed partitions is saved to the store',
        'PRODUCER_SNAPSHOT_INTERVAL_MS',
      )
        .default(d.producerSnapshotIntervalMs)
        .argParser(integer(10, 2 ** 31 - 1)),
    )
    .addOption(
      option(
        '--log-cleaner-backoff-ms <ms>',
        'how long the log cleaner waits between passes over compacted topics',
        'LOG_CLEANER_BACKOFF_MS',
      )
        .default(d.logCleanerBackoffMs)
        .argParser(integer(10, 2 ** 31 - 1)),
    )
    .addOption(
      option(
        '--group-initial-rebalance-delay-ms <ms>',
        'how long a new group waits for more members before its first rebalance',
        'GROUP_INITIAL_REBALANCE_DELAY_MS',
      )
        .default(DEFAULT_GROUP_CONFIG.initialRebalanceDelayMs)
        .argParser(integer(0, 2 ** 31 - 1)),
    )
    .addOption(
      option(
        '--group-min-session-timeout-ms <ms>',
        'smallest session timeout a member may ask for',
        'GROUP_MIN_SESSION_TIMEOUT_MS',
      )
        .default(DEFAULT_GROUP_CONFIG.minSessionTimeoutMs)
        .argParser(integer(1, 2 ** 31 - 1)),
    )
    .addOption(
      option(
        '--group-max-session-timeout-ms <ms>',
        'largest session timeout a member may ask for',
        'GROUP_MAX_SESSION_TIMEOUT_MS',
      )
        .default(DEFAULT_GROUP_CONFIG.maxSessionTimeoutMs)
        .argParser(integer(1, 2 ** 31 - 1)),
    )
    .addOption(
      option(
        '--offsets-retention-minutes <n>',
        'how long committed offsets of an empty group are kept',
        'OFFSETS_RETENTION_MINUTES',
      )
        .default(DEFAULT_GROUP_CONFIG.offsetsRetentionMs / 60_000)
        .argParser(integer(1, 2 ** 31 - 1)),
    )
    .addOption(
      option(
        '--group-coordinator <nodeId@host:port>',
        'with several gateways on one store: the gateway (its --node-id and advertised address) that coordinates every consumer group',
        'GROUP_COORDINATOR',
      ).argParser(coordinatorAddress),
    )
    .addOption(
      option(
        '--transaction-max-timeout-ms <ms>',
        'largest transaction.timeout.ms a transactional producer may ask for',
        'TRANSACTION_MAX_TIMEOUT_MS',
      )
        .default(DEFAULT_TXN_CONFIG.maxTimeoutMs)
        .argParser(integer(1, 2 ** 31 - 1)),
    )
    .addOption(
      option(
        '--transaction-abort-interval-ms <ms>',
        'how often transactions open past their timeout are aborted',
        'TRANSACTION_ABORT_INTERVAL_MS',
      )
        .default(DEFAULT_TXN_CONFIG.abortTimedOutIntervalMs)
        .argParser(integer(1, 2 ** 31 - 1)),
    )
    .addOption(
      option(
        '--transactional-id-expiration-ms <ms>',
        'how long an idle transactional id is remembered',
        'TRANSACTIONAL_ID_EXPIRATION_MS',
      )
        .default(DEFAULT_TXN_CONFIG.transactionalIdExpirationMs)
        .argParser(integer(1, 2 ** 31 - 1)),
    )
    .addOption(
      option(
        '--coordinator-slots <n>',
        'several gateways on one SeaweedMQ namespace: consumer groups are spread over this many slots, each coordinated by one gateway (the same on every gateway)',
        'COORDINATOR_SLOTS',
      )
        .default(d.coordination.slots)
        .argParser(integer(1, 1000)),
    )
    .addOption(
      option(
        '--coordinator-lease-ms <ms>',
        "lease of a coordinator slot: a dead gateway's groups move to the others after about this long",
        'COORDINATOR_LEASE_MS',
      )
        .default(d.coordination.leaseMs)
        .argParser(integer(1000, 600_000)),
    )
    .addOption(
      option(
        '--metrics-port <port>',
        'serve /metrics, /healthz and /readyz over HTTP on this port (default: off)',
        'METRICS_PORT',
      ).argParser(integer(0, 65535)),
    )
    .addOption(
      option('--metrics-host <host>', 'address of the HTTP listener (default: --host)', 'METRICS_HOST'),
    )
    .addOption(
      option(
        '--quota-window-num <n>',
        'client quotas are measured over this many windows (quota.window.num)',
        'QUOTA_WINDOW_NUM',
      )
        .default(d.quotaWindow.samples)
        .argParser(integer(2, 1000)),
    )
    .addOption(
      option(
        '--quota-window-size-seconds <s>',
        'length of one quota window (quota.window.size.seconds)',
        'QUOTA_WINDOW_SIZE_SECONDS',
      )
        .default(d.quotaWindow.windowMs / 1000)
        .argParser(integer(1, 3600)),
    )
    .addOption(
      new Option('--config <file>', 'read flags from a YAML file of flag: value (flags and env win)').env(
        CONFIG_ENV,
      ),
    );
  return addSecurityOptions(command);
}

/** Parses nodeId@host:port, the node id and advertised address of the gateway coordinating groups. */
function coordinatorAddress(value: string): CoordinatorAddress {
  const m = /^(\d+)@(.+):(\d+)$/.exec(value.trim());
  const nodeId = Number(m?.[1]);
  const port = Number(m?.[3]);
  if (m === null || nodeId > 2 ** 31 - 1 || port < 1 || port > 65535) {
    throw new InvalidArgumentError('expected nodeId@host:port, for example 1@gateway-1:9092');
  }
  return { nodeId, host: m[2]!, port };
}

function mastersOf(opts: Record<string, unknown>): string[] {
  const raw = (opts.masters as string | undefined) ?? '';
  return raw
    .split(',')
    .map((m) => m.trim())
    .filter((m) => m.length > 0);
}

/**
 * --masters alone means SeaweedMQ, --data-dir alone (or nothing) the log store. Asking for SeaweedMQ
 * without masters, or naming a cluster or a directory for another store, is a mistake: it never
 * quietly becomes another store.
 */
function storeOf(opts: Record<string, unknown>): GatewayConfig['store'] {
  const masters = mastersOf(opts);
  const store =
    (opts.store as GatewayConfig['store'] | undefined) ?? (masters.length > 0 ? 'seaweedmq' : 'log');
  if (store === 'seaweedmq' && masters.length === 0) {
    throw new InvalidArgumentError('--store seaweedmq needs --masters host:port');
  }
  if (store !== 'seaweedmq' && masters.length > 0) {
    throw new InvalidArgumentError(`--masters names a SeaweedFS cluster, but --store ${store} was asked for`);
  }
  return store;
}

function logStoreOf(opts: Record<string, unknown>): GatewayConfig['log'] {
  return {
    dataDir: (opts.dataDir as string | undefined) ?? DEFAULT_CONFIG.log.dataDir,
    flushIntervalMessages: opts.logFlushIntervalMessages as bigint,
    flushIntervalMs: (opts.logFlushIntervalMs as bigint | undefined) ?? DEFAULT_CONFIG.log.flushIntervalMs,
    segmentBytes: opts.logSegmentBytes as number,
  };
}

/** A request of --max-request-bytes must fit in the budget, or it could never be read whole. */
function queuedMaxRequestBytesOf(opts: Record<string, unknown>): number {
  const queued = opts.queuedMaxRequestBytes as number;
  if (queued < (opts.maxRequestBytes as number)) {
    throw new InvalidArgumentError(
      `--queued-max-request-bytes (${queued}) must be at least --max-request-bytes (${String(opts.maxRequestBytes)})`,
    );
  }
  return queued;
}

export function configFromOptions(opts: Record<string, unknown>): GatewayConfig {
  return {
    ...DEFAULT_CONFIG,
    host: opts.host as string,
    port: opts.port as number,
    advertisedHost: opts.advertisedHost as string | undefined,
    advertisedPort: opts.advertisedPort as number | undefined,
    store: storeOf(opts),
    log: logStoreOf(opts),
    seaweedmq: {
      masters: mastersOf(opts),
      filerGroup: opts.filerGroup as string,
      namespace: opts.namespace as string,
      requestTimeoutMs: opts.seaweedmqRequestTimeoutMs as number,
      publishTimeoutMs: opts.seaweedmqPublishTimeoutMs as number,
    },
    defaultPartitions: opts.defaultPartitions as number,
    autoCreateTopics: opts.autoCreateTopics as boolean,
    maxRequestBytes: opts.maxRequestBytes as number,
    messageMaxBytes: opts.messageMaxBytes as number,
    queuedMaxRequestBytes: queuedMaxRequestBytesOf(opts),
    requestReceiveTimeoutMs: opts.requestReceiveTimeoutMs as number,
    connectionsMaxIdleMs: opts.connectionsMaxIdleMs as number,
    maxDecompressedRatio: opts.maxDecompressedRatio as number,
    logLevel: opts.logLevel as string,
    nodeId: opts.nodeId as number,
    clusterId: opts.clusterId as string,
    retentionCheckIntervalMs: opts.retentionCheckIntervalMs as number,
    logCleanerBackoffMs: opts.logCleanerBackoffMs as number,
    producerSnapshotIntervalMs: opts.producerSnapshotIntervalMs as number,
    groups: {
      initialRebalanceDelayMs: opts.groupInitialRebalanceDelayMs as number,
      minSessionTimeoutMs: opts.groupMinSessionTimeoutMs as number,
      maxSessionTimeoutMs: opts.groupMaxSessionTimeoutMs as number,
      offsetsRetentionMs: (opts.offsetsRetentionMinutes as number) * 60_000,
    },
    groupCoordinator: opts.groupCoordinator as CoordinatorAddress | undefined,
    transactions: {
      maxTimeoutMs: opts.transactionMaxTimeoutMs as number,
      abortTimedOutIntervalMs: opts.transactionAbortIntervalMs as number,
      transactionalIdExpirationMs: opts.transactionalIdExpirationMs as number,
    },
    coordination: {
      slots: opts.coordinatorSlots as number,
      leaseMs: opts.coordinatorLeaseMs as number,
    },
    metrics: {
      port: opts.metricsPort as number | undefined,
      host: (opts.metricsHost as string | undefined) ?? (opts.host as string),
    },
    quotaWindow: {
      samples: opts.quotaWindowNum as number,
      windowMs: (opts.quotaWindowSizeSeconds as number) * 1000,
    },
    security: securityFromOptions(opts),
  };
}

/** Flags, environment and the --config file, resolved with commander's precedence. */
export function parseCommandLine(argv: readonly string[]): GatewayConfig {
  const command = buildCommand();
  const file = configFilePath(argv.slice(2), process.env);
  if (file !== undefined) applyConfigFile(command, file);
  command.parse([...argv]);
  return configFromOptions(command.opts());
}

export async function main(argv: readonly string[]): Promise<void> {
  const config = parseCommandLine(argv);
  const log = createLogger(config.logLevel);
  // The image names a data directory in its environment; with --masters or --store memory it is unused.
  if (config.store !== 'log' && config.log.dataDir !== DEFAULT_CONFIG.log.dataDir) {
    log.warn(
      { dataDir: config.log.dataDir, store: config.store },
      'the data directory is used by the log store only',
    );
  }
  const gateway = await startGateway(config, log);
  let signalled = false;
  const shutdown = (signal: string): void => {
    if (signalled) return;
    signalled = true;
    log.info({ signal }, 'shutting down');
    gateway.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGHUP', () => gateway.reload());
}

/** Entry point for the bin script: a start-up failure is one clear line on stderr and exit 1. */
export function run(argv: readonly string[]): void {
  main(argv).catch((err: unknown) => {
    process.stderr.write(`kafka-gateway: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}

/** The shared vocabulary of the compatibility matrix: scenarios, cells, records and client drivers. */

export const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type Codec = (typeof CODECS)[number];

/** One column of the matrix, in display order. */
export const SCENARIOS = [
  'meta-ipv4',
  'meta-localhost',
  'meta-ipv6',
  'create-topic',
  ...CODECS.map((c) => `roundtrip-${c}` as const),
  'idempotent',
  'group-resume',
  'group-describe',
  'txn-commit-abort',
  'txn-ctp',
  'delete-topic',
] as const;
export type Scenario = (typeof SCENARIOS)[number];

export const SCENARIO_TITLES: Record<Scenario, string> = {
  'meta-ipv4': 'metadata 127.0.0.1',
  'meta-localhost': 'metadata localhost',
  'meta-ipv6': 'metadata [::1]',
  'create-topic': 'create 3-partition topic',
  'roundtrip-none': 'produce+read, uncompressed',
  'roundtrip-gzip': 'produce+read, gzip',
  'roundtrip-snappy': 'produce+read, snappy',
  'roundtrip-lz4': 'produce+read, lz4',
  'roundtrip-zstd': 'produce+read, zstd',
  idempotent: 'idempotent producer',
  'group-resume': 'group: commit, restart, resume',
  'group-describe': 'group: describe and lag',
  'txn-commit-abort': 'transactions: commit and abort',
  'txn-ctp': 'transactions: consume-transform-produce',
  'delete-topic': 'delete topic',
};

/**
 * pass/fail: checked. pending: needs consumer groups, which the target does not advertise yet.
 * n/a: the client cannot do this at all. skipped: the target cannot be asked (e.g. no IPv6 listener).
 */
export type Status = 'pass' | 'fail' | 'pending' | 'n/a' | 'skipped';

export interface Cell {
  status: Status;
  /** Why it failed or was not run; for passes, what was checked when that is not obvious. */
  detail?: string;
  ms?: number;
}

/** A record as a client sent it or read it back; byte fields keep null distinct from empty. */
export interface DataRecord {
  /** -1: the client's partitioner decides (the expected partition is then computed or unknown). */
  partition: number;
  /** -1: the client stamps the time itself. */
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Array<[string, Buffer | null]>;
}

export interface ReadRecord extends DataRecord {
  offset: number;
}

/** What a client can put into a record, which shapes the data set generated for it. */
export interface WriteProfile {
  /** Arbitrary bytes in keys and values (false: UTF-8 text without tabs or newlines). */
  binary: boolean;
  /** Arbitrary bytes in header values (false: UTF-8 text). */
  binaryHeaders: boolean;
  /** Bytes that must never appear in keys, values or headers (e.g. kcat's delimiters). */
  avoidBytes: readonly number[];
  nullHeaderValues: boolean;
  duplicateHeaders: boolean;
  /** An empty key distinct from a null one (and an empty value distinct from a tombstone). */
  emptyBytes: boolean;
  /** explicit: the client names each record's partition; murmur2: Java's default partitioner by key. */
  partitioning: 'explicit' | 'murmur2';
  /** The client sets each record's timestamp (false: the client stamps the send time). */
  timestamps: boolean;
  /**
   * Records per header pattern within a partition: 1 gives every record its own headers; kcat sets
   * headers per invocation, so it gets long runs sharing one set.
   */
  headerRun: number;
  /** Every record carries a header (kafka-console-producer cannot parse an empty header list). */
  requireHeaders: boolean;
}

/** How faithfully a client reports what it read. */
export interface ReadProfile {
  /** The client reports empty keys, values and header values as null (or the reverse). */
  nullIsEmpty: boolean;
  /** Header order and duplicates survive (false: the client returns a map). */
  headerOrder: boolean;
}

export interface Ack {
  partition: number;
  offset: number;
}

export interface MetadataResult {
  brokers: Array<{ id: number; host: string; port: number }>;
  topics: Record<string, number>;
}

export interface GroupDescription {
  state: string;
  members: number;
  /** Committed offset per partition; -1 (or any negative) when none. */
  offsets: Record<string, number>;
  lag: Record<string, number>;
}

/** Kafka's consumer isolation levels (KIP-98). */
export type Isolation = 'read_committed' | 'read_uncommitted';

/** Things a driver may ask of the runner's own neutral client. */
export interface DriverHelpers {
  endOffsets(topic: string): Promise<number[]>;
  workDir: string;
}

/**
 * One client library or tool, reduced to the operations the scenarios need. Optional operations are
 * the ones the client does not have (its cells are then n/a).
 */
export interface Driver {
  metadata(bootstrap: string): Promise<MetadataResult>;
  createTopic?(
    bootstrap: string,
    topic: string,
    partitions: number,
    configs: Record<string, string>,
  ): Promise<void>;
  deleteTopic?(bootstrap: string, topic: string): Promise<void>;
  /** Sends the records in order; returns the acknowledged positions when the client reports them. */
  produce(o: ProduceOptions): Promise<Ack[] | null>;
  /**
   * Reads every partition from the start until `expect` records arrived (without a group if it can),
   * with the given isolation level (unset: the client's default).
   */
  consume(
    bootstrap: string,
    topic: string,
    partitions: number,
    expect: number,
    isolation?: Isolation,
  ): Promise<ReadRecord[]>;
  /** Joins `group`, reads exactly `max` records, commits exactly those and leaves. */
  groupConsume?(bootstrap: string, topic: string, group: string, max: number): Promise<ReadRecord[]>;
  describeGroup?(bootstrap: string, topic: string, group: string): Promise<GroupDescription>;
  /**
   * One transactional producer (transactional.id) sends the records in order, split into
   * transactions by `plan`, each committed or aborted; returns the acknowledged positions.
   */
  txnProduce?(o: TxnProduceOptions): Promise<Ack[] | null>;
  /** Consume-transform-produce in one transaction (test/compat/README.md, command txn-transform). */
  txnTransform?(o: TxnTransformOptions): Promise<ReadRecord[]>;
  close?(): Promise<void>;
}

export interface ProduceOptions {
  bootstrap: string;
  topic: string;
  records: readonly DataRecord[];
  /** The same records in the dataset file format (test/compat/README.md), for external drivers. */
  file: string;
  codec: Codec;
  idempotent: boolean;
}

export interface TxnProduceOptions {
  bootstrap: string;
  topic: string;
  records: readonly DataRecord[];
  /** The records in the dataset file format, for external drivers. */
  file: string;
  transactionalId: string;
  /** Consecutive transactions over the records in order: how many records each holds and its end. */
  plan: ReadonlyArray<{ count: number; outcome: 'commit' | 'abort' }>;
}

export interface TxnTransformOptions {
  bootstrap: string;
  inputTopic: string;
  outputTopic: string;
  group: string;
  transactionalId: string;
  /** Records to read (as a member of `group`, read_committed) and transform in one transaction. */
  max: number;
  /** Each output value is `${tag}:` followed by the input value's bytes. */
  tag: string;
  outcome: 'commit' | 'abort';
}

export interface ClientSpec {
  id: string;
  name: string;
  /** Installs or builds the client if needed (cached) and returns its driver and exact version. */
  prepare(helpers: DriverHelpers): Promise<{ version: string; driver: Driver }>;
  codecs: readonly Codec[];
  /** Why the missing codecs are missing. */
  codecNote?: string;
  /** true, or why the client has no idempotent producer. */
  idempotent: true | string;
  /** The consumer can only read through a group (kafkajs): reading back is pending until groups work. */
  readNeedsGroup?: boolean;
  /** Why group cells are n/a, when the driver has no group operations. */
  groupNote?: string;
  /** Records the first group run takes (of 30); default 20. */
  groupFirstTake?: number;
  /** true, or why the client's transaction cells are n/a. */
  transactions: true | string;
  /** Why the client cannot bootstrap from an IPv6 literal, if it cannot. */
  ipv6Note?: string;
  /** The client produces through several processes (one producer id each), as kcat does per run. */
  producerPerRun?: boolean;
  write: WriteProfile;
  read: ReadProfile;
  /** Facts about this client's cells worth printing in COMPATIBILITY.md. */
  notes: readonly string[];
}

/**
 * Every API the gateway serves, asked by a principal with no ACLs (allow.everyone.if.no.acl.found
 * off): each must refuse with Kafka's authorization error, or (where Kafka filters) show nothing, and
 * change nothing. The same requests from a super user go through. A handler added without an entry
 * here fails the coverage test, so no API slips past the authorizer.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HANDLERS } from '../../src/handlers/index.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { PatternType, PermissionType, type AclBinding } from '../../src/security/acl/types.js';
import { AclOperation, ResourceType } from '../../src/security/authorize.js';
import { DEFAULT_SECURITY } from '../../src/security/config.js';
import { PLAINTEXT_LISTENER } from '../../src/security/listeners.js';
import { Session } from '../../src/security/session.js';
import { batch, createHarness, type Harness } from '../server/support/harness.js';

const TOPIC = 'secret';
const GROUP = 'g1';
const TXN = 'tx1';

interface Case {
  readonly apiKey: number;
  readonly version: number;
  readonly body: () => object;
  /** The authorization error expected somewhere in the response; undefined where Kafka filters. */
  readonly error: number | undefined;
  /** For filtering APIs: what must be empty in the response of a principal without ACLs. */
  readonly hidden?: (response: Record<string, unknown>) => unknown[];
}

const T = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
const G = ErrorCode.GROUP_AUTHORIZATION_FAILED;
const C = ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
const X = ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;

const fetchPartition = {
  partition: 0,
  currentLeaderEpoch: -1,
  fetchOffset: 0n,
  lastFetchedEpoch: -1,
  logStartOffset: -1n,
  partitionMaxBytes: 1 << 20,
};

/** One case per served API key (ApiVersions and the SASL APIs need no authorization). */
const CASES: readonly Case[] = [
  {
    apiKey: 0,
    version: 9,
    error: T,
    body: () => ({
      transactionalId: null,
      acks: -1,
      timeoutMs: 1000,
      topicData: [{ name: TOPIC, partitionData: [{ index: 0, records: batch(1) }] }],
    }),
  },
  {
    apiKey: 1,
    version: 12,
    error: T,
    body: () => ({
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topic: TOPIC, partitions: [fetchPartition] }],
      forgottenTopicsData: [],
      rackId: '',
    }),
  },
  {
    apiKey: 2,
    version: 7,
    error: T,
    body: () => ({
      replicaId: -1,
      isolationLevel: 0,
      topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n }] }],
    }),
  },
  {
    apiKey: 3,
    version: 12,
    error: undefined,
    hidden: (r) => r.topics as unknown[],
    body: () => ({
      topics: null,
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    }),
  },
  {
    apiKey: 8,
    version: 8,
    error: G,
    body: () => ({
      groupId: GROUP,
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      retentionTimeMs: -1n,
      topics: [
        {
          name: TOPIC,
          partitions: [
            { partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: '' },
          ],
        },
      ],
    }),
  },
  {
    apiKey: 9,
    version: 8,
    error: G,
    body: () => ({ groups: [{ groupId: GROUP, topics: null }], requireStable: false }),
  },
  { apiKey: 10, version: 4, error: G, body: () => ({ keyType: 0, coordinatorKeys: [GROUP] }) },
  {
    apiKey: 11,
    version: 7,
    error: G,
    body: () => ({
      groupId: GROUP,
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 10_000,
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
    }),
  },
  {
    apiKey: 12,
    version: 4,
    error: G,
    body: () => ({ groupId: GROUP, generationId: 1, memberId: 'm', groupInstanceId: null }),
  },
  {
    apiKey: 13,
    version: 4,
    error: G,
    body: () => ({ groupId: GROUP, members: [{ memberId: 'm', groupInstanceId: null }] }),
  },
  {
    apiKey: 14,
    version: 4,
    error: G,
    body: () => ({ groupId: GROUP, generationId: 1, memberId: 'm', groupInstanceId: null, assignments: [] }),
  },
  { apiKey: 15, version: 5, error: G, body: () => ({ groups: [GROUP], includeAuthorizedOperations: true }) },
  {
    apiKey: 16,
    version: 4,
    error: undefined,
    hidden: (r) => r.groups as unknown[],
    body: () => ({ statesFilter: [] }),
  },
  {
    apiKey: 19,
    version: 5,
    error: T,
    body: () => ({
      topics: [{ name: 'new-topic', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 10_000,
      validateOnly: false,
    }),
  },
  { apiKey: 20, version: 5, error: T, body: () => ({ topicNames: [TOPIC], timeoutMs: 10_000 }) },
  {
    apiKey: 21,
    version: 2,
    error: T,
    body: () => ({
      topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, offset: 1n }] }],
      timeoutMs: 10_000,
    }),
  },
  {
    apiKey: 22,
    version: 4,
    error: C,
    body: () => ({ transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 }),
  },
  {
    apiKey: 23,
    version: 4,
    error: T,
    body: () => ({
      replicaId: -1,
      topics: [{ topic: TOPIC, partitions: [{ partition: 0, currentLeaderEpoch: -1, leaderEpoch: 0 }] }],
    }),
  },
  {
    apiKey: 24,
    version: 3,
    error: X,
    body: () => ({
      v3AndBelowTransactionalId: TXN,
      v3AndBelowProducerId: 1n,
      v3AndBelowProducerEpoch: 0,
      v3AndBelowTopics: [{ name: TOPIC, partitions: [0] }],
    }),
  },
  {
    apiKey: 25,
    version: 3,
    error: X,
    body: () => ({ transactionalId: TXN, producerId: 1n, producerEpoch: 0, groupId: GROUP }),
  },
  {
    apiKey: 26,
    version: 3,
    error: X,
    body: () => ({ transactionalId: TXN, producerId: 1n, producerEpoch: 0, committed: true }),
  },
  {
    apiKey: 27,
    version: 1,
    error: C,
    body: () => ({
      markers: [
        {
          producerId: 1n,
          producerEpoch: 0,
          transactionResult: true,
          topics: [{ name: TOPIC, partitionIndexes: [0] }],
          coordinatorEpoch: 0,
        },
      ],
    }),
  },
  { apiKey: 28, version: 3, error: X, body: () => txnOffsetCommitBody() },
  {
    apiKey: 61,
    version: 0,
    error: T,
    body: () => ({ topics: [{ name: TOPIC, partitionIndexes: [0] }] }),
  },
  { apiKey: 65, version: 0, error: X, body: () => ({ transactionalIds: [TXN] }) },
  {
    apiKey: 66,
    version: 1,
    error: undefined,
    hidden: (r) => r.transactionStates as unknown[],
    body: () => ({ stateFilters: [], producerIdFilters: [], durationFilter: -1n }),
  },
  { apiKey: 29, version: 3, error: C, body: () => aclFilterBody() },
  {
    apiKey: 30,
    version: 3,
    error: C,
    body: () => ({
      creations: [
        {
          resourceType: 2,
          resourceName: TOPIC,
          resourcePatternType: 3,
          principal: 'User:eve',
          host: '*',
          operation: 3,
          permissionType: 3,
        },
      ],
    }),
  },
  { apiKey: 31, version: 3, error: C, body: () => ({ filters: [aclFilterBody()] }) },
  {
    apiKey: 32,
    version: 4,
    error: T,
    body: () => ({
      resources: [{ resourceType: 2, resourceName: TOPIC, configurationKeys: null }],
      includeSynonyms: false,
      includeDocumentation: false,
    }),
  },
  {
    apiKey: 33,
    version: 2,
    error: T,
    body: () => ({
      resources: [
        { resourceType: 2, resourceName: TOPIC, configs: [{ name: 'retention.ms', value: '1000' }] },
      ],
      validateOnly: false,
    }),
  },
  {
    apiKey: 34,
    version: 2,
    error: C,
    body: () => ({ dirs: [{ path: '/data', topics: [{ name: TOPIC, partitions: [0] }] }] }),
  },
  { apiKey: 35, version: 4, error: C, body: () => ({ topics: null }) },
  {
    apiKey: 37,
    version: 3,
    error: T,
    body: () => ({
      topics: [{ name: TOPIC, count: 4, assignments: null }],
      timeoutMs: 10_000,
      validateOnly: false,
    }),
  },
  { apiKey: 42, version: 2, error: G, body: () => ({ groupsNames: [GROUP] }) },
  {
    apiKey: 43,
    version: 2,
    error: C,
    body: () => ({
      electionType: 0,
      topicPartitions: [{ topic: TOPIC, partitions: [0] }],
      timeoutMs: 10_000,
    }),
  },
  {
    apiKey: 44,
    version: 1,
    error: T,
    body: () => ({
      resources: [
        {
          resourceType: 2,
          resourceName: TOPIC,
          configs: [{ name: 'retention.ms', configOperation: 0, value: '1000' }],
        },
      ],
      validateOnly: false,
    }),
  },
  {
    apiKey: 45,
    version: 0,
    error: C,
    body: () => ({
      timeoutMs: 10_000,
      topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, replicas: [1] }] }],
    }),
  },
  { apiKey: 46, version: 0, error: C, body: () => ({ timeoutMs: 10_000, topics: null }) },
  {
    apiKey: 47,
    version: 0,
    error: G,
    body: () => ({ groupId: GROUP, topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0 }] }] }),
  },
  { apiKey: 48, version: 1, error: C, body: () => ({ components: [], strict: false }) },
  {
    apiKey: 49,
    version: 1,
    error: C,
    body: () => ({
      entries: [
        {
          entity: [{ entityType: 'client-id', entityName: 'c' }],
          ops: [{ key: 'producer_byte_rate', value: 1000, remove: false }],
        },
      ],
      validateOnly: false,
    }),
  },
  { apiKey: 50, version: 0, error: C, body: () => ({ users: null }) },
  {
    apiKey: 51,
    version: 0,
    error: C,
    body: () => ({
      deletions: [],
      upsertions: [
        {
          name: 'eve',
          mechanism: 1,
          iterations: 4096,
          salt: Buffer.from('s'),
          saltedPassword: Buffer.alloc(32),
        },
      ],
    }),
  },
  {
    apiKey: 60,
    version: 1,
    error: C,
    body: () => ({ includeClusterAuthorizedOperations: true, endpointType: 1 }),
  },
];

/** APIs any client may use: the handshake before authentication. */
const UNGUARDED = new Set([17, 18, 36]);

function txnOffsetCommitBody(): object {
  return {
    transactionalId: TXN,
    groupId: GROUP,
    producerId: 1n,
    producerEpoch: 0,
    generationId: -1,
    memberId: '',
    groupInstanceId: null,
    topics: [
      {
        name: TOPIC,
        partitions: [
          { partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: '' },
        ],
      },
    ],
  };
}

function aclFilterBody(): object {
  return {
    resourceTypeFilter: 1,
    resourceNameFilter: null,
    patternTypeFilter: 1,
    principalFilter: null,
    hostFilter: null,
    operation: 1,
    permissionType: 1,
  };
}

/** Every errorCode field anywhere in a response. */
function errorCodes(value: unknown, out: number[] = []): number[] {
  if (Array.isArray(value)) for (const v of value) errorCodes(v, out);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if ((k === 'errorCode' || k === 'partitionErrorCode') && typeof v === 'number') out.push(v);
      else errorCodes(v, out);
    }
  }
  return out;
}

function sessionOf(user: string): Session {
  const s = new Session(PLAINTEXT_LISTENER, '10.0.0.7', undefined);
  s.principal = { type: 'User', name: user };
  return s;
}

let h: Harness;

beforeEach(async () => {
  h = createHarness({
    security: { ...DEFAULT_SECURITY, authorizer: 'acl', superUsers: ['User:admin'] },
  });
  await h.services.security.acls!.reload();
  await h.createTopic(TOPIC, 1);
  await h.storage.append(TOPIC, 0, batch(2));
});

describe('authorization on every API', () => {
  it('has a case for every registered handler', () => {
    const covered = new Set(CASES.map((c) => c.apiKey));
    const missing = HANDLERS.map((x) => x.apiKey).filter((k) => !covered.has(k) && !UNGUARDED.has(k));
    expect(missing).toEqual([]);
  });

  it.each(CASES.map((c) => [c.apiKey, c] as const))(
    'api key %i refuses a principal without ACLs',
    async (_k, c) => {
      h.session = sessionOf('eve');
      const res = await h.call<Record<string, unknown>>(c.apiKey, c.version, c.body());
      if (c.error !== undefined) expect(errorCodes(res)).toContain(c.error);
      else expect(c.hidden!(res)).toEqual([]);
      // Nothing was written or removed on the denied principal's behalf.
      expect((await h.storage.offsets(TOPIC, 0)).highWatermark).toBe(2n);
      expect((await h.storage.describeTopic(TOPIC))?.partitions).toBe(1);
      expect(await h.storage.describeTopic('new-topic')).toBeUndefined();
    },
  );

  it.each(CASES.map((c) => [c.apiKey, c] as const))('api key %i lets a super user through', async (_k, c) => {
    h.session = sessionOf('admin');
    const res = await h.call<Record<string, unknown>>(c.apiKey, c.version, c.body());
    for (const code of [T, G, C, X]) expect(errorCodes(res)).not.toContain(code);
  });
});

describe('transaction APIs with some ACLs (as Kafka 3.9 checks them)', () => {
  const OPEN = 'open';
  const allow = async (resourceType: number, name: string, operation: number): Promise<void> => {
    await h.services.security.acls!.create({
      resourceType: resourceType as AclBinding['resourceType'],
      resourceName: name,
      patternType: PatternType.LITERAL,
      principal: 'User:eve',
      host: '*',
      operation: operation as AclBinding['operation'],
      permissionType: PermissionType.ALLOW,
    });
  };
  /** Starts a transaction on TOPIC as the super user; returns its producer id and epoch. */
  const beginAsAdmin = async (transactionalId: string): Promise<{ producerId: bigint; epoch: number }> => {
    h.session = sessionOf('admin');
    const init = await h.call<{ errorCode: number; producerId: bigint; producerEpoch: number }>(22, 4, {
      transactionalId,
      transactionTimeoutMs: 60_000,
      producerId: -1n,
      producerEpoch: -1,
    });
    expect(init.errorCode).toBe(ErrorCode.NONE);
    const added = await h.call<Record<string, unknown>>(24, 3, {
      v3AndBelowTransactionalId: transactionalId,
      v3AndBelowProducerId: init.producerId,
      v3AndBelowProducerEpoch: init.producerEpoch,
      v3AndBelowTopics: [{ name: TOPIC, partitions: [0] }],
    });
    expect(errorCodes(added).every((c) => c === ErrorCode.NONE)).toBe(true);
    return { producerId: init.producerId, epoch: init.producerEpoch };
  };

  beforeEach(async () => {
    await h.services.transactions.load();
    await h.createTopic(OPEN, 1);
    await allow(ResourceType.TRANSACTIONAL_ID, TXN, AclOperation.WRITE);
    await allow(ResourceType.TOPIC, OPEN, AclOperation.WRITE);
  });

  afterEach(() => h.services.transactions.close());

  it('AddPartitionsToTxn: a topic not writable fails, the other partitions are not attempted', async () => {
    h.session = sessionOf('eve');
    const res = await h.call<{
      resultsByTopicV3AndBelow: { name: string; resultsByPartition: { partitionErrorCode: number }[] }[];
    }>(24, 3, {
      v3AndBelowTransactionalId: TXN,
      v3AndBelowProducerId: 1n,
      v3AndBelowProducerEpoch: 0,
      v3AndBelowTopics: [
        { name: TOPIC, partitions: [0] },
        { name: OPEN, partitions: [0] },
      ],
    });
    const codes = Object.fromEntries(
      res.resultsByTopicV3AndBelow.map((t) => [t.name, t.resultsByPartition[0]!.partitionErrorCode]),
    );
    expect(codes).toEqual({ [TOPIC]: T, [OPEN]: ErrorCode.OPERATION_NOT_ATTEMPTED });
  });

  it("AddPartitionsToTxn v4 (the brokers' form) asks CLUSTER_ACTION", async () => {
    h.session = sessionOf('eve');
    const res = await h.call<{ errorCode: number }>(24, 4, {
      transactions: [
        { transactionalId: TXN, producerId: 1n, producerEpoch: 0, verifyOnly: true, topics: [] },
      ],
      v3AndBelowTransactionalId: '',
      v3AndBelowProducerId: 0n,
      v3AndBelowProducerEpoch: 0,
      v3AndBelowTopics: [],
    });
    expect(res.errorCode).toBe(C);
  });

  it('AddOffsetsToTxn and TxnOffsetCommit ask READ on the group, then TxnOffsetCommit READ on each topic', async () => {
    h.session = sessionOf('eve');
    const body = { transactionalId: TXN, producerId: 1n, producerEpoch: 0, groupId: GROUP };
    expect((await h.call<{ errorCode: number }>(25, 3, body)).errorCode).toBe(G);
    expect(errorCodes(await h.call(28, 3, txnOffsetCommitBody()))).toEqual([G]);
    await allow(ResourceType.GROUP, GROUP, AclOperation.READ);
    expect((await h.call<{ errorCode: number }>(25, 3, body)).errorCode).not.toBe(G);
    expect(errorCodes(await h.call(28, 3, txnOffsetCommitBody()))).toEqual([T]);
  });

  it('DescribeTransactions leaves out topics the principal may not describe; ListTransactions its ids', async () => {
    await beginAsAdmin(TXN);
    await beginAsAdmin('tx-hidden');
    const describe = async (
      id: string,
    ): Promise<{ errorCode: number; transactionState: string; topics: unknown[] }> =>
      (
        await h.call<{
          transactionStates: { errorCode: number; transactionState: string; topics: unknown[] }[];
        }>(65, 0, { transactionalIds: [id] })
      ).transactionStates[0]!;
    const listed = async (): Promise<string[]> =>
      (
        await h.call<{ transactionStates: { transactionalId: string }[] }>(66, 1, {
          stateFilters: [],
          producerIdFilters: [],
          durationFilter: -1n,
        })
      ).transactionStates
        .map((t) => t.transactionalId)
        .sort();
    expect((await describe(TXN)).topics).toEqual([{ topic: TOPIC, partitions: [0] }]);
    expect(await listed()).toEqual(['tx-hidden', TXN].sort());

    // eve may WRITE (so DESCRIBE) TXN, not tx-hidden, and may not DESCRIBE the topic.
    h.session = sessionOf('eve');
    expect((await describe('tx-hidden')).errorCode).toBe(X);
    expect(await describe(TXN)).toMatchObject({
      errorCode: ErrorCode.NONE,
      transactionState: 'Ongoing',
      topics: [],
    });
    expect(await listed()).toEqual([TXN]);
    await allow(ResourceType.TOPIC, TOPIC, AclOperation.DESCRIBE);
    expect((await describe(TXN)).topics).toEqual([{ topic: TOPIC, partitions: [0] }]);
  });

  it('a transactional Produce asks WRITE on the transactional id', async () => {
    h.session = sessionOf('eve');
    const produce = (transactionalId: string) =>
      h.call<Record<string, unknown>>(0, 9, {
        transactionalId,
        acks: -1,
        timeoutMs: 1000,
        topicData: [{ name: OPEN, partitionData: [{ index: 0, records: batch(1) }] }],
      });
    expect(errorCodes(await produce('tx-other'))).toEqual([X]);
    expect(errorCodes(await produce(TXN))).not.toContain(X);
  });
});

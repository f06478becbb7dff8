import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import type {
  ApiVersionsResponse,
  FetchRequest,
  FetchResponse,
  ListOffsetsResponse,
  MetadataRequest,
  MetadataResponse,
  ProduceRequest,
  ProduceResponse,
} from '../../src/protocol/generated/index.js';
import { validateBatches } from '../../src/protocol/records/batch.js';
import { buildRecordBatch } from '../../src/protocol/records/builder.js';
import type { RunningGateway } from '../support/gateway.js';
import { startGateway } from '../support/gateway.js';
import { RawClient } from './support/client.js';
import { decodeResponse, withSize, requestFrame } from './support/wire.js';

/* Responses leave in request order, and requests of any size arrive whole. */

let gateway: RunningGateway;

beforeAll(async () => {
  gateway = await startGateway({ config: { maxRequestBytes: 16 << 20, messageMaxBytes: 8 << 20 } });
});

afterAll(async () => {
  await gateway.stop();
});

const ZERO_UUID = '0'.repeat(32);

function metadata(topic: string): MetadataRequest {
  return {
    topics: [{ topicId: ZERO_UUID, name: topic }],
    allowAutoTopicCreation: true,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  };
}

function produce(topic: string, records: Buffer, acks = -1): ProduceRequest {
  return {
    transactionalId: null,
    acks,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
  };
}

function fetchAt(
  topic: string,
  offset: bigint,
  maxWaitMs: number,
  partitionMaxBytes = 1 << 20,
): FetchRequest {
  return {
    clusterId: null,
    replicaId: -1,
    replicaState: { replicaId: -1, replicaEpoch: -1n },
    maxWaitMs,
    minBytes: 1,
    maxBytes: 32 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic,
        topicId: ZERO_UUID,
        partitions: [
          {
            partition: 0,
            currentLeaderEpoch: -1,
            fetchOffset: offset,
            lastFetchedEpoch: -1,
            logStartOffset: -1n,
            partitionMaxBytes,
            replicaDirectoryId: ZERO_UUID,
          },
        ],
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  };
}

function records(res: FetchResponse): Buffer {
  return (res.responses[0]!.partitions[0]!.records as Buffer | null) ?? Buffer.alloc(0);
}

async function createTopic(client: RawClient, name: string, correlationId: number): Promise<void> {
  const res = await client.call<MetadataResponse>(3, 12, metadata(name), correlationId);
  expect(res.topics[0]!.errorCode).toBe(ErrorCode.NONE);
}

describe('response order on one connection', () => {
  it('answers a Metadata sent behind a long-poll Fetch only after the Fetch', async () => {
    const a = await RawClient.connect(gateway.port);
    const b = await RawClient.connect(gateway.port);
    try {
      await createTopic(b, 'order', 1);
      // Both requests in one write: the Fetch waits for data, the Metadata could be answered at once.
      a.write(
        Buffer.concat([
          withSize(requestFrame(1, 12, fetchAt('order', 0n, 600_000), { correlationId: 501 })),
          withSize(requestFrame(3, 12, metadata('order'), { correlationId: 502 })),
        ]),
      );
      // A round trip on another connection lets the gateway process whatever it would answer early.
      await b.call<ApiVersionsResponse>(18, 0, {}, 2);
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
      expect(a.pending).toBe(0);
      const produced = await b.call<ProduceResponse>(
        0,
        9,
        produce('order', buildRecordBatch({ records: [{ key: null, value: Buffer.from('wake') }] })),
        3,
      );
      expect(produced.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.NONE);

      const first = decodeResponse<FetchResponse>(1, 12, await a.nextFrame());
      expect(first.correlationId).toBe(501);
      expect(validateBatches(records(first.body))[0]!.records()[0]!.value?.toString()).toBe('wake');
      const second = decodeResponse<MetadataResponse>(3, 12, await a.nextFrame());
      expect(second.correlationId).toBe(502);
    } finally {
      a.destroy();
      b.destroy();
    }
  });

  it('answers pipelined requests in the order sent', async () => {
    const a = await RawClient.connect(gateway.port);
    try {
      const frames: Buffer[] = [];
      for (let i = 0; i < 30; i++) {
        frames.push(
          i % 3 === 0
            ? withSize(
                requestFrame(
                  18,
                  3,
                  { clientSoftwareName: 'p', clientSoftwareVersion: '1' },
                  { correlationId: i },
                ),
              )
            : withSize(
                requestFrame(3, i % 3 === 1 ? 1 : 12, metadata(`pipe-${i % 4}`), { correlationId: i }),
              ),
        );
      }
      a.write(Buffer.concat(frames));
      const seen: number[] = [];
      for (let i = 0; i < 30; i++) seen.push((await a.nextFrame()).readInt32BE(0));
      expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => i));
    } finally {
      a.destroy();
    }
  });

  it('sends nothing for an acks=0 Produce: the next response on the wire is the next request', async () => {
    const a = await RawClient.connect(gateway.port);
    try {
      await createTopic(a, 'fire', 1);
      const batch = buildRecordBatch({ records: [{ key: Buffer.from('k'), value: Buffer.from('v') }] });
      a.write(
        Buffer.concat([
          withSize(requestFrame(0, 9, produce('fire', batch, 0), { correlationId: 70 })),
          withSize(requestFrame(18, 0, {}, { correlationId: 71 })),
        ]),
      );
      const next = await a.nextFrame();
      expect(next.readInt32BE(0)).toBe(71);
      decodeResponse<ApiVersionsResponse>(18, 0, next);
      // The batch was stored all the same.
      const offsets = await a.call<ListOffsetsResponse>(
        2,
        4,
        {
          replicaId: -1,
          isolationLevel: 0,
          topics: [
            {
              name: 'fire',
              partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n, maxNumOffsets: 1 }],
            },
          ],
        },
        72,
      );
      expect(offsets.topics[0]!.partitions[0]!.offset).toBe(1n);
      expect(a.pending).toBe(0);
    } finally {
      a.destroy();
    }
  });
});

describe('large requests', () => {
  it('receives a request far larger than a socket chunk intact', async () => {
    const a = await RawClient.connect(gateway.port);
    try {
      await createTopic(a, 'big', 1);
      const value = Buffer.alloc(5 << 20);
      for (let i = 0; i < value.length; i += 4) value.writeUInt32BE(i, i);
      const batch = buildRecordBatch({ records: [{ key: Buffer.from('big'), value }] });
      const res = await a.call<ProduceResponse>(0, 9, produce('big', batch), 80);
      expect(res.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.NONE);
      const fetched = await a.call<FetchResponse>(1, 12, fetchAt('big', 0n, 0, 8 << 20), 81);
      const [stored] = validateBatches(records(fetched));
      const [record] = stored!.records();
      expect(record!.key?.toString()).toBe('big');
      expect(record!.value!.equals(value)).toBe(true);
    } finally {
      a.destroy();
    }
  });
});

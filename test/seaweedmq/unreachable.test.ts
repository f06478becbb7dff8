import { createServer } from 'node:net';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config.js';
import { startGateway } from '../../src/gateway.js';
import type { FindCoordinatorResponse } from '../../src/protocol/generated/10-find-coordinator.js';
import type { JoinGroupResponse } from '../../src/protocol/generated/11-join-group.js';
import type { MetadataResponse } from '../../src/protocol/generated/03-metadata.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { RawClient } from '../server/support/client.js';
import { SeaweedMqStorage } from '../../src/storage/seaweedmq/index.js';
import { batchOf, expectKafkaError } from '../storage/helpers.js';

/** A loopback port nothing listens on (bound, then released). */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port - 10000 > 0 ? port - 10000 : port;
}

describe('SeaweedMqStorage with SeaweedMQ unreachable', () => {
  it('starts, logs the problem, and answers with retriable Kafka errors', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    const storage = new SeaweedMqStorage({
      masters: [`127.0.0.1:${await deadPort()}`],
      logger,
      requestTimeoutMs: 1000,
    });
    try {
      await storage.start();
      expect(lines.some((l) => /SeaweedMQ is unreachable/.test(l) && /"level":50/.test(l))).toBe(true);
      const retriable = ErrorCode.KAFKA_STORAGE_ERROR;
      await expectKafkaError(storage.createTopic({ name: 't', partitions: 1, configs: {} }), retriable);
      await expectKafkaError(storage.listTopics(), retriable);
      await expectKafkaError(storage.append('t', 0, batchOf(1)), retriable);
      await expectKafkaError(storage.read('t', 0, 0n, 1024), retriable);
      await expectKafkaError(storage.fetchOffsets('g'), retriable);
      await expectKafkaError(storage.kvGet('ns', 'k'), retriable);
      await expectKafkaError(storage.waitConnected(200), retriable);
    } finally {
      await storage.close();
    }
  });
});

describe('the gateway with SeaweedMQ unreachable', () => {
  it('listens, never falls back to memory, and answers Kafka requests with retriable errors', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    const masters = [`127.0.0.1:${await deadPort()}`];
    const gateway = await startGateway(
      {
        ...DEFAULT_CONFIG,
        host: '127.0.0.1',
        port: 0,
        store: 'seaweedmq',
        seaweedmq: { ...DEFAULT_CONFIG.seaweedmq, masters, requestTimeoutMs: 1000 },
      },
      logger,
    );
    const client = await RawClient.connect(gateway.address.port);
    try {
      expect(gateway.services.storage.kind).toBe('seaweedmq');
      expect(lines.some((l) => /SeaweedMQ is unreachable/.test(l))).toBe(true);
      // Groups are coordinated by whichever gateway holds their slot's lease in the filer; with the
      // filer away, none does yet, and clients are told to look again.
      expect(gateway.services.coordinatorSlots).toBeDefined();
      const meta = await client.call<MetadataResponse>(
        3,
        9,
        {
          topics: [{ name: 'orders' }],
          allowAutoTopicCreation: false,
          includeTopicAuthorizedOperations: false,
        },
        1,
      );
      expect(meta.topics[0]?.errorCode).toBe(ErrorCode.LEADER_NOT_AVAILABLE);
      const found = await client.call<FindCoordinatorResponse>(10, 3, { key: 'g', keyType: 0 }, 2);
      expect(found.errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
      const joined = await client.call<JoinGroupResponse>(
        11,
        5,
        {
          groupId: 'g',
          sessionTimeoutMs: 10_000,
          rebalanceTimeoutMs: 10_000,
          memberId: '',
          groupInstanceId: null,
          protocolType: 'consumer',
          protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
        },
        3,
      );
      expect(joined.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    } finally {
      client.destroy();
      await gateway.stop();
    }
  });
});

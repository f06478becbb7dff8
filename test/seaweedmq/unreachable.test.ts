import { createServer } from 'node:net';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/error-codes.js';
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

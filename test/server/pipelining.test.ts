/**
 * Produce requests of one connection are pipelined on stores that append in call order: the next
 * request is handled while the one before is still being written (and fsynced), so they share the
 * store's fsyncs, and the responses still leave in request order, with an idempotent producer's
 * pipelined batches accepted in sequence.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ProduceRequest, ProduceResponse } from '../../src/protocol/generated/index.js';
import { buildRecordBatch } from '../../src/protocol/records/builder.js';
import { MemoryStorage } from '../../src/storage/memory/memory-storage.js';
import type { AppendOptions, AppendResult } from '../../src/storage/storage.js';
import { startGateway, type RunningGateway } from '../support/gateway.js';
import { RawClient } from './support/client.js';
import { decodeResponse } from './support/wire.js';

/** A memory store whose appends take effect at once but are answered only when the gate opens. */
class GatedStorage extends MemoryStorage {
  appended = 0;
  private open!: () => void;
  private gate = new Promise<void>((resolve) => (this.open = resolve));

  constructor(inCallOrder: boolean) {
    super();
    // A store that cannot promise call order does not declare it.
    if (!inCallOrder) Object.defineProperty(this, 'appendsInCallOrder', { value: false });
  }

  override async append(topic: string, p: number, batches: Buffer, o?: AppendOptions): Promise<AppendResult> {
    const result = super.append(topic, p, batches, o);
    this.appended++;
    await this.gate;
    return result;
  }

  release(): void {
    this.open();
  }
}

function produce(seq: number): ProduceRequest {
  const records = buildRecordBatch({
    producerId: 9n,
    producerEpoch: 0,
    baseSequence: seq,
    records: [{ key: null, value: Buffer.from(`r${seq}`) }],
  });
  return {
    transactionalId: null,
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: 't', partitionData: [{ index: 0, records }] }],
  };
}

async function waitFor(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within 10 s`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('pipelined produce requests', () => {
  let gateway: RunningGateway | undefined;
  afterEach(async () => {
    await gateway?.stop();
    gateway = undefined;
  });

  async function sendFour(storage: GatedStorage): Promise<RawClient> {
    gateway = await startGateway({ storage });
    await storage.createTopic({ name: 't', partitions: 1, configs: {} });
    const client = await RawClient.connect(gateway.port);
    for (let seq = 0; seq < 3; seq++) client.send(0, 9, produce(seq), { correlationId: seq + 1 });
    client.send(
      3,
      9,
      { topics: [], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false },
      { correlationId: 4 },
    );
    return client;
  }

  it('hands the next request to the store before the first is answered, and answers in order', async () => {
    const storage = new GatedStorage(true);
    const client = await sendFour(storage);
    await waitFor(() => storage.appended === 3, 'three appends under way at once');
    expect(client.pending).toBe(0); // nothing answered while the first append is unfinished
    storage.release();
    const answers: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = decodeResponse<ProduceResponse>(0, 9, await client.nextFrame());
      const p = res.body.responses[0]!.partitionResponses[0]!;
      answers.push(`${res.correlationId}:${p.errorCode}@${p.baseOffset}`);
    }
    expect(answers).toEqual(['1:0@0', '2:0@1', '3:0@2']);
    expect(decodeResponse(3, 9, await client.nextFrame()).correlationId).toBe(4);
    client.socket.destroy();
  });

  it('handles one request at a time on a store that does not keep call order', async () => {
    const storage = new GatedStorage(false);
    const client = await sendFour(storage);
    await waitFor(() => storage.appended === 1, 'the first append');
    // The second request waits for the first to be answered.
    await new Promise((r) => setTimeout(r, 200));
    expect(storage.appended).toBe(1);
    storage.release();
    for (let id = 1; id <= 4; id++)
      expect(decodeResponse(id === 4 ? 3 : 0, 9, await client.nextFrame()).correlationId).toBe(id);
    expect(storage.appended).toBe(3);
    client.socket.destroy();
  });
});

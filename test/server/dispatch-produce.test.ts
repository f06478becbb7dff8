import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import type {
  InitProducerIdResponse,
  ProduceRequest,
  ProduceResponse,
  ProduceResponsePartitionProduceResponse,
} from '../../src/protocol/generated/index.js';
import { validateBatches } from '../../src/protocol/records/batch.js';
import type { RecordBatch } from '../../src/protocol/records/batch.js';
import { buildRecordBatch } from '../../src/protocol/records/builder.js';
import { PartialAppendError } from '../../src/storage/storage.js';
import type { Harness } from './support/harness.js';
import { batch, createHarness } from './support/harness.js';

function produce(topic: string, records: Buffer | null, acks = -1, partition = 0): ProduceRequest {
  return {
    transactionalId: null,
    acks,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
  };
}

async function send(
  h: Harness,
  req: ProduceRequest,
  version = 9,
): Promise<ProduceResponsePartitionProduceResponse> {
  const res = await h.call<ProduceResponse>(0, version, req);
  expect(res.responses).toHaveLength(1);
  expect(res.responses[0]!.name).toBe(req.topicData[0]!.name);
  return res.responses[0]!.partitionResponses[0]!;
}

async function stored(h: Harness, topic: string, partition = 0): Promise<RecordBatch[]> {
  const read = await h.storage.read(
    topic,
    partition,
    (await h.storage.offsets(topic, partition)).logStartOffset,
    1 << 30,
  );
  return read.batches.flatMap((b) => validateBatches(b, { fromClient: false }));
}

async function highWatermark(h: Harness, topic: string): Promise<bigint> {
  return (await h.storage.offsets(topic, 0)).highWatermark;
}

describe('Produce', () => {
  it.each([3, 5, 8, 9, 11])('v%i appends batches and answers with their base offsets', async (version) => {
    const h = createHarness();
    await h.createTopic('t');
    const first = await send(h, produce('t', batch(3)), version);
    expect(first).toMatchObject({ index: 0, errorCode: ErrorCode.NONE, baseOffset: 0n });
    const second = await send(h, produce('t', batch(2)), version);
    expect(second).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 3n });
    if (version >= 5) expect(second.logStartOffset).toBe(0n);
    if (version >= 2) expect(second.logAppendTimeMs).toBe(-1n);
    const batches = await stored(h, 't');
    expect(batches.map((b) => [b.baseOffset, b.recordCount])).toEqual([
      [0n, 3],
      [3n, 2],
    ]);
    expect(batches[1]!.records().map((r) => [r.offset, r.key?.toString(), r.value?.toString()])).toEqual([
      [3n, 'k0', 'v0'],
      [4n, 'k1', 'v1'],
    ]);
  });

  it('refuses two batches for one partition with INVALID_RECORD, as Kafka does, and stores neither', async () => {
    const h = createHarness();
    await h.createTopic('t');
    const res = await send(h, produce('t', Buffer.concat([batch(2), batch(1)])));
    expect(res).toMatchObject({ errorCode: ErrorCode.INVALID_RECORD, baseOffset: -1n });
    expect(res.errorMessage).toMatch(/exactly one record batch/);
    expect(await highWatermark(h, 't')).toBe(0n);
  });

  it('answers nothing for acks=0 but still stores the batch', async () => {
    const h = createHarness();
    await h.createTopic('t');
    expect(await h.callMaybe<ProduceResponse>(0, 9, produce('t', batch(2), 0))).toBeNull();
    expect(await highWatermark(h, 't')).toBe(2n);
  });

  it('refuses acks=2 with INVALID_REQUIRED_ACKS and stores nothing', async () => {
    const h = createHarness();
    await h.createTopic('t');
    const res = await send(h, produce('t', batch(2), 2));
    expect(res.errorCode).toBe(ErrorCode.INVALID_REQUIRED_ACKS);
    expect(await highWatermark(h, 't')).toBe(0n);
  });

  it('refuses a batch with a bad CRC with CORRUPT_MESSAGE and stores nothing of the request', async () => {
    const h = createHarness();
    await h.createTopic('t');
    const bad = batch(2);
    bad[bad.length - 1]! ^= 0xff;
    // A valid batch before the damaged one must not be stored either.
    const res = await send(h, produce('t', Buffer.concat([batch(1), bad])));
    expect(res).toMatchObject({ errorCode: ErrorCode.CORRUPT_MESSAGE, baseOffset: -1n });
    expect(res.errorMessage).toMatch(/CRC/);
    expect(await highWatermark(h, 't')).toBe(0n);
  });

  it('refuses a truncated batch with CORRUPT_MESSAGE', async () => {
    const h = createHarness();
    await h.createTopic('t');
    const res = await send(h, produce('t', batch(2).subarray(0, 40)));
    expect(res.errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(await highWatermark(h, 't')).toBe(0n);
  });

  it('refuses old message formats with UNSUPPORTED_FOR_MESSAGE_FORMAT', async () => {
    const h = createHarness();
    await h.createTopic('t');
    const v1 = batch(1);
    v1[16] = 1;
    expect((await send(h, produce('t', v1))).errorCode).toBe(ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT);
  });

  it('refuses a batch above the topic max.message.bytes with MESSAGE_TOO_LARGE', async () => {
    const h = createHarness();
    await h.createTopic('small', 1, { 'max.message.bytes': '200' });
    const big = buildValueBatch(300);
    expect(big.length).toBeGreaterThan(200);
    const res = await send(h, produce('small', big));
    expect(res.errorCode).toBe(ErrorCode.MESSAGE_TOO_LARGE);
    expect(await highWatermark(h, 'small')).toBe(0n);
    expect((await send(h, produce('small', batch(1)))).errorCode).toBe(ErrorCode.NONE);
  });

  it('refuses a batch above the gateway message.max.bytes when the topic sets none', async () => {
    const h = createHarness({ messageMaxBytes: 500 });
    await h.createTopic('t');
    expect((await send(h, produce('t', buildValueBatch(600)))).errorCode).toBe(ErrorCode.MESSAGE_TOO_LARGE);
    expect((await send(h, produce('t', buildValueBatch(100)))).errorCode).toBe(ErrorCode.NONE);
  });

  it('answers UNKNOWN_TOPIC_OR_PARTITION for a missing topic when auto-creation is off', async () => {
    const h = createHarness({ autoCreateTopics: false });
    const res = await send(h, produce('missing', batch(1)));
    expect(res.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(await h.storage.describeTopic('missing')).toBeUndefined();
  });

  it('auto-creates a missing topic when auto-creation is on', async () => {
    const h = createHarness();
    expect((await send(h, produce('auto', batch(1)))).errorCode).toBe(ErrorCode.NONE);
    expect(await highWatermark(h, 'auto')).toBe(1n);
  });

  it('answers UNKNOWN_TOPIC_OR_PARTITION for a partition the topic lacks', async () => {
    const h = createHarness();
    await h.createTopic('t', 2);
    expect((await send(h, produce('t', batch(1), -1, 2))).errorCode).toBe(
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    );
    expect((await send(h, produce('t', batch(1), -1, -1))).errorCode).toBe(
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    );
  });

  it('refuses a null or empty records field', async () => {
    const h = createHarness();
    await h.createTopic('t');
    expect((await send(h, produce('t', null))).errorCode).not.toBe(ErrorCode.NONE);
    expect((await send(h, produce('t', Buffer.alloc(0)))).errorCode).not.toBe(ErrorCode.NONE);
    expect(await highWatermark(h, 't')).toBe(0n);
  });

  it('stamps LogAppendTime on a topic with message.timestamp.type=LogAppendTime', async () => {
    const h = createHarness();
    await h.createTopic('lat', 1, { 'message.timestamp.type': 'LogAppendTime' });
    const before = BigInt(Date.now());
    const res = await send(h, produce('lat', batch(2, { baseTimestamp: 1000n })));
    const after = BigInt(Date.now());
    expect(res.errorCode).toBe(ErrorCode.NONE);
    expect(res.logAppendTimeMs).toBeGreaterThanOrEqual(before);
    expect(res.logAppendTimeMs).toBeLessThanOrEqual(after);
    const [b] = await stored(h, 'lat');
    expect(b!.timestampType).toBe(1);
    expect(b!.maxTimestamp).toBe(res.logAppendTimeMs);
    expect(b!.verifyCrc()).toBe(true);
    expect(b!.records().map((r) => r.timestamp)).toEqual([res.logAppendTimeMs, res.logAppendTimeMs]);
  });

  it('keeps CreateTime on other topics', async () => {
    const h = createHarness();
    await h.createTopic('ct');
    await send(h, produce('ct', batch(2, { baseTimestamp: 1000n })));
    const [b] = await stored(h, 'ct');
    expect(b!.timestampType).toBe(0);
    expect(b!.records().map((r) => r.timestamp)).toEqual([1000n, 1000n]);
  });
});

describe('idempotent producer', () => {
  async function producerId(h: Harness, version = 4): Promise<bigint> {
    const res = await h.call<InitProducerIdResponse>(22, version, {
      transactionalId: null,
      transactionTimeoutMs: 60000,
      producerId: -1n,
      producerEpoch: -1,
    });
    expect(res.errorCode).toBe(ErrorCode.NONE);
    expect(res.producerEpoch).toBe(0);
    return res.producerId!;
  }

  const idempotent = (pid: bigint, epoch: number, seq: number, count: number): Buffer =>
    batch(count, { producerId: pid, producerEpoch: epoch, baseSequence: seq });

  it.each([0, 1, 2, 3, 4, 5])('InitProducerId v%i hands out distinct ids at epoch 0', async (version) => {
    const h = createHarness();
    const a = await producerId(h, version);
    const b = await producerId(h, version);
    expect(a).toBeGreaterThanOrEqual(0n);
    expect(b).not.toBe(a);
  });

  it('InitProducerId with a transactional id is answered by the transaction coordinator', async () => {
    const h = createHarness();
    await h.services.transactions.load();
    const res = await h.call<InitProducerIdResponse>(22, 4, {
      transactionalId: 'tx',
      transactionTimeoutMs: 60000,
      producerId: -1n,
      producerEpoch: -1,
    });
    expect(res.errorCode).toBe(ErrorCode.NONE);
    expect(res.producerEpoch).toBe(0);
    expect(h.services.transactions.coordinator.metadata('tx')?.producerId).toBe(res.producerId);
    await h.services.transactions.close();
  });

  it('answers a retried batch with its original offset and stores it once', async () => {
    const h = createHarness();
    await h.createTopic('t');
    const pid = await producerId(h);
    await send(h, produce('t', batch(1)));
    const original = idempotent(pid, 0, 0, 2);
    const retry = Buffer.from(original);
    expect(await send(h, produce('t', original))).toMatchObject({
      errorCode: ErrorCode.NONE,
      baseOffset: 1n,
    });
    expect(await send(h, produce('t', retry))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 1n });
    expect(await highWatermark(h, 't')).toBe(3n);
    expect(await send(h, produce('t', idempotent(pid, 0, 2, 3)))).toMatchObject({
      errorCode: ErrorCode.NONE,
      baseOffset: 3n,
    });
    // An older batch of the recent ones is still recognised.
    expect(await send(h, produce('t', idempotent(pid, 0, 0, 2)))).toMatchObject({ baseOffset: 1n });
    expect(await highWatermark(h, 't')).toBe(6n);
  });

  it('stores only the rest when retrying a batch whose append failed after storing its first records', async () => {
    const h = createHarness();
    await h.createTopic('t');
    const pid = await producerId(h);
    await send(h, produce('t', batch(1)));
    const original = idempotent(pid, 0, 0, 5);
    // The store acknowledges two records of the batch, then fails (a SeaweedMQ stream that broke).
    const append = h.storage.append.bind(h.storage);
    h.storage.append = async (topic, partition) => {
      const head = validateBatches(original)[0]!.records().slice(0, 2);
      const done = await append(topic, partition, buildRecordBatch({ records: head, baseTimestamp: 1000n }));
      throw new PartialAppendError(ErrorCode.KAFKA_STORAGE_ERROR, 'stream broke', 2, done.baseOffset);
    };
    expect(await send(h, produce('t', original))).toMatchObject({
      errorCode: ErrorCode.KAFKA_STORAGE_ERROR,
    });
    h.storage.append = append;
    expect(await send(h, produce('t', Buffer.from(original)))).toMatchObject({
      errorCode: ErrorCode.NONE,
      baseOffset: 1n,
    });
    // Retried again: a plain duplicate now.
    expect(await send(h, produce('t', Buffer.from(original)))).toMatchObject({ baseOffset: 1n });
    expect(await send(h, produce('t', idempotent(pid, 0, 5, 1)))).toMatchObject({ baseOffset: 6n });
    const values = (await stored(h, 't')).flatMap((b) => b.records().map((r) => r.value?.toString()));
    expect(values).toEqual(['v0', 'v0', 'v1', 'v2', 'v3', 'v4', 'v0']);
    const resumed = (await stored(h, 't'))[2]!;
    expect([resumed.producerId, resumed.baseSequence, resumed.recordCount]).toEqual([pid, 2, 3]);
  });

  it('refuses a sequence gap with OUT_OF_ORDER_SEQUENCE_NUMBER', async () => {
    const h = createHarness();
    await h.createTopic('t');
    const pid = await producerId(h);
    await send(h, produce('t', idempotent(pid, 0, 0, 2)));
    const res = await send(h, produce('t', idempotent(pid, 0, 5, 1)));
    expect(res.errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(await highWatermark(h, 't')).toBe(2n);
  });

  it('refuses an older epoch with INVALID_PRODUCER_EPOCH', async () => {
    const h = createHarness();
    await h.createTopic('t');
    const pid = await producerId(h);
    expect((await send(h, produce('t', idempotent(pid, 1, 0, 1)))).errorCode).toBe(ErrorCode.NONE);
    const res = await send(h, produce('t', idempotent(pid, 0, 1, 1)));
    expect(res.errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect(await highWatermark(h, 't')).toBe(1n);
  });

  it('keeps sequences per partition', async () => {
    const h = createHarness();
    await h.createTopic('t', 2);
    const pid = await producerId(h);
    expect((await send(h, produce('t', idempotent(pid, 0, 0, 1), -1, 0))).baseOffset).toBe(0n);
    expect((await send(h, produce('t', idempotent(pid, 0, 0, 1), -1, 1))).baseOffset).toBe(0n);
    expect((await h.storage.offsets('t', 1)).highWatermark).toBe(1n);
  });
});

/** A batch of one record with a value of `valueBytes` bytes. */
function buildValueBatch(valueBytes: number): Buffer {
  return buildRecordBatch({
    baseTimestamp: 1000n,
    records: [{ key: null, value: Buffer.alloc(valueBytes, 0x61) }],
  });
}

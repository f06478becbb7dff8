import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ErrorCode, KafkaError } from '../../../src/protocol/error-codes.js';
import { PartitionPublisher } from '../../../src/storage/seaweedmq/publisher.js';
import type { ClientPool } from '../../../src/storage/seaweedmq/rpc.js';
import { PartialAppendError } from '../../../src/storage/storage.js';

/** A PublishMessage stream the test answers by hand. */
class FakeStream extends EventEmitter {
  readonly written: unknown[] = [];
  write(message: unknown): boolean {
    this.written.push(message);
    return true;
  }
  end(): void {}
  cancel(): void {}
}

function publisherOn(stream: FakeStream): PartitionPublisher {
  const pool = {
    get: () => ({ PublishMessage: () => stream }),
    reportFailure: () => undefined,
  } as unknown as ClientPool;
  const partition = { ring_size: 2520, range_start: 0, range_stop: 2520, unix_time_ns: '1' };
  return new PartitionPublisher(pool, 'b:1', { namespace: 'n', name: 't' }, partition, 'test', 60_000);
}

async function opened(stream: FakeStream): Promise<PartitionPublisher> {
  const publisher = publisherOn(stream);
  const ready = publisher.ready();
  stream.emit('data', { error_code: 0, error: '', assigned_offset: 0 });
  await ready;
  return publisher;
}

const message = (i: number) => ({ key: Buffer.from(`k${i}`), value: Buffer.alloc(0), ts_ns: String(i + 1) });

describe('PartitionPublisher', () => {
  it('resolves a batch with the offsets its acks carry, in order', async () => {
    const stream = new FakeStream();
    const publisher = await opened(stream);
    const sent = publisher.send([message(0), message(1)]);
    stream.emit('data', { error_code: 0, error: '', assigned_offset: 7 });
    stream.emit('data', { error_code: 0, error: '', assigned_offset: 8 });
    expect(await sent).toEqual([7n, 8n]);
  });

  it('says how much of a batch was stored when the stream breaks after some of its acks', async () => {
    const stream = new FakeStream();
    const publisher = await opened(stream);
    const first = publisher.send([message(0), message(1), message(2)]);
    const second = publisher.send([message(3)]);
    stream.emit('data', { error_code: 0, error: '', assigned_offset: 10 });
    stream.emit('data', { error_code: 0, error: '', assigned_offset: 11 });
    stream.emit('error', Object.assign(new Error('14 UNAVAILABLE: read ECONNRESET'), { code: 14 }));
    const err = await first.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PartialAppendError);
    expect(err).toMatchObject({ code: ErrorCode.KAFKA_STORAGE_ERROR, storedRecords: 2, baseOffset: 10n });
    // Nothing of the next batch was acknowledged: a plain, retriable failure.
    const other = await second.catch((e: unknown) => e);
    expect(other).toBeInstanceOf(KafkaError);
    expect(other).not.toBeInstanceOf(PartialAppendError);
  });
});

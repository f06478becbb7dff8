import { describe, expect, it } from 'vitest';
import { ErrorCode, KafkaError } from '../../../src/protocol/error-codes.js';
import { FRAME_HEADER, StreamError, type StreamHandlers } from '../../../src/storage/seaweedmq/h2-stream.js';
import { PbWriter } from '../../../src/storage/seaweedmq/pb-wire.js';
import type { PbDataMessage } from '../../../src/storage/seaweedmq/proto.js';
import { encodePublishRequest } from '../../../src/storage/seaweedmq/publish-codec.js';
import { PartitionPublisher, type PublishStream } from '../../../src/storage/seaweedmq/publisher.js';
import type { ClientPool } from '../../../src/storage/seaweedmq/rpc.js';
import { PartialAppendError } from '../../../src/storage/storage.js';

/** A PublishMessage stream the test answers by hand. */
class FakeStream implements PublishStream {
  readonly written: Buffer[][] = [];
  handlers!: StreamHandlers;
  write(messages: readonly Buffer[]): void {
    this.written.push([...messages]);
  }
  writeFrames(frames: Buffer): void {
    const messages: Buffer[] = [];
    for (let at = 0; at < frames.length;) {
      const size = frames.readUInt32BE(at + 1);
      messages.push(frames.subarray(at + FRAME_HEADER, at + FRAME_HEADER + size));
      at += FRAME_HEADER + size;
    }
    this.written.push(messages);
  }
  end(): void {}
  cancel(): void {}
  /** The broker's answer: an ack with this offset (or the empty hello when undefined). */
  ack(offset?: number): void {
    const w = new PbWriter(16);
    if (offset !== undefined) w.int(5, offset);
    this.handlers.message(w.finish());
  }
}

function publisherOn(stream: FakeStream): PartitionPublisher {
  const pool = { get: () => ({}), reportFailure: () => undefined } as unknown as ClientPool;
  const partition = { ring_size: 2520, range_start: 0, range_stop: 2520, unix_time_ns: '1' };
  const open = (_broker: string, handlers: StreamHandlers): PublishStream => {
    stream.handlers = handlers;
    return stream;
  };
  return new PartitionPublisher(pool, open, 'b:1', { namespace: 'n', name: 't' }, partition, 'test', 60_000);
}

async function opened(stream: FakeStream): Promise<PartitionPublisher> {
  const publisher = publisherOn(stream);
  const ready = publisher.ready();
  stream.ack();
  await ready;
  return publisher;
}

const message = (i: number) => ({ key: Buffer.from(`k${i}`), value: Buffer.alloc(0), ts_ns: String(i + 1) });

/** The messages as the storage hands them to send(): gRPC frames in one buffer, and their count. */
function framed(messages: PbDataMessage[]): [Buffer, number] {
  const frames = messages.map((m) => {
    const body = encodePublishRequest({ data: m });
    const header = Buffer.alloc(FRAME_HEADER);
    header.writeUInt32BE(body.length, 1);
    return Buffer.concat([header, body]);
  });
  return [Buffer.concat(frames), messages.length];
}

describe('PartitionPublisher', () => {
  it('resolves a batch with the offsets its acks carry, in order', async () => {
    const stream = new FakeStream();
    const publisher = await opened(stream);
    const sent = publisher.send(...framed([message(0), message(1)]));
    // The init, then both records in one write.
    expect(stream.written.map((w) => w.length)).toEqual([1, 2]);
    stream.ack(7);
    stream.ack(8);
    expect(await sent).toEqual([7n, 8n]);
  });

  it('says how much of a batch was stored when the stream breaks after some of its acks', async () => {
    const stream = new FakeStream();
    const publisher = await opened(stream);
    const first = publisher.send(...framed([message(0), message(1), message(2)]));
    const second = publisher.send(...framed([message(3)]));
    stream.ack(10);
    stream.ack(11);
    stream.handlers.end(new StreamError(14, 'read ECONNRESET'));
    const err = await first.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PartialAppendError);
    expect(err).toMatchObject({ code: ErrorCode.KAFKA_STORAGE_ERROR, storedRecords: 2, baseOffset: 10n });
    // Nothing of the next batch was acknowledged: a plain, retriable failure.
    const other = await second.catch((e: unknown) => e);
    expect(other).toBeInstanceOf(KafkaError);
    expect(other).not.toBeInstanceOf(PartialAppendError);
  });
});

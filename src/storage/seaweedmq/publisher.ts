/**
 * One long-lived PublishMessage stream to a partition's leader broker. An append's messages are written
 * as one http2 write (h2-stream.ts); the broker acks each message in order with its assigned offset, so
 * acks are matched to messages by position in a FIFO. A batch resolves once all its messages are acked.
 */
import { ErrorCode, KafkaError } from '../../protocol/error-codes.js';
import { PartialAppendError } from '../storage.js';
import { BrokerError } from './errors.js';
import type { StreamError, StreamHandlers } from './h2-stream.js';
import { type PbPartition, type PbTopic } from './proto.js';
import { decodePublishResponse, encodePublishRequest } from './publish-codec.js';
import { MessagingClient } from './proto.js';
import type { ClientPool } from './rpc.js';

interface PendingBatch {
  readonly offsets: bigint[];
  readonly count: number;
  readonly sentAt: number;
  resolve(offsets: bigint[]): void;
  reject(err: KafkaError): void;
}

/** The client side of a PublishMessage call, as this publisher uses it. */
export interface PublishStream {
  write(messages: readonly Buffer[]): void;
  writeFrames(frames: Buffer): void;
  end(): void;
  cancel(): void;
}

export type OpenPublishStream = (broker: string, handlers: StreamHandlers) => PublishStream;

export function brokerErrorToKafka(code: number, message: string): KafkaError {
  switch (code) {
    case BrokerError.NOT_LEADER:
      return new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, message);
    case BrokerError.TOPIC_NOT_FOUND:
    case BrokerError.PARTITION_NOT_FOUND:
      return new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, message);
    case BrokerError.REQUEST_TIMED_OUT:
      return new KafkaError(ErrorCode.REQUEST_TIMED_OUT, message);
    case BrokerError.MESSAGE_TOO_LARGE:
      return new KafkaError(ErrorCode.MESSAGE_TOO_LARGE, message);
    default:
      return new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, message);
  }
}

export class PartitionPublisher {
  private call: PublishStream | undefined;
  private opening: Promise<void> | undefined;
  private helloSeen = false;
  /** One slot per message in flight, pointing at its batch. */
  private readonly fifo: PendingBatch[] = [];
  private fifoHead = 0;
  private timer: NodeJS.Timeout | undefined;
  private broken: KafkaError | undefined;
  private lastTsNs = 0n;

  constructor(
    private readonly pool: ClientPool,
    private readonly openStream: OpenPublishStream,
    readonly broker: string,
    private readonly topic: PbTopic,
    readonly partition: PbPartition,
    private readonly name: string,
    private readonly ackTimeoutMs: number,
  ) {}

  get isBroken(): boolean {
    return this.broken !== undefined;
  }

  get inFlight(): number {
    return this.fifo.length - this.fifoHead;
  }

  /** Strictly increasing append-time stamps, as the broker's log buffer wants them. */
  nextTsNs(): bigint {
    const now = BigInt(Date.now()) * 1_000_000n;
    this.lastTsNs = now > this.lastTsNs ? now : this.lastTsNs + 1n;
    return this.lastTsNs;
  }

  /** Opens the stream (init + the broker's hello). Nothing has been sent when this fails. */
  async ready(): Promise<void> {
    if (this.broken) throw this.broken;
    await this.open();
  }

  /**
   * Sends `count` messages already framed (encodeDataFrames) after ready(); resolves with each
   * message's offset once the broker acked all of them.
   */
  send(frames: Buffer, count: number): Promise<bigint[]> {
    const call = this.call;
    if (this.broken || call === undefined || !this.helloSeen) {
      return Promise.reject(this.broken ?? this.fail('publish stream closed'));
    }
    return new Promise<bigint[]>((resolve, reject) => {
      const batch: PendingBatch = {
        offsets: [],
        count,
        sentAt: Date.now(),
        resolve,
        reject,
      };
      for (let i = 0; i < count; i++) this.fifo.push(batch);
      call.writeFrames(frames);
      this.armTimer();
    });
  }

  close(): void {
    this.teardown(new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, 'publisher closed'));
  }

  /**
   * Ends the stream cleanly and waits (bounded) until the broker has ended it too. When this was the
   * partition's last publisher and nothing subscribes, the broker flushes the partition to the filer
   * and drops it from memory before it ends the stream (broker_grpc_pub.go); close() only cancels,
   * and the broker then does the same at some later moment.
   */
  async finish(): Promise<void> {
    const call = this.call;
    if (call === undefined || !this.helloSeen || this.inFlight > 0) {
      this.close();
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.ackTimeoutMs);
      timer.unref();
      this.onEnd = () => {
        clearTimeout(timer);
        resolve();
      };
      call.end();
    });
    this.close();
  }

  private onEnd: (() => void) | undefined;

  private open(): Promise<void> {
    if (this.call !== undefined && this.helloSeen) return Promise.resolve();
    if (this.opening) return this.opening;
    this.opening = new Promise<void>((resolve, reject) => {
      // Through the pool, so a broker that is away or settling is not called (broker-gate.ts).
      this.pool.get(MessagingClient, this.broker);
      // A broker that never answers the init must not hold appends forever.
      const helloTimer = setTimeout(() => {
        const err = new KafkaError(
          ErrorCode.REQUEST_TIMED_OUT,
          `no answer from ${this.broker} to publish init`,
        );
        this.teardown(err);
        reject(err);
      }, this.ackTimeoutMs);
      helloTimer.unref();
      const call = this.openStream(this.broker, {
        message: (bytes) => {
          const res = decodePublishResponse(bytes);
          if (this.helloSeen) {
            this.onAck(res.errorCode, res.error, res.assignedOffset);
            return;
          }
          clearTimeout(helloTimer);
          // The broker answers the init message once: empty when it accepted, an error otherwise.
          if (res.errorCode !== 0 || res.error) {
            const err = brokerErrorToKafka(res.errorCode, `publish to ${this.broker}: ${res.error}`);
            this.teardown(err);
            reject(err);
            return;
          }
          this.helloSeen = true;
          resolve();
        },
        end: (err: StreamError | undefined) => {
          clearTimeout(helloTimer);
          const done = this.onEnd;
          this.onEnd = undefined;
          done?.();
          if (err !== undefined) this.pool.reportFailure(this.broker, err);
          const e = this.fail(
            err === undefined
              ? `publish stream to ${this.broker} ended`
              : `publish stream to ${this.broker} failed: ${err.message}`,
          );
          this.teardown(e);
          reject(e);
        },
      });
      this.call = call;
      call.write([
        encodePublishRequest({
          init: { topic: this.topic, partition: this.partition, ack_interval: 1, publisher_name: this.name },
        }),
      ]);
    }).finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  private onAck(errorCode: number, error: string, offset: bigint): void {
    const batch = this.fifo[this.fifoHead];
    if (batch === undefined) return; // an ack for nothing we sent: ignore
    if (errorCode !== 0 || error) {
      this.teardown(brokerErrorToKafka(errorCode, `publish to ${this.broker}: ${error}`));
      return;
    }
    this.fifo[this.fifoHead] = undefined as unknown as PendingBatch;
    this.fifoHead++;
    if (this.fifoHead > 1024 && this.fifoHead * 2 > this.fifo.length) {
      this.fifo.splice(0, this.fifoHead);
      this.fifoHead = 0;
    }
    batch.offsets.push(offset);
    if (batch.offsets.length === batch.count) batch.resolve(batch.offsets);
    if (this.inFlight === 0) this.clearTimer();
  }

  private armTimer(): void {
    if (this.timer) return;
    this.timer = setInterval(
      () => {
        const head = this.fifo[this.fifoHead];
        if (head !== undefined && Date.now() - head.sentAt > this.ackTimeoutMs) {
          this.teardown(
            new KafkaError(
              ErrorCode.REQUEST_TIMED_OUT,
              `no ack from ${this.broker} within ${this.ackTimeoutMs} ms`,
            ),
          );
        }
      },
      Math.max(100, Math.min(1000, this.ackTimeoutMs / 4)),
    );
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private fail(message: string): KafkaError {
    return new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, message);
  }

  /** Fails everything in flight: any of it may or may not be stored, so the client must decide. */
  private teardown(err: KafkaError): void {
    if (this.broken === undefined) this.broken = err;
    this.clearTimer();
    const call = this.call;
    this.call = undefined;
    call?.cancel();
    const seen = new Set<PendingBatch>();
    for (let i = this.fifoHead; i < this.fifo.length; i++) {
      const b = this.fifo[i]!;
      if (!seen.has(b)) {
        seen.add(b);
        // Acks come in order: the batch's acknowledged records are a prefix of it.
        const first = b.offsets[0];
        b.reject(
          first === undefined ? err : new PartialAppendError(err.code, err.message, b.offsets.length, first),
        );
      }
    }
    this.fifo.length = 0;
    this.fifoHead = 0;
  }
}

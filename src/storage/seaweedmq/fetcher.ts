/** Stateless reads from a partition's leader with FetchMessage, decoded into Kafka records. */
import type { Logger } from 'pino';
import { ErrorCode, KafkaError } from '../../protocol/error-codes.js';
import type { PartitionRoute } from './routes.js';
import { decodeMessage, type KafkaRecord } from './envelope.js';
import { toKafkaError } from './errors.js';
import { FetchClient } from './fetch-codec.js';
import { MessagingClient, type PbFetchResponse, type PbRangeInfo, type PbTopic } from './proto.js';
import { unary, type ClientPool } from './rpc.js';

export interface FetchResult {
  /** records[i] is at offset start + i. */
  readonly records: KafkaRecord[];
  readonly start: bigint;
  readonly highWatermark: bigint;
  readonly logStartOffset: bigint;
}

/** The broker caps max_messages at 10000 and max_bytes at 100 MiB. */
const MAX_MESSAGES = 10_000;

export class Fetcher {
  constructor(
    private readonly pool: ClientPool,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
  ) {}

  async fetch(
    topic: PbTopic,
    route: PartitionRoute,
    offset: bigint,
    maxBytes: number,
    maxMessages = MAX_MESSAGES,
  ): Promise<FetchResult> {
    let res: PbFetchResponse;
    try {
      res = await unary<PbFetchResponse>(
        this.pool.get(FetchClient, route.leader),
        'FetchMessage',
        {
          topic,
          partition: route.partition,
          start_offset: offset.toString(),
          max_bytes: Math.max(1, Math.min(maxBytes, 100 * 1024 * 1024)),
          max_messages: Math.min(maxMessages, MAX_MESSAGES),
        },
        this.timeoutMs,
      );
    } catch (err) {
      throw toKafkaError(err, `fetch ${topic.name} at ${offset}`);
    }
    const highWatermark = BigInt(res.high_water_mark);
    const logStartOffset = BigInt(res.log_start_offset);
    if (res.error_code === 2) {
      throw new KafkaError(
        ErrorCode.OFFSET_OUT_OF_RANGE,
        `offset ${offset} is outside [${logStartOffset}, ${highWatermark}] of ${topic.name}`,
      );
    }
    if (res.error_code !== 0 || res.error) {
      throw new KafkaError(
        // The topic is known to exist (its topic.conf was read first): a broker that cannot find the
        // partition is still taking it over, e.g. right after a restart.
        res.error_code === 1 ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.KAFKA_STORAGE_ERROR,
        `fetch ${topic.name} at ${offset}: ${res.error}`,
      );
    }
    // Messages carry no offsets: the broker's next offset is the only check that the i-th one is at
    // offset + i. It is not when offsets were handed out twice (a broker restart that lost its
    // counter): refuse rather than number records wrongly.
    const next = BigInt(res.next_offset);
    if (res.messages.length > 0 && next !== 0n && next !== offset + BigInt(res.messages.length)) {
      const message =
        `SeaweedMQ returned ${res.messages.length} records of ${topic.name} from offset ${offset} ` +
        `ending before ${next}: their offsets are not consecutive`;
      this.logger.error({ topic: topic.name, offset: String(offset), next: String(next) }, message);
      throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, message);
    }
    return { records: res.messages.map(decodeMessage), start: offset, highWatermark, logStartOffset };
  }

  /**
   * The partition's high watermark from GetPartitionRangeInfo. A broker that has not loaded the
   * partition since it started answers from its offset manager alone, which can say 0 (or less than
   * we saw) for a partition with records; then a one-record FetchMessage makes it load the partition,
   * reading the segments' offsets, and the larger answer wins.
   */
  async highWatermark(topic: PbTopic, route: PartitionRoute, atLeast: bigint): Promise<bigint> {
    const hwm = await this.rangeHighWatermark(topic, route);
    if (hwm > 0n && hwm >= atLeast) return hwm;
    const probe = await this.fetch(topic, route, atLeast > hwm ? atLeast : hwm, 1, 1).catch(
      (err: unknown) => {
        if (err instanceof KafkaError && err.code === ErrorCode.OFFSET_OUT_OF_RANGE) return undefined;
        throw err;
      },
    );
    return probe !== undefined && probe.highWatermark > hwm ? probe.highWatermark : hwm;
  }

  /**
   * GetPartitionRangeInfo's answer alone: the larger of the broker's offset counter for the partition
   * and the end of its log buffer when the partition is loaded. Does not load the partition.
   */
  async rangeHighWatermark(topic: PbTopic, route: PartitionRoute): Promise<bigint> {
    let res: PbRangeInfo;
    try {
      res = await unary<PbRangeInfo>(
        this.pool.get(MessagingClient, route.leader),
        'GetPartitionRangeInfo',
        { topic, partition: route.partition },
        this.timeoutMs,
      );
    } catch (err) {
      throw toKafkaError(err, `offsets of ${topic.name}`);
    }
    if (res.error || res.offset_range === null) {
      throw new KafkaError(
        ErrorCode.KAFKA_STORAGE_ERROR,
        `offsets of ${topic.name}: ${res.error || 'no range'}`,
      );
    }
    return BigInt(res.offset_range.high_water_mark);
  }
}

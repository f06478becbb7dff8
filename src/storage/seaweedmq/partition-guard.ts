/**
 * Keeps a restarted SeaweedMQ broker from handing out offsets again, and says so when it did.
 *
 * A broker restores a partition's offset counter from its checkpoint alone, written every 2 s, so
 * after a stop it would count again from before records it had flushed (or acknowledged). Before the
 * first broker call on a partition after the broker came back (or moved, or since this gateway
 * started), the guard sets the checkpoint to the last flushed offset (Durability.repair): the broker
 * then continues right after the persisted records. When a new publish stream starts, the broker's
 * next offset is compared with what is known to be taken:
 *
 * - not right after the last flushed offset (once what the broker still holds is flushed): the broker
 *   loaded the partition before the repair (another client reached it first) and would give two
 *   records one offset, or leave a gap that SeaweedMQ's positional reads turn into wrongly numbered
 *   records. Appends are refused (KAFKA_STORAGE_ERROR, saying why) until the broker counts on from the
 *   persisted records, e.g. after its next restart, which reads the repaired checkpoint.
 * - below the end of what this gateway had acknowledged: records acknowledged with acks=0 or 1 were
 *   lost with the broker's memory and their offsets will be used again. Logged as an error, with the
 *   range; caches of the partition are dropped so nothing this gateway held of them is served again.
 */
import type { Logger } from 'pino';
import { ErrorCode, KafkaError } from '../../protocol/error-codes.js';
import type { BrokerGate } from './broker-gate.js';
import type { Durability } from './durability.js';
import type { PartitionRoute } from './routes.js';

/** How often a refused partition asks the broker again whether its counter moved past the records. */
const FENCE_RECHECK_MS = 1_000;

interface GuardState {
  /** leader#epoch the partition was last repaired for. */
  verifiedFor: string | undefined;
  verifying: Promise<void> | undefined;
  flushedThrough: bigint;
  /** End (last offset + 1) of the offsets the broker handed out on the current streams. */
  brokerEnd: bigint;
  /** End of what this gateway acknowledged to clients without waiting for persistence (acks 0, 1). */
  volatileEnd: bigint;
  fence: KafkaError | undefined;
  fenceCheckedAt: number;
}

export class PartitionGuard {
  private readonly states = new Map<string, GuardState>();

  constructor(
    private readonly durability: Durability,
    private readonly gate: BrokerGate,
    private readonly nextOffset: (topic: string, route: PartitionRoute) => Promise<bigint>,
    private readonly forgetCaches: (topic: string, partition: number) => void,
    private readonly logger: Logger,
    /** How long a new stream waits for the broker to flush what it holds beyond the persisted records. */
    private readonly gapWaitMs = 15_000,
  ) {}

  /** Call before any broker call on the partition; cheap once it is verified for this broker epoch. */
  async ready(topic: string, route: PartitionRoute): Promise<void> {
    const s = this.state(topic, route);
    const epoch = `${route.leader}#${this.gate.epoch(route.leader)}`;
    if (s.verifiedFor === epoch) return;
    s.verifying ??= (async () => {
      const persisted = await this.durability.repair(topic, route.partition);
      s.flushedThrough = persisted.flushedThrough;
      s.verifiedFor = epoch;
      s.fenceCheckedAt = 0;
    })().finally(() => {
      s.verifying = undefined;
    });
    await s.verifying;
  }

  /**
   * Before the first record on a new publish stream: throws while the broker would give a new record
   * an offset that is not right after the persisted ones; logs records lost with the broker's memory.
   */
  async checkPublish(topic: string, partition: number, route: PartitionRoute): Promise<void> {
    const s = this.state(topic, route);
    if (s.fence !== undefined && Date.now() - s.fenceCheckedAt < FENCE_RECHECK_MS) throw s.fence;
    s.fenceCheckedAt = Date.now();
    const next = await this.nextOffset(topic, route);
    let persisted = s.flushedThrough;
    // Beyond the persisted records are either records still in the broker's memory, which it flushes
    // within its flush interval, or a gap left by a broker that loaded the partition before the repair.
    const deadline = Date.now() + this.gapWaitMs;
    while (next > persisted + 1n && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      persisted = (await this.durability.state(topic, route.partition)).flushedThrough;
    }
    s.flushedThrough = persisted;
    if (next !== persisted + 1n) {
      const problem =
        next <= persisted
          ? `would store the next record at offset ${next}, where records up to ${persisted} are persisted`
          : `would store the next record at offset ${next}, leaving a gap after the last persisted one, ${persisted}`;
      s.fence = new KafkaError(
        ErrorCode.KAFKA_STORAGE_ERROR,
        `${topic}-${partition} is refusing records: the SeaweedMQ broker ${route.leader} ${problem}; it ` +
          'loaded the partition before the gateway repaired its offset checkpoint, and a broker restart applies it',
      );
      this.logger.error(
        { topic, partition, next: String(next), persisted: String(persisted) },
        s.fence.message,
      );
      throw s.fence;
    }
    if (s.fence !== undefined) {
      this.logger.info(
        { topic, partition, next: String(next) },
        'SeaweedMQ counts on from the persisted records again; accepting records',
      );
      s.fence = undefined;
    }
    if (next < s.volatileEnd) {
      this.logger.error(
        { topic, partition, from: String(next), to: String(s.volatileEnd - 1n), broker: route.leader },
        'SeaweedMQ lost records acknowledged with acks=0 or acks=1 when its broker stopped; their ' +
          'offsets will be given to new records (acks=-1 records are never lost this way)',
      );
      s.volatileEnd = next;
    }
    // Whatever this gateway holds of offsets the broker will hand out again must not be served.
    if (next < s.brokerEnd) this.forgetCaches(topic, partition);
    s.brokerEnd = next;
  }

  /**
   * The broker acknowledged offsets [first, end); `durable` when the client is answered only once they
   * are persisted. An offset below one it handed out before, with no restart noticed in between, means
   * it counted again: said loudly, and the partition is checked afresh.
   */
  acknowledged(
    topic: string,
    partition: number,
    route: PartitionRoute,
    first: bigint,
    end: bigint,
    durable: boolean,
  ): void {
    const s = this.state(topic, route);
    if (first < s.brokerEnd) {
      this.logger.error(
        { topic, partition, first: String(first), handedOutEnd: String(s.brokerEnd) },
        'SeaweedMQ handed out offsets it had handed out before: two records now share them',
      );
      this.forgetCaches(topic, partition);
      s.verifiedFor = undefined;
    }
    if (end > s.brokerEnd) s.brokerEnd = end;
    if (!durable && end > s.volatileEnd) s.volatileEnd = end;
  }

  forgetTopic(topic: string): void {
    for (const k of this.states.keys()) if (k.startsWith(`${topic}\u0000`)) this.states.delete(k);
  }

  private state(topic: string, route: PartitionRoute): GuardState {
    const k = `${topic}\u0000${route.generation}`;
    let s = this.states.get(k);
    if (s === undefined) {
      s = {
        verifiedFor: undefined,
        verifying: undefined,
        flushedThrough: -1n,
        brokerEnd: 0n,
        volatileEnd: 0n,
        fence: undefined,
        fenceCheckedAt: 0,
      };
      this.states.set(k, s);
    }
    return s;
  }
}

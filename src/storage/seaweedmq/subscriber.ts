/**
 * A bounded read through SubscribeMessage, used only when FetchMessage answers nothing below the high
 * watermark. That happens when the broker reloads a partition whose first flushed segment carries no
 * offset attributes (docs/seaweedmq.md): its in-memory log buffer then believes the partition is
 * empty, while the subscribe path still reads the segments from the filer by offset.
 */
import type * as grpc from '@grpc/grpc-js';
import { decodeMessage, type KafkaRecord } from './envelope.js';
import { MessagingClient, type PbDataMessage, type PbTopic } from './proto.js';
import type { PartitionRoute } from './routes.js';
import type { ClientPool } from './rpc.js';

const EXACT_OFFSET = 25;

interface SubscribeResponse {
  message?: 'ctrl' | 'data';
  ctrl?: { error: string; is_end_of_stream: boolean; is_end_of_topic: boolean };
  data?: PbDataMessage;
}

type DuplexFactory = () => grpc.ClientDuplexStream<unknown, SubscribeResponse>;

export function readBySubscribe(
  pool: ClientPool,
  topic: PbTopic,
  route: PartitionRoute,
  offset: bigint,
  maxMessages: number,
  maxBytes: number,
  waitMs: number,
): Promise<KafkaRecord[]> {
  const client = pool.get(MessagingClient, route.leader) as unknown as { SubscribeMessage: DuplexFactory };
  const call = client.SubscribeMessage();
  const out: KafkaRecord[] = [];
  let bytes = 0;
  let lastTs: bigint | undefined;
  return new Promise<KafkaRecord[]>((resolve) => {
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      call.removeAllListeners('data');
      call.on('error', () => {});
      call.cancel();
      resolve(out);
    };
    // The broker streams until cancelled and says nothing when it has nothing: bound the wait.
    let timer = setTimeout(finish, waitMs);
    call.on('data', (res: SubscribeResponse) => {
      if (res.data) {
        // The subscribe path can send a message twice (seen: 9 sent for 3 stored); a partition's ts_ns
        // only grows, so anything not newer than the last one is a repeat.
        const ts = BigInt(res.data.ts_ns);
        if (lastTs !== undefined && ts <= lastTs) return;
        lastTs = ts;
        out.push(decodeMessage(res.data));
        bytes += res.data.key.length + res.data.value.length;
        // Acks release messages whose key is still "in flight" in the broker's sliding window.
        call.write({ ack: { ts_ns: res.data.ts_ns, key: res.data.key } });
        if (out.length >= maxMessages || bytes >= maxBytes) return finish();
        clearTimeout(timer);
        timer = setTimeout(finish, Math.min(waitMs, 200));
      } else if (res.ctrl?.error || res.ctrl?.is_end_of_stream || res.ctrl?.is_end_of_topic) {
        finish();
      }
    });
    call.on('error', finish);
    call.on('end', finish);
    call.write({
      init: {
        consumer_group: 'kafka-gateway',
        consumer_id: `reader-${process.pid}`,
        client_id: 'kafka-gateway',
        topic,
        partition_offset: { partition: route.partition, start_offset: offset.toString() },
        offset_type: EXACT_OFFSET,
        sliding_window_size: 1024,
      },
    });
  });
}

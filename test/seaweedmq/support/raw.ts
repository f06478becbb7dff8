/** Talks to SeaweedMQ directly over gRPC, as another SeaweedMQ client would, to check interoperation. */
import * as grpc from '@grpc/grpc-js';
import {
  MessagingClient,
  type PbAssignment,
  type PbDataMessage,
  type PbFetchResponse,
  type PbPublishResponse,
} from '../../../src/storage/seaweedmq/proto.js';
import { unary } from '../../../src/storage/seaweedmq/rpc.js';
import { toRoutes } from '../../../src/storage/seaweedmq/routes.js';

function client(broker: string): grpc.Client {
  return new MessagingClient(broker, grpc.credentials.createInsecure());
}

async function partitionOf(c: grpc.Client, namespace: string, name: string, index: number) {
  const res = await unary<{ broker_partition_assignments: PbAssignment[] }>(
    c,
    'LookupTopicBrokers',
    { topic: { namespace, name } },
    5000,
  );
  const route = toRoutes(res.broker_partition_assignments)[index];
  if (route === undefined) throw new Error(`no partition ${index} of ${namespace}.${name}`);
  return route.partition;
}

/** Publishes plain DataMessages and returns the offsets the broker assigned. */
export async function publishRaw(
  broker: string,
  namespace: string,
  name: string,
  index: number,
  messages: PbDataMessage[],
): Promise<bigint[]> {
  const c = client(broker);
  try {
    const partition = await partitionOf(c, namespace, name, index);
    const call = (
      c as unknown as { PublishMessage(): grpc.ClientDuplexStream<unknown, PbPublishResponse> }
    ).PublishMessage();
    const offsets: bigint[] = [];
    const done = new Promise<void>((resolve, reject) => {
      let hello = false;
      call.on('data', (res: PbPublishResponse) => {
        if (res.error) return reject(new Error(res.error));
        if (!hello) {
          hello = true;
          for (const m of messages) call.write({ data: m });
          return;
        }
        offsets.push(BigInt(res.assigned_offset));
        if (offsets.length === messages.length) resolve();
      });
      call.on('error', reject);
    });
    call.write({ init: { topic: { namespace, name }, partition, publisher_name: 'raw-test' } });
    await done;
    call.end();
    return offsets;
  } finally {
    c.close();
  }
}

export async function fetchRaw(
  broker: string,
  namespace: string,
  name: string,
  index: number,
  offset: bigint,
): Promise<PbFetchResponse> {
  const c = client(broker);
  try {
    const partition = await partitionOf(c, namespace, name, index);
    return await unary<PbFetchResponse>(
      c,
      'FetchMessage',
      { topic: { namespace, name }, partition, start_offset: offset.toString() },
      5000,
    );
  } finally {
    c.close();
  }
}

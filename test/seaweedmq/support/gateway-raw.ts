/**
 * Topic administration straight over SeaweedMQ's gRPC, as another SeaweedMQ client would do it (no
 * kafka-gateway.json, no envelope record type), for the gateway interoperation tests.
 */
import * as grpc from '@grpc/grpc-js';
import { MessagingClient, type PbAssignment } from '../../../src/storage/seaweedmq/proto.js';
import { unary } from '../../../src/storage/seaweedmq/rpc.js';

/** ConfigureTopic with a partition count only; returns the assignments the broker made. */
export async function configureRaw(
  broker: string,
  namespace: string,
  name: string,
  partitions: number,
): Promise<PbAssignment[]> {
  const client = new MessagingClient(broker, grpc.credentials.createInsecure());
  const deadline = Date.now() + 30_000;
  try {
    for (;;) {
      try {
        const res = await unary<{ broker_partition_assignments: PbAssignment[] }>(
          client,
          'ConfigureTopic',
          { topic: { namespace, name }, partition_count: partitions },
          10_000,
        );
        return res.broker_partition_assignments;
      } catch (err) {
        // A broker that has not yet learned its peers answers UNAVAILABLE ("dial tcp: missing
        // address"); the gateway retries the same way (topics.ts configure).
        if ((err as { code?: number }).code !== grpc.status.UNAVAILABLE || Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  } finally {
    client.close();
  }
}

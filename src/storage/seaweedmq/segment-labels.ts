/**
 * Adds the offset attributes SeaweedMQ leaves off a log segment whose window starts at offset 0
 * (broker_write.go sets them only when the first offset is above 0). A broker that loads a partition
 * takes its offsets from those attributes; when the only segments have none it counts from 0 again
 * while its offset counter goes on from the checkpoint, and records appended then cannot be read
 * (docs/seaweedmq.md, item 4). The entry is changed as raw protobuf bytes — its fields are kept
 * exactly and two map entries are appended — so nothing this gateway does not know is lost.
 */
import * as grpc from '@grpc/grpc-js';
import { PbReader, PbWriter, WireType } from './pb-wire.js';
import { splitPath } from './filer.js';

const identity = (b: Buffer): Buffer => b;

/** A unary filer method whose request and response are raw protobuf bytes. */
const raw = (method: string): grpc.MethodDefinition<Buffer, Buffer> => ({
  path: `/filer_pb.SeaweedFiler/${method}`,
  requestStream: false,
  responseStream: false,
  requestSerialize: identity,
  requestDeserialize: identity,
  responseSerialize: identity,
  responseDeserialize: identity,
});

const RawFilerClient = grpc.makeGenericClientConstructor(
  { LookupDirectoryEntry: raw('LookupDirectoryEntry'), UpdateEntry: raw('UpdateEntry') },
  'SeaweedFiler.Raw',
);

export type RawFilerClientType = InstanceType<typeof RawFilerClient>;
export { RawFilerClient };

function call(client: grpc.Client, method: string, request: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const fn = (
      client as unknown as Record<string, grpc.requestCallback<Buffer> & ((...a: unknown[]) => void)>
    )[method]!;
    fn.call(
      client,
      request,
      { deadline: Date.now() + timeoutMs },
      (err: grpc.ServiceError | null, res?: Buffer) => (err ? reject(err) : resolve(res ?? Buffer.alloc(0))),
    );
  });
}

function int64(v: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(v);
  return b;
}

/** The Entry bytes of a LookupDirectoryEntryResponse (field 1), or undefined. */
function entryOf(response: Buffer): Buffer | undefined {
  const r = new PbReader(response);
  while (!r.done) {
    const { field, type } = r.tag();
    if (field === 1 && type === WireType.Len) return r.bytes();
    r.skip(type);
  }
  return undefined;
}

/** Sets offset_min and offset_max on the segment at `path`. */
export async function labelSegment(
  client: grpc.Client,
  path: string,
  min: bigint,
  max: bigint,
  timeoutMs: number,
): Promise<void> {
  const { dir, name } = splitPath(path);
  const lookup = new PbWriter(64).string(1, dir).string(2, name).finish();
  const entry = entryOf(await call(client, 'LookupDirectoryEntry', lookup, timeoutMs));
  if (entry === undefined) return;
  const labels = new PbWriter(128);
  for (const [k, v] of [
    ['offset_min', int64(min)],
    ['offset_max', int64(max)],
  ] as const) {
    labels.message(5, (m) => m.string(1, k).bytes(2, v));
  }
  const update = new PbWriter(entry.length + 256)
    .string(1, dir)
    .bytes(2, Buffer.concat([entry, labels.finish()]))
    .finish();
  await call(client, 'UpdateEntry', update, timeoutMs);
}

/** One gRPC client per (service, address), unary calls with deadlines, and server-stream collection. */
import * as grpc from '@grpc/grpc-js';

const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.max_receive_message_length': 256 * 1024 * 1024,
  'grpc.max_send_message_length': 256 * 1024 * 1024,
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 10_000,
  'grpc.keepalive_permit_without_calls': 1,
  // Reconnect quickly after a broker restart instead of waiting out grpc-js's default backoff.
  'grpc.initial_reconnect_backoff_ms': 200,
  'grpc.max_reconnect_backoff_ms': 5_000,
};

export class ClientPool {
  private readonly clients = new Map<string, grpc.Client>();

  get(ctor: grpc.ServiceClientConstructor, address: string): grpc.Client {
    const key = `${ctor.serviceName}@${address}`;
    let client = this.clients.get(key);
    if (client === undefined) {
      client = new ctor(address, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
      this.clients.set(key, client);
    }
    return client;
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}

type UnaryMethod = (
  request: unknown,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (err: grpc.ServiceError | null, response: unknown) => void,
) => grpc.ClientUnaryCall;

export function unary<Res>(
  client: grpc.Client,
  method: string,
  request: object,
  timeoutMs: number,
): Promise<Res> {
  const fn = (client as unknown as Record<string, UnaryMethod>)[method];
  if (typeof fn !== 'function') throw new Error(`no gRPC method ${method}`);
  return new Promise<Res>((resolve, reject) => {
    fn.call(client, request, new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, (err, res) => {
      if (err) reject(err);
      else resolve(res as Res);
    });
  });
}

type ServerStreamMethod = (
  request: unknown,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
) => grpc.ClientReadableStream<unknown>;

export function collect<Res>(
  client: grpc.Client,
  method: string,
  request: object,
  timeoutMs: number,
): Promise<Res[]> {
  const fn = (client as unknown as Record<string, ServerStreamMethod>)[method];
  if (typeof fn !== 'function') throw new Error(`no gRPC method ${method}`);
  return new Promise<Res[]>((resolve, reject) => {
    const out: Res[] = [];
    const call = fn.call(client, request, new grpc.Metadata(), { deadline: Date.now() + timeoutMs });
    call.on('data', (msg: Res) => out.push(msg));
    call.on('error', reject);
    call.on('end', () => resolve(out));
  });
}

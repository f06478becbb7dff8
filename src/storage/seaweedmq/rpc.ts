/** One gRPC client per (service, address), unary calls with deadlines, and server-stream collection. */
import * as grpc from '@grpc/grpc-js';
import type { StoreMetrics } from '../../metrics/metrics.js';
import type { BrokerGate } from './broker-gate.js';
import { metricsInterceptor } from './rpc-metrics.js';

const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.max_receive_message_length': 256 * 1024 * 1024,
  'grpc.max_send_message_length': 256 * 1024 * 1024,
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 10_000,
  'grpc.keepalive_permit_without_calls': 1,
  // Reconnect quickly after a broker restart instead of waiting out grpc-js's default backoff.
  'grpc.initial_reconnect_backoff_ms': 200,
  'grpc.max_reconnect_backoff_ms': 5_000,
  // A channel only goes idle when its connection is lost (the largest timer Node accepts, ~24 days):
  // the broker gate reads every loss of a ready connection as a broker restart.
  'grpc.client_idle_timeout_ms': 2 ** 31 - 1,
};

/** Services served by SeaweedMQ brokers, whose calls go through the broker gate. */
const BROKER_SERVICE = 'SeaweedMessaging';

/**
 * Clients share one channel per address, so one connection per server carries every service and a
 * broker's connectivity is watched once.
 */
export class ClientPool {
  private readonly clients = new Map<string, grpc.Client>();
  private readonly channels = new Map<string, InstanceType<typeof grpc.Channel>>();

  private interceptors: grpc.Interceptor[] = [];

  constructor(private readonly gate?: BrokerGate) {}

  /** Times the unary calls of clients made from now on (set before the store starts). */
  attachMetrics(metrics: StoreMetrics): void {
    this.interceptors = [metricsInterceptor(metrics)];
  }

  /** Throws a retriable KafkaError instead of calling a broker that is away or settling after a restart. */
  get(ctor: grpc.ServiceClientConstructor, address: string): grpc.Client {
    const key = `${ctor.serviceName}@${address}`;
    let client = this.clients.get(key);
    if (client === undefined) {
      client = new ctor(address, grpc.credentials.createInsecure(), {
        ...CHANNEL_OPTIONS,
        channelOverride: this.channel(address),
        interceptors: this.interceptors,
      });
      this.clients.set(key, client);
    }
    if (this.gate !== undefined && ctor.serviceName.startsWith(BROKER_SERVICE)) {
      this.gate.admit(address, client.getChannel());
    }
    return client;
  }

  /** A call to `address` failed: a transport failure holds further broker calls until it is back. */
  reportFailure(address: string, err: unknown): void {
    this.gate?.failed(address, err);
  }

  close(): void {
    this.gate?.close();
    for (const c of this.channels.values()) c.close();
    this.channels.clear();
    this.clients.clear();
  }

  private channel(address: string): InstanceType<typeof grpc.Channel> {
    let channel = this.channels.get(address);
    if (channel === undefined) {
      channel = new grpc.Channel(address, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
      this.channels.set(address, channel);
    }
    return channel;
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

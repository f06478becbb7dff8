import { createServer, connect } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';

/** One request frame as a client sent it: size prefix stripped, header and body intact. */
export interface CapturedFrame {
  readonly client: string;
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly frame: Buffer;
}

/**
 * A loopback TCP proxy that forwards bytes unchanged in both directions and hands every complete
 * client-to-server frame to `onFrame`. `label()` names the client currently being driven, so one
 * proxy can serve several scenarios in turn.
 */
export class CaptureProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(
    /** Read per connection, so the proxy can listen before the gateway it fronts has a port. */
    private readonly upstreamPort: () => number,
    private readonly label: () => string,
    private readonly onFrame: (f: CapturedFrame) => void,
  ) {
    this.server = createServer((client) => this.accept(client));
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host: '127.0.0.1', port: 0 }, () =>
        resolve((this.server.address() as AddressInfo).port),
      );
    });
  }

  private accept(client: Socket): void {
    const name = this.label();
    const upstream = connect({ host: '127.0.0.1', port: this.upstreamPort() });
    this.sockets.add(client).add(upstream);
    let pending = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4) {
        const size = pending.readInt32BE(0);
        if (size < 8 || pending.length < 4 + size) break;
        const frame = Buffer.from(pending.subarray(4, 4 + size));
        pending = pending.subarray(4 + size);
        this.onFrame({ client: name, apiKey: frame.readInt16BE(0), apiVersion: frame.readInt16BE(2), frame });
      }
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const close = (): void => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

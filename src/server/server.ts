import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import type { Logger } from '../log.js';
import type { Services } from '../services.js';
import type { ConnectionLimits } from './connection.js';
import { Connection } from './connection.js';
import { listenOn } from './listen.js';
import type { Dispatcher } from './dispatch.js';

/** The TCP listener: accepts sockets and hands each to a Connection. */
export class KafkaServer {
  private readonly server: Server;
  private readonly connections = new Set<Connection>();

  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly services: Services,
    private readonly limits: ConnectionLimits,
    private readonly log: Logger,
  ) {
    this.server = createServer({ noDelay: true }, (socket) => {
      const conn = new Connection(socket, this.dispatcher, this.services, this.limits, this.log, (c) =>
        this.connections.delete(c),
      );
      this.connections.add(conn);
    });
    this.server.on('error', (err) => this.log.error({ err }, 'listener error'));
  }

  /** Accepting connections (false before listen() and once close() began). */
  get listening(): boolean {
    return this.server.listening;
  }

  listen(host: string, port: number): Promise<AddressInfo> {
    return listenOn(this.server, host, port);
  }

  /** Stops accepting, lets each connection finish the request it is handling, then closes them. */
  async close(graceMs = 10_000): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const drains = Promise.all([...this.connections].map((c) => c.drain()));
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([drains, grace]);
    clearTimeout(timer);
    for (const c of this.connections) c.destroy();
    await closed;
  }
}

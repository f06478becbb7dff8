import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
import type { Logger } from '../log.js';
import type { TlsConfig } from '../security/config.js';
import { usesTls, type ListenerConfig } from '../security/listeners.js';
import { principalFromCertificate, type Principal } from '../security/principal.js';
import { secureContextOptions, tlsServerOptions } from '../security/tls.js';
import type { Services } from '../services.js';
import type { ConnectionLimits } from './connection.js';
import { Connection } from './connection.js';
import { listenOn } from './listen.js';
import type { Dispatcher } from './dispatch.js';

interface Bound {
  readonly listener: ListenerConfig;
  readonly server: Server;
  readonly tls: boolean;
}

/** The listeners: each accepts sockets (over TLS for SSL and SASL_SSL) and hands them to a Connection. */
export class KafkaServer {
  private readonly bound: Bound[];
  private readonly connections = new Set<Connection>();

  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly services: Services,
    private readonly limits: ConnectionLimits,
    private readonly log: Logger,
    listeners: readonly ListenerConfig[],
    private readonly tlsConfig: TlsConfig,
  ) {
    this.bound = listeners.map((listener) => this.create(listener));
  }

  private create(listener: ListenerConfig): Bound {
    const log = this.log.child({ listener: listener.name });
    if (!usesTls(listener.protocol)) {
      const server = createServer({ noDelay: true }, (socket) => this.accept(socket, listener, undefined));
      server.on('error', (err) => log.error({ err }, 'listener error'));
      return { listener, server, tls: false };
    }
    const server: TlsServer = createTlsServer(tlsServerOptions(this.tlsConfig), (socket) => {
      const principal = this.certificatePrincipal(socket, log);
      if (principal === null) return;
      this.accept(socket, listener, principal);
    });
    // Plaintext on a TLS port, an untrusted certificate, a protocol mismatch: the handshake fails and
    // the socket closes; nothing reaches the Kafka layer.
    server.on('tlsClientError', (err, socket) =>
      log.info(
        { reason: err.message, remote: socket.remoteAddress },
        'TLS handshake failed; connection closed',
      ),
    );
    server.on('error', (err) => log.error({ err }, 'listener error'));
    return { listener, server, tls: true };
  }

  /** The client certificate's principal, undefined without one, null when it is refused. */
  private certificatePrincipal(socket: TLSSocket, log: Logger): Principal | undefined | null {
    const cert = socket.getPeerCertificate();
    if (cert === null || cert.raw === undefined) return undefined;
    if (!socket.authorized) {
      log.info(
        { reason: String(socket.authorizationError), remote: socket.remoteAddress },
        'client certificate not trusted; connection closed',
      );
      socket.destroy();
      return null;
    }
    return principalFromCertificate(cert.raw);
  }

  private accept(socket: Socket, listener: ListenerConfig, principal: Principal | undefined): void {
    const conn = new Connection(
      socket,
      this.dispatcher,
      this.services,
      this.limits,
      this.log,
      (c) => this.connections.delete(c),
      listener,
      principal,
    );
    this.connections.add(conn);
  }

  /** Accepting connections (false before listen() and once close() began). */
  get listening(): boolean {
    return this.bound.every((b) => b.server.listening);
  }

  /** Binds every listener; resolves with their addresses by listener name. */
  async listen(): Promise<Map<string, AddressInfo>> {
    const out = new Map<string, AddressInfo>();
    try {
      for (const b of this.bound)
        out.set(b.listener.name, await listenOn(b.server, b.listener.host, b.listener.port));
    } catch (err) {
      for (const b of this.bound) if (b.server.listening) b.server.close();
      throw err;
    }
    return out;
  }

  /** Reads the TLS key, certificate and CAs again (SIGHUP); new handshakes use them, open connections stay. */
  reloadTls(): void {
    const options = secureContextOptions(this.tlsConfig);
    for (const b of this.bound) if (b.tls) (b.server as TlsServer).setSecureContext(options);
  }

  /** Stops accepting, lets each connection finish the request it is handling, then closes them. */
  async close(graceMs = 10_000): Promise<void> {
    const closed = Promise.all(
      this.bound.map((b) => new Promise<void>((resolve) => b.server.close(() => resolve()))),
    );
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

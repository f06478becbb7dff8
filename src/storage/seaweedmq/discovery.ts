/**
 * Finds SeaweedMQ brokers and filers through the masters (ListClusterNodes) and keeps the list fresh.
 * While nothing answers, it retries with exponential backoff and every caller gets a retriable
 * KafkaError: the gateway keeps running and never pretends to have stored anything.
 */
import type { Logger } from 'pino';
import { toKafkaError, unavailable } from './errors.js';
import { grpcAddress, httpAddress, type ResolvedOptions } from './options.js';
import { MasterClient, MessagingClient } from './proto.js';
import { unary, type ClientPool } from './rpc.js';

interface ClusterNodes {
  cluster_nodes: { address: string }[];
}

export class Discovery {
  private brokers: string[] = [];
  private filers: string[] = [];
  /** HTTP address of each filer, by gRPC address (segment files are read over HTTP). */
  private filerHttp = new Map<string, string>();
  private balancer: string | undefined;
  private lastError: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private backoffMs = 0;
  private closed = false;
  private refreshing: Promise<boolean> | undefined;
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly options: ResolvedOptions,
    private readonly pool: ClientPool,
    private readonly logger: Logger,
  ) {}

  get connected(): boolean {
    return this.brokers.length > 0 && this.filers.length > 0;
  }

  /** First attempt; on failure logs and keeps retrying in the background rather than failing start-up. */
  async start(): Promise<void> {
    const ok = await this.refresh();
    if (!ok) {
      this.logger.error(
        { masters: this.options.masters, error: this.lastError },
        'SeaweedMQ is unreachable: Kafka requests get retriable errors until it answers; retrying with backoff',
      );
    }
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const w of this.waiters) w();
    this.waiters.clear();
  }

  /** Resolves once brokers and filers are known, or rejects after timeoutMs. */
  async waitConnected(timeoutMs: number): Promise<void> {
    if (this.connected) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(done);
        reject(unavailable(`SeaweedMQ unreachable after ${timeoutMs} ms: ${this.lastError ?? 'no answer'}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      this.waiters.add(done);
    });
  }

  /** Any known broker (ConfigureTopic, LookupTopicBrokers ... are forwarded by any broker to the leader). */
  anyBroker(): string {
    const b = this.balancer ?? this.brokers[0];
    if (b === undefined) throw this.notConnected();
    return b;
  }

  brokerList(): readonly string[] {
    return this.brokers;
  }

  filer(): string {
    const f = this.filers[0];
    if (f === undefined) throw this.notConnected();
    return f;
  }

  /** The HTTP address of the filer filer() names. */
  filerHttpAddress(): string {
    const f = this.filer();
    return this.filerHttp.get(f) ?? f;
  }

  /** Called when a broker or filer call failed at the transport level: look again soon. */
  reportFailure(address: string, err: unknown): void {
    if (this.closed) return;
    this.logger.warn(
      { address, err: toKafkaError(err, 'call').message },
      'SeaweedMQ call failed; re-discovering',
    );
    if (this.filers[0] === address) this.filers.push(this.filers.shift()!);
    if (this.balancer === address) this.balancer = undefined;
    void this.refresh();
  }

  refresh(): Promise<boolean> {
    if (this.refreshing === undefined) {
      this.refreshing = this.doRefresh().finally(() => {
        this.refreshing = undefined;
      });
    }
    return this.refreshing;
  }

  private async doRefresh(): Promise<boolean> {
    const wasConnected = this.connected;
    let ok = false;
    for (const master of this.options.masters) {
      try {
        const client = this.pool.get(MasterClient, grpcAddress(master));
        const timeout = this.options.requestTimeoutMs;
        const group = this.options.filerGroup;
        const [brokers, filers] = await Promise.all([
          unary<ClusterNodes>(
            client,
            'ListClusterNodes',
            { client_type: 'broker', filer_group: group },
            timeout,
          ),
          unary<ClusterNodes>(
            client,
            'ListClusterNodes',
            { client_type: 'filer', filer_group: group },
            timeout,
          ),
        ]);
        const brokerAddrs = brokers.cluster_nodes.map((n) => n.address).sort();
        const filerAddrs = filers.cluster_nodes.map((n) => grpcAddress(n.address));
        this.filerHttp = new Map(
          filers.cluster_nodes.map((n) => [grpcAddress(n.address), httpAddress(n.address)]),
        );
        if (brokerAddrs.length === 0) throw new Error(`master ${master} knows no SeaweedMQ broker`);
        if (filerAddrs.length === 0) throw new Error(`master ${master} knows no filer`);
        this.brokers = brokerAddrs;
        // Keep the filer we already use first when it is still listed, so metadata calls stay sticky.
        const current = this.filers[0];
        this.filers =
          current !== undefined && filerAddrs.includes(current)
            ? [current, ...filerAddrs.filter((f) => f !== current)]
            : filerAddrs;
        this.balancer = await this.findBalancer(brokerAddrs[0]!);
        ok = true;
        break;
      } catch (err) {
        this.lastError = `${master}: ${err instanceof Error ? err.message : String(err)}`;
      }
    }
    if (ok) {
      if (!wasConnected) {
        this.logger.info({ brokers: this.brokers, filers: this.filers }, 'connected to SeaweedMQ');
      }
      this.backoffMs = 0;
      for (const w of [...this.waiters]) w();
      this.schedule(this.options.discoveryIntervalMs);
    } else {
      if (wasConnected) this.logger.error({ error: this.lastError }, 'lost SeaweedMQ; retrying with backoff');
      this.brokers = [];
      this.filers = [];
      this.balancer = undefined;
      this.backoffMs = Math.min(this.options.maxBackoffMs, this.backoffMs === 0 ? 250 : this.backoffMs * 2);
      this.schedule(this.backoffMs);
    }
    return ok;
  }

  private async findBalancer(broker: string): Promise<string | undefined> {
    try {
      const res = await unary<{ broker: string }>(
        this.pool.get(MessagingClient, broker),
        'FindBrokerLeader',
        { filer_group: this.options.filerGroup },
        this.options.requestTimeoutMs,
      );
      return res.broker || undefined;
    } catch {
      return undefined;
    }
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), ms);
    this.timer.unref();
  }

  private notConnected(): Error {
    return unavailable(
      `SeaweedMQ unreachable (masters ${this.options.masters.join(',')}): ${this.lastError ?? 'connecting'}`,
    );
  }
}

/**
 * Holds calls back from a SeaweedMQ broker that has just come back after its connection was lost.
 *
 * A restarted broker accepts gRPC calls about a second before it holds the balancer lock. A topic
 * request in that window finds no active broker, saves the topic's partitions as unassigned and
 * caches that for 30 s (SeaweedFS 4.44 `topicCacheTTL`): every publish and fetch then fails for half a
 * minute. Waiting a short settle time after the connection is back avoids that (docs/seaweedmq.md).
 */
import { connectivityState, status, type ChannelInterface as Channel } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { ErrorCode, KafkaError } from '../../protocol/error-codes.js';
import { isServiceError } from './errors.js';

/** gRPC codes of a call that failed because the connection to the broker went away. */
const TRANSPORT_FAILURES: ReadonlySet<number> = new Set([status.UNAVAILABLE, status.INTERNAL]);

interface BrokerState {
  /** When a connection that had been ready was lost; undefined while nothing was lost. */
  lostAt?: number;
  /** When it was ready again after that loss. */
  backAt?: number;
}

/** Whether, and until when, calls to a broker must wait; pure, so it is tested with a fake clock. */
export class BrokerGateState {
  private readonly brokers = new Map<string, BrokerState>();
  private readonly returns = new Map<string, number>();

  constructor(
    private readonly settleMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  lost(address: string): void {
    this.brokers.set(address, { lostAt: this.now() });
  }

  /** True from a loss until the broker is back; a second loss meanwhile is the same one. */
  isLost(address: string): boolean {
    const s = this.brokers.get(address);
    return s?.lostAt !== undefined && s.backAt === undefined;
  }

  /** Returns true when this ends a loss (the broker is back and settling). */
  ready(address: string): boolean {
    const s = this.brokers.get(address);
    if (s?.lostAt === undefined || s.backAt !== undefined) return false;
    s.backAt = this.now();
    this.returns.set(address, this.epoch(address) + 1);
    return true;
  }

  /** How many times the broker came back after a loss: it may have restarted each time. */
  epoch(address: string): number {
    return this.returns.get(address) ?? 0;
  }

  /** undefined when calls may go; otherwise why they must wait. */
  blocked(address: string): string | undefined {
    const s = this.brokers.get(address);
    if (s?.lostAt === undefined) return undefined;
    if (s.backAt === undefined) return `SeaweedMQ broker ${address} is unreachable; reconnecting`;
    const left = s.backAt + this.settleMs - this.now();
    if (left > 0)
      return `SeaweedMQ broker ${address} is back; letting it take its partitions over (${left} ms)`;
    this.brokers.delete(address);
    return undefined;
  }
}

/** Watches the channels of broker clients and turns their connectivity into BrokerGateState events. */
export class BrokerGate {
  private readonly state: BrokerGateState;
  private readonly watched = new WeakSet<Channel>();
  private readonly everReady = new Set<string>();
  private closed = false;

  constructor(
    settleMs: number,
    private readonly logger: Logger,
  ) {
    this.state = new BrokerGateState(settleMs);
  }

  /** Throws a retriable KafkaError while the broker is away or settling; starts watching its channel. */
  admit(address: string, channel: Channel): void {
    this.watch(address, channel);
    // The channel's state is read here too: a call made right after a stream broke may come before
    // the watcher has heard of the loss, and would then be queued until the broker listens again.
    this.observe(address, channel.getConnectivityState(false));
    const reason = this.state.blocked(address);
    if (reason === undefined) return;
    // An idle channel only reconnects when asked; the caller's retry must find it connected.
    channel.getConnectivityState(true);
    throw new KafkaError(ErrorCode.LEADER_NOT_AVAILABLE, reason);
  }

  /**
   * A stream or call to the broker failed. The channel may still say READY for a moment after the
   * broker died; a call made then would be queued and replayed to the restarted broker too early.
   */
  failed(address: string, err: unknown): void {
    if (isServiceError(err) && TRANSPORT_FAILURES.has(err.code)) this.markLost(address, err.details);
  }

  close(): void {
    this.closed = true;
  }

  /** Changes whenever the connection to the broker came back after a loss (see BrokerGateState.epoch). */
  epoch(address: string): number {
    return this.state.epoch(address);
  }

  private observe(address: string, current: connectivityState): void {
    if (current === connectivityState.READY) {
      this.everReady.add(address);
      if (this.state.ready(address)) {
        this.logger.info({ broker: address }, 'SeaweedMQ broker is back; holding calls while it settles');
      }
    } else if (this.everReady.has(address) && current !== connectivityState.SHUTDOWN) {
      this.markLost(address);
    }
  }

  /** The first sign of a loss starts it; later ones (other streams, the watcher) are the same loss. */
  private markLost(address: string, detail?: string): void {
    if (this.state.isLost(address)) return;
    this.state.lost(address);
    this.logger.warn({ broker: address, err: detail }, 'lost the connection to a SeaweedMQ broker');
  }

  private watch(address: string, channel: Channel): void {
    if (this.watched.has(channel)) return;
    this.watched.add(channel);
    const arm = (current: connectivityState): void => {
      if (this.closed || current === connectivityState.SHUTDOWN) return;
      // Deadlines bound each watch so a closed pool leaves no watcher pending for long.
      channel.watchConnectivityState(current, Date.now() + 60_000, () => {
        const next = channel.getConnectivityState(false);
        this.observe(address, next);
        arm(next);
      });
    };
    arm(channel.getConnectivityState(false));
  }
}

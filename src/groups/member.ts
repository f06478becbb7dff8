import type { Cancel } from './time.js';
import type { JoinGroupProtocol, JoinGroupResult, SyncGroupResult } from './types.js';

export const EMPTY_BYTES: Buffer = Buffer.alloc(0);

/** One member of a classic group, with the JoinGroup/SyncGroup requests it has parked. */
export class Member {
  /** Unset while the member is not waiting in JoinGroup. */
  awaitingJoin: ((result: JoinGroupResult) => void) | undefined;
  /** Unset while the member is not waiting in SyncGroup. */
  awaitingSync: ((result: SyncGroupResult) => void) | undefined;
  /** True from its first JoinGroup until the first generation that includes it. */
  isNew = false;
  /** The pending session-timeout (or new-member-timeout) check. */
  heartbeatTimer: Cancel | undefined;
  assignment: Buffer = EMPTY_BYTES;

  constructor(
    /** Mutable: a restarted static member takes over under a new id. */
    public memberId: string,
    readonly groupInstanceId: string | null,
    readonly clientId: string,
    readonly clientHost: string,
    public rebalanceTimeoutMs: number,
    public sessionTimeoutMs: number,
    readonly protocolType: string,
    /** In the member's order of preference. */
    public protocols: readonly JoinGroupProtocol[],
  ) {}

  get isStatic(): boolean {
    return this.groupInstanceId !== null;
  }

  get isAwaitingJoin(): boolean {
    return this.awaitingJoin !== undefined;
  }

  get isAwaitingSync(): boolean {
    return this.awaitingSync !== undefined;
  }

  get protocolNames(): string[] {
    return this.protocols.map((p) => p.name);
  }

  metadata(protocol: string): Buffer {
    const found = this.protocols.find((p) => p.name === protocol);
    if (found === undefined) throw new Error(`member ${this.memberId} does not support protocol ${protocol}`);
    return found.metadata;
  }

  /** Same protocols, same order, same bytes: a rejoin with this metadata changes nothing. */
  matches(protocols: readonly JoinGroupProtocol[]): boolean {
    if (protocols.length !== this.protocols.length) return false;
    return protocols.every((p, i) => {
      const mine = this.protocols[i];
      return mine !== undefined && mine.name === p.name && mine.metadata.equals(p.metadata);
    });
  }

  /**
   * Whether an expiring session check should spare the member. A member parked in JoinGroup/SyncGroup
   * cannot heartbeat, so it is alive by definition, except a new member: it is bounded by the new-member
   * timeout instead.
   */
  hasSatisfiedHeartbeat(): boolean {
    if (this.isNew) return false;
    return this.isAwaitingJoin || this.isAwaitingSync;
  }
}

import { describe, expect, it } from 'vitest';
import { parseSubscriptionTopics } from '../../src/groups/consumer-protocol.js';
import { decodeGroup, encodeGroup } from '../../src/groups/group-codec.js';
import { Group } from '../../src/groups/group.js';
import { Member } from '../../src/groups/member.js';
import {
  candidateProtocols,
  selectProtocol,
  supportsProtocols,
} from '../../src/groups/protocol-selection.js';
import { realTimers, systemClock } from '../../src/groups/real-time.js';
import { subscription } from './harness.js';

describe('ConsumerProtocolSubscription topics', () => {
  it('reads the topics of every version (v0 prefix)', () => {
    for (const version of [0, 1, 3]) {
      expect(parseSubscriptionTopics(subscription(['a', 'bé', 'c'], version))).toEqual(['a', 'bé', 'c']);
    }
    expect(parseSubscriptionTopics(subscription([], 0))).toEqual([]);
  });

  it('reads user data and ignores trailing fields', () => {
    const withUserData = Buffer.concat([
      Buffer.from([0, 2, 0, 0, 0, 1, 0, 1]),
      Buffer.from('t'),
      Buffer.from([0, 0, 0, 2, 9, 9]),
      Buffer.from([0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]),
    ]);
    expect(parseSubscriptionTopics(withUserData)).toEqual(['t']);
  });

  it('gives up on bytes that do not follow the schema', () => {
    const good = subscription(['topic'], 0);
    for (let cut = 0; cut < good.length; cut++)
      expect(parseSubscriptionTopics(good.subarray(0, cut))).toBeUndefined();
    expect(parseSubscriptionTopics(Buffer.from([0, 0, 0xff, 0xff, 0xff, 0xff]))).toBeUndefined(); // null array
    expect(parseSubscriptionTopics(Buffer.from([0, 0, 0, 0, 0, 1, 0xff, 0xff]))).toBeUndefined(); // null string
    expect(parseSubscriptionTopics(Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 1]))).toBeUndefined(); // short user data
  });
});

describe('protocol selection', () => {
  const voter = (...protocolNames: string[]) => ({ protocolNames });
  const counts = (...voters: { protocolNames: string[] }[]) => {
    const m = new Map<string, number>();
    for (const v of voters) for (const p of v.protocolNames) m.set(p, (m.get(p) ?? 0) + 1);
    return m;
  };

  it('keeps only protocols every member supports', () => {
    const vs = [voter('a', 'b'), voter('b', 'c')];
    expect(candidateProtocols(counts(...vs), 2)).toEqual(new Set(['b']));
  });

  it('picks the most voted candidate, ties going to the first voted', () => {
    const vs = [voter('x', 'y'), voter('y', 'x'), voter('y', 'x')];
    expect(selectProtocol(vs, counts(...vs))).toBe('y');
    const tie = [voter('x', 'y'), voter('y', 'x')];
    expect(selectProtocol(tie, counts(...tie))).toBe('x');
    expect(() => selectProtocol([], new Map())).toThrow();
  });

  it('lets an Empty group take any non-empty protocol type, others only a compatible member', () => {
    const c = new Map([['range', 2]]);
    expect(supportsProtocols(true, 'consumer', c, 2, 'connect', ['v1'])).toBe(true);
    expect(supportsProtocols(true, undefined, c, 0, '', ['v1'])).toBe(false);
    expect(supportsProtocols(true, undefined, c, 0, 'consumer', [])).toBe(false);
    expect(supportsProtocols(false, 'consumer', c, 2, 'consumer', ['rr', 'range'])).toBe(true);
    expect(supportsProtocols(false, 'consumer', c, 2, 'consumer', ['rr'])).toBe(false);
    expect(supportsProtocols(false, 'consumer', c, 2, 'connect', ['range'])).toBe(false);
  });
});

describe('group metadata codec', () => {
  it('round-trips a Stable group with the selected protocol’s metadata only', () => {
    const g = new Group('g', 'Empty', 100);
    const m = new Member('m1', 'inst', 'cid', '/h', 30_000, 10_000, 'consumer', [
      { name: 'range', metadata: subscription(['t']) },
      { name: 'rr', metadata: Buffer.from('other') },
    ]);
    g.add(m);
    g.generationId = 4;
    g.protocolName = 'range';
    g.stateTimestamp = 1234;
    const bytes = encodeGroup(g, new Map([['m1', Buffer.from('asg')]]));
    const back = decodeGroup('g', bytes, 999);
    expect(back.state).toBe('Stable');
    expect(back.generationId).toBe(4);
    expect(back.protocolType).toBe('consumer');
    expect(back.protocolName).toBe('range');
    expect(back.leaderId).toBe('m1');
    expect(back.stateTimestamp).toBe(1234);
    expect(back.staticMembers.get('inst')).toBe('m1');
    expect(back.subscribedTopics).toEqual(new Set(['t']));
    const bm = back.get('m1');
    expect(bm.protocols).toEqual([{ name: 'range', metadata: subscription(['t']) }]);
    expect(bm.assignment).toEqual(Buffer.from('asg'));
    expect([bm.clientId, bm.clientHost, bm.rebalanceTimeoutMs, bm.sessionTimeoutMs]).toEqual([
      'cid',
      '/h',
      30_000,
      10_000,
    ]);
  });

  it('round-trips an Empty group and rejects malformed values', () => {
    const g = new Group('g', 'Empty', 100);
    g.generationId = 2;
    g.protocolType = 'consumer';
    const back = decodeGroup('g', encodeGroup(g, new Map()), 5);
    expect([back.state, back.generationId, back.protocolType, back.protocolName]).toEqual([
      'Empty',
      2,
      'consumer',
      undefined,
    ]);
    expect(() => decodeGroup('g', Buffer.from('{"version":2}'), 0)).toThrow();
    expect(() => decodeGroup('g', Buffer.from('{"version":1,"protocolType":1}'), 0)).toThrow();
  });
});

describe('real time adapter', () => {
  it('runs a scheduled callback and honours cancel', async () => {
    const before = systemClock.now();
    let cancelledRan = false;
    realTimers.schedule(0, () => {
      cancelledRan = true;
    })();
    await new Promise<void>((resolve) => realTimers.schedule(1, resolve));
    expect(cancelledRan).toBe(false);
    expect(systemClock.now()).toBeGreaterThanOrEqual(before);
  });
});

import { connectivityState, type ChannelInterface } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.js';
import { ErrorCode, KafkaError } from '../../../src/protocol/error-codes.js';
import { BrokerGate, BrokerGateState } from '../../../src/storage/seaweedmq/broker-gate.js';

const B = '127.0.0.1:17777';

function clock(start = 1000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('BrokerGateState', () => {
  it('lets calls through while nothing was lost', () => {
    const state = new BrokerGateState(3000);
    expect(state.blocked(B)).toBeUndefined();
    expect(state.ready(B)).toBe(false);
  });

  it('holds calls from a loss until the broker has been back for the settle time', () => {
    const c = clock();
    const state = new BrokerGateState(3000, c.now);
    state.lost(B);
    expect(state.isLost(B)).toBe(true);
    expect(state.blocked(B)).toMatch(/unreachable/);
    c.advance(10_000);
    expect(state.blocked(B)).toMatch(/unreachable/);
    expect(state.ready(B)).toBe(true);
    expect(state.isLost(B)).toBe(false);
    expect(state.blocked(B)).toMatch(/is back/);
    c.advance(2999);
    expect(state.blocked(B)).toMatch(/is back/);
    // A second READY while settling does not restart the settle time.
    expect(state.ready(B)).toBe(false);
    c.advance(1);
    expect(state.blocked(B)).toBeUndefined();
    expect(state.blocked('other:1')).toBeUndefined();
  });

  it('starts over when the broker is lost again while settling', () => {
    const c = clock();
    const state = new BrokerGateState(3000, c.now);
    state.lost(B);
    state.ready(B);
    c.advance(2000);
    state.lost(B);
    c.advance(5000);
    expect(state.blocked(B)).toMatch(/unreachable/);
    state.ready(B);
    c.advance(3000);
    expect(state.blocked(B)).toBeUndefined();
  });
});

/** A channel whose connectivity the test sets; watchers are called on every change. */
class FakeChannel {
  state = connectivityState.IDLE;
  connectRequests = 0;
  private watchers: (() => void)[] = [];
  getConnectivityState(tryToConnect: boolean): connectivityState {
    if (tryToConnect) this.connectRequests++;
    return this.state;
  }
  watchConnectivityState(_current: connectivityState, _deadline: number, cb: () => void): void {
    this.watchers.push(cb);
  }
  set(next: connectivityState): void {
    this.state = next;
    const ws = this.watchers;
    this.watchers = [];
    for (const w of ws) w();
  }
}

function admitted(gate: BrokerGate, channel: FakeChannel): boolean | KafkaError {
  try {
    gate.admit(B, channel as unknown as ChannelInterface);
    return true;
  } catch (err) {
    return err as KafkaError;
  }
}

describe('BrokerGate', () => {
  it('holds calls with a retriable error after a ready connection is lost, and asks it to reconnect', () => {
    const gate = new BrokerGate(60_000, silentLogger);
    const channel = new FakeChannel();
    expect(admitted(gate, channel)).toBe(true); // never connected yet: nothing to protect
    channel.set(connectivityState.READY);
    expect(admitted(gate, channel)).toBe(true);
    channel.set(connectivityState.IDLE);
    const held = admitted(gate, channel);
    expect(held).toBeInstanceOf(KafkaError);
    expect((held as KafkaError).code).toBe(ErrorCode.LEADER_NOT_AVAILABLE);
    expect(channel.connectRequests).toBeGreaterThan(0);
    channel.set(connectivityState.READY);
    expect((admitted(gate, channel) as KafkaError).message).toMatch(/is back/);
  });

  it('treats a transport failure as a loss even while the channel still says READY', () => {
    const gate = new BrokerGate(60_000, silentLogger);
    const channel = new FakeChannel();
    channel.set(connectivityState.READY);
    expect(admitted(gate, channel)).toBe(true);
    gate.failed(B, Object.assign(new Error('read ECONNRESET'), { code: 14, details: 'read ECONNRESET' }));
    expect(admitted(gate, channel)).toBeInstanceOf(KafkaError);
  });

  it('ignores errors that are not about the connection', () => {
    const gate = new BrokerGate(60_000, silentLogger);
    const channel = new FakeChannel();
    channel.set(connectivityState.READY);
    gate.failed(B, Object.assign(new Error('cancelled'), { code: 1, details: 'Cancelled on client' }));
    gate.failed(B, new Error('not a gRPC error'));
    expect(admitted(gate, channel)).toBe(true);
  });
});

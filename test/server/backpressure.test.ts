import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config.js';
import type { ApiHandler } from '../../src/handlers/handler.js';
import { silentLogger } from '../../src/log.js';
import { Connection } from '../../src/server/connection.js';
import { Dispatcher } from '../../src/server/dispatch.js';
import type { ReceiveLimits } from '../../src/server/receive-guard.js';
import { RequestBudget } from '../../src/server/request-budget.js';
import { createServices } from '../../src/services.js';
import { MemoryStorage } from '../../src/storage/memory/memory-storage.js';
import { requestFrame, withSize } from './support/wire.js';

/** A socket stand-in whose unsent-output size the test sets, recording pause/resume calls. */
class FakeSocket extends EventEmitter {
  writableLength = 0;
  paused = false;
  readonly written: Buffer[] = [];
  readonly localAddress = '127.0.0.1';
  readonly localPort = 9092;
  readonly remoteAddress = '127.0.0.1';
  readonly remotePort = 40000;
  setNoDelay(): this {
    return this;
  }
  setTimeout(): this {
    return this;
  }
  pause(): this {
    this.paused = true;
    return this;
  }
  resume(): this {
    this.paused = false;
    return this;
  }
  cork(): void {}
  uncork(): void {}
  write(chunk: Buffer): boolean {
    this.written.push(chunk);
    return true;
  }
  end(): void {}
  destroy(): void {
    this.emit('close');
  }
}

/** ApiVersions whose answers wait until the test releases them, so requests pile up in the queue. */
function gatedApiVersions(): { handler: ApiHandler; release: () => void; started: () => number } {
  const waiting: (() => void)[] = [];
  let started = 0;
  return {
    handler: {
      apiKey: 18,
      minVersion: 0,
      maxVersion: 4,
      handle: () => {
        started++;
        return new Promise((resolve) =>
          waiting.push(() => resolve({ errorCode: 0, apiKeys: [], throttleTimeMs: 0 })),
        );
      },
    },
    release: () => {
      for (const w of waiting.splice(0)) w();
    },
    started: () => started,
  };
}

function connect(
  handler: ApiHandler,
  limits: { maxPendingResponseBytes: number; maxQueuedRequests: number },
  receive: Partial<ReceiveLimits> = {},
) {
  const socket = new FakeSocket();
  const services = createServices(DEFAULT_CONFIG, new MemoryStorage({ logger: silentLogger }), silentLogger);
  const connection = new Connection(
    socket as unknown as Socket,
    new Dispatcher([handler]),
    services,
    {
      maxRequestBytes: 1 << 20,
      budget: new RequestBudget(1 << 30),
      requestReceiveTimeoutMs: 30_000,
      connectionsMaxIdleMs: 600_000,
      ...limits,
      ...receive,
    },
    silentLogger,
    () => {},
  );
  return { socket, connection };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const apiVersionsFrame = (correlationId: number) => withSize(requestFrame(18, 0, {}, { correlationId }));

describe('connection backpressure', () => {
  it('stops reading while too many requests wait, and reads again once they are answered', async () => {
    const gate = gatedApiVersions();
    const { socket } = connect(gate.handler, { maxPendingResponseBytes: 1 << 20, maxQueuedRequests: 4 });
    socket.emit('data', Buffer.concat([1, 2, 3, 4, 5, 6].map(apiVersionsFrame)));
    // One request is being handled and five wait: above the bound of four.
    expect(gate.started()).toBe(1);
    expect(socket.paused).toBe(true);
    gate.release();
    await until(() => gate.started() === 2, 'the next request to start');
    gate.release();
    await until(() => !socket.paused, 'reading to resume');
    for (let i = 0; i < 6; i++) {
      gate.release();
      await new Promise((r) => setImmediate(r));
    }
    await until(() => socket.written.length === 6, 'every response');
    const correlationIds = socket.written.map((b) => b.readInt32BE(4));
    expect(correlationIds).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('stops reading while unsent responses exceed the bound, and resumes on drain', async () => {
    const gate = gatedApiVersions();
    const { socket } = connect(gate.handler, { maxPendingResponseBytes: 1000, maxQueuedRequests: 64 });
    socket.writableLength = 5000;
    socket.emit('data', apiVersionsFrame(7));
    expect(socket.paused).toBe(true);
    socket.writableLength = 0;
    socket.emit('drain');
    expect(socket.paused).toBe(false);
    gate.release();
    await until(() => socket.written.length === 1, 'the response');
  });
});

describe('request memory budget', () => {
  const handler = gatedApiVersions().handler;
  /** The first `bytes` of a frame that announces 10 000 bytes. */
  const partialFrame = (bytes: number) => {
    const f = Buffer.alloc(bytes);
    f.writeInt32BE(10_000, 0);
    return f;
  };

  it('stops every connection reading while received bytes fill the budget, and resumes when they are freed', async () => {
    const budget = new RequestBudget(4096);
    const limits = { maxPendingResponseBytes: 1 << 20, maxQueuedRequests: 64 };
    const a = connect(handler, limits, { budget });
    const b = connect(handler, limits, { budget });
    a.socket.emit('data', partialFrame(5000));
    expect(budget.usedBytes).toBe(5000);
    expect(a.socket.paused).toBe(true);
    // B has not read anything yet; its next read is held back as well.
    b.socket.emit('data', apiVersionsFrame(1));
    expect(b.socket.paused).toBe(true);
    a.connection.destroy();
    await until(() => !b.socket.paused, 'b to read again');
    expect(budget.usedBytes).toBe(apiVersionsFrame(1).length);
  });

  it('gives a handled request back to the budget', async () => {
    const gate = gatedApiVersions();
    const budget = new RequestBudget(1 << 20);
    const { socket } = connect(
      gate.handler,
      { maxPendingResponseBytes: 1 << 20, maxQueuedRequests: 64 },
      { budget },
    );
    socket.emit('data', Buffer.concat([apiVersionsFrame(1), apiVersionsFrame(2)]));
    expect(budget.usedBytes).toBe(2 * apiVersionsFrame(1).length);
    gate.release();
    await until(() => gate.started() === 2, 'the second request to start');
    gate.release();
    await until(() => socket.written.length === 2, 'both responses');
    await until(() => budget.usedBytes === 0, 'the budget to be free');
  });

  it('closes a connection whose request stops arriving, and frees what it held', async () => {
    const budget = new RequestBudget(1 << 20);
    const { socket } = connect(
      handler,
      { maxPendingResponseBytes: 1 << 20, maxQueuedRequests: 64 },
      { budget, requestReceiveTimeoutMs: 50 },
    );
    let closed = false;
    socket.on('close', () => (closed = true));
    socket.emit('data', partialFrame(100));
    expect(budget.usedBytes).toBe(100);
    await until(() => closed, 'the stalled connection to close');
    expect(budget.usedBytes).toBe(0);
  });

  it('keeps a connection whose requests keep completing, however long it stays busy', async () => {
    const budget = new RequestBudget(1 << 20);
    const gate = gatedApiVersions();
    const { socket } = connect(
      gate.handler,
      { maxPendingResponseBytes: 1 << 20, maxQueuedRequests: 1000 },
      { budget, requestReceiveTimeoutMs: 200 },
    );
    let closed = false;
    socket.on('close', () => (closed = true));
    // Chunks of one and a half frames: a frame completes in each and the next one is left partial,
    // for well past the receive timeout.
    const frames = Buffer.concat(Array.from({ length: 40 }, (_, i) => apiVersionsFrame(i)));
    const step = Math.ceil((apiVersionsFrame(0).length * 3) / 2);
    for (let at = 0; at < frames.length; at += step) {
      socket.emit('data', frames.subarray(at, at + step));
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(closed).toBe(false);
    for (let i = 0; i < 40; i++) gate.release();
  });
});

import { createServer, connect } from 'node:net';
import type { Server, Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config.js';
import type { Gateway } from '../../src/gateway.js';
import { startGateway } from '../../src/gateway.js';
import { silentLogger } from '../../src/log.js';
import { cluster, uniqueNamespace } from './support/storage.js';

// /readyz with SeaweedMQ down when the gateway starts: the gateway reaches the suite's master only
// through a TCP proxy that is not listening yet (SeaweedFS's gRPC port is its HTTP port + 10000, and
// the master hands out the broker and filer addresses). Not ready until the proxy opens, then ready;
// /healthz answers throughout. The store metrics count the calls that failed meanwhile.

/** A free port p with p - 10000 > 0, so --masters can name p - 10000. */
async function freeGrpcPort(): Promise<number> {
  for (;;) {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as { port: number }).port;
    await new Promise<void>((r) => s.close(() => r()));
    if (port > 10000) return port;
  }
}

function proxy(listenPort: number, targetPort: number): Promise<Server> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  server.on('close', () => {
    for (const s of sockets) s.destroy();
  });
  return new Promise((resolve) => server.listen(listenPort, '127.0.0.1', () => resolve(server)));
}

async function readyz(
  url: string,
): Promise<{ status: number; body: { ready: boolean; checks: Record<string, { ok: boolean }> } }> {
  const res = await fetch(`${url}/readyz`);
  return { status: res.status, body: (await res.json()) as never };
}

describe('readiness with SeaweedMQ unreachable at start', () => {
  let gateway: Gateway | undefined;
  let server: Server | undefined;
  afterAll(async () => {
    await gateway?.stop();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  });

  it('reports not ready until SeaweedMQ answers, then ready', async () => {
    const grpcPort = await freeGrpcPort();
    gateway = await startGateway(
      {
        ...DEFAULT_CONFIG,
        host: '127.0.0.1',
        port: 0,
        store: 'seaweedmq',
        seaweedmq: {
          ...DEFAULT_CONFIG.seaweedmq,
          masters: [`127.0.0.1:${grpcPort - 10000}`],
          namespace: uniqueNamespace('readyz'),
          requestTimeoutMs: 2000,
        },
        metrics: { port: 0, host: '127.0.0.1' },
      },
      silentLogger,
    );
    const url = `http://127.0.0.1:${gateway.metricsAddress!.port}`;
    const down = await readyz(url);
    expect(down.status).toBe(503);
    expect(down.body.ready).toBe(false);
    expect(down.body.checks.listening!.ok).toBe(true);
    expect(down.body.checks.store!.ok).toBe(false);
    expect(down.body.checks.groups!.ok).toBe(false);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    server = await proxy(grpcPort, cluster().masterPort + 10000);
    const deadline = Date.now() + 120_000;
    let last = down;
    while (last.status !== 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      last = await readyz(url);
    }
    expect(last.body).toMatchObject({
      ready: true,
      checks: { listening: { ok: true }, store: { ok: true }, groups: { ok: true } },
    });
    expect(last.status).toBe(200);
    // And the metrics of a SeaweedMQ-backed gateway scrape (state gauges read through SeaweedMQ).
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/^kafka_gateway_topics 0$/m);
    // The store's own calls are timed (a gRPC interceptor on every unary call), failures counted.
    expect(metrics).toMatch(
      /^kafka_gateway_store_call_duration_seconds_count\{store="seaweedmq",operation="\w+"\} [1-9]/m,
    );
    expect(metrics).toMatch(
      /^kafka_gateway_store_call_errors_total\{store="seaweedmq",operation="\w+"\} [1-9]/m,
    );
  }, 180_000);
});

import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { QuotaManager } from '../../src/quotas/manager.js';
import { QuotaStore } from '../../src/quotas/quota-store.js';
import { SampledRate, throttleTimeMs } from '../../src/quotas/rate.js';
import { MemoryStorage } from '../../src/storage/memory/memory-storage.js';

const WINDOW = { samples: 11, windowMs: 1000 };
type Part = { entityType: string; entityName: string | null };

async function manager(quotas: [Part[], Record<string, number>][]): Promise<QuotaManager> {
  const store = new QuotaStore(new MemoryStorage({ logger: silentLogger }));
  const m = new QuotaManager(store, WINDOW);
  const r = await store.alter(
    quotas.map(([parts, values]) => ({
      entity: Object.fromEntries(parts.map((p) => [p.entityType, p.entityName])),
      ops: Object.entries(values).map(([key, value]) => ({ key, value, remove: false })),
    })),
    false,
  );
  expect(r.every((o) => o.error === undefined)).toBe(true);
  return m;
}
const u = (n: string | null): Part => ({ entityType: 'user', entityName: n });
const c = (n: string | null): Part => ({ entityType: 'client-id', entityName: n });

describe('SampledRate', () => {
  it('measures over at least samples-1 windows, and forgets windows older than all samples', () => {
    const r = new SampledRate(WINDOW);
    r.record(10_000, 0);
    // One record at t=0: measured over 10 whole windows, not over 0 ms.
    expect(r.windowSize(0)).toBe(10_000);
    expect(r.measure(0)).toBe(1000);
    r.record(10_000, 5_500);
    // 5.5 s elapsed, 5 whole windows: topped up to 10 whole windows plus the 0.5 s begun.
    expect(r.measure(5_500)).toBeCloseTo(20_000 / 10.5, 5);
    expect(r.measure(20_000)).toBe(0);
  });

  it('gives Kafka throttle times: (observed - bound) / bound x window', () => {
    expect(throttleTimeMs(2000, 1000, 10_000)).toBe(10_000);
    expect(throttleTimeMs(1100, 1000, 10_000)).toBe(1000);
  });
});

describe('QuotaManager', () => {
  it('applies the most specific quota in Kafka order of precedence', async () => {
    const m = await manager([
      [[u('alice'), c('app')], { producer_byte_rate: 1 }],
      [[u('alice'), c(null)], { producer_byte_rate: 2 }],
      [[u('alice')], { producer_byte_rate: 3 }],
      [[u(null), c('app')], { producer_byte_rate: 4 }],
      [[u(null), c(null)], { producer_byte_rate: 5 }],
      [[u(null)], { producer_byte_rate: 6, consumer_byte_rate: 60 }],
      [[c('app')], { producer_byte_rate: 7 }],
      [[c(null)], { producer_byte_rate: 8, request_percentage: 80 }],
    ]);
    expect(m.limitFor('produce', 'alice', 'app')).toBe(1);
    expect(m.limitFor('produce', 'alice', 'other')).toBe(2);
    expect(m.limitFor('produce', 'bob', 'app')).toBe(4);
    expect(m.limitFor('produce', 'bob', 'other')).toBe(5);
    // An empty client id skips the user+client-id levels.
    expect(m.limitFor('produce', 'alice', '')).toBe(3);
    expect(m.limitFor('produce', 'bob', '')).toBe(6);
    // Each quota type resolves on its own.
    expect(m.limitFor('fetch', 'alice', 'app')).toBe(60);
    expect(m.limitFor('request', 'alice', 'app')).toBe(80);
    const onlyClients = await manager([
      [[c('app')], { producer_byte_rate: 7 }],
      [[c(null)], { producer_byte_rate: 8 }],
    ]);
    expect(onlyClients.limitFor('produce', 'ANONYMOUS', 'app')).toBe(7);
    expect(onlyClients.limitFor('produce', 'ANONYMOUS', 'x')).toBe(8);
    expect(onlyClients.limitFor('fetch', 'ANONYMOUS', 'x')).toBeUndefined();
  });

  it('throttles over the bound; clients of one user quota share its rate, default client ids do not', async () => {
    const m = await manager([
      [[u('alice')], { producer_byte_rate: 1000 }],
      [[c(null)], { producer_byte_rate: 1000 }],
    ]);
    expect(m.active).toBe(true);
    // 10 windows of 1000 B/s = 10,000 bytes fit; alice's two clients share them.
    expect(m.record('produce', 'alice', 'a', 6000, 0)).toBe(0);
    expect(m.record('produce', 'alice', 'b', 6000, 0)).toBe(2000);
    // Anonymous clients with the default client-id quota each get their own.
    expect(m.record('produce', 'ANONYMOUS', 'x', 6000, 0)).toBe(0);
    expect(m.record('produce', 'ANONYMOUS', 'y', 6000, 0)).toBe(0);
    expect(m.record('produce', 'ANONYMOUS', 'y', 6000, 0)).toBe(2000);
    expect(m.maxValueInWindow('produce', 'ANONYMOUS', 'y')).toBe(10_000);
    m.unrecord('produce', 'ANONYMOUS', 'y', 6000, 0);
    expect(m.record('produce', 'ANONYMOUS', 'y', 0, 0)).toBe(0);
  });

  it('is inactive until a produce, fetch or request quota exists', async () => {
    const m = await manager([[[{ entityType: 'ip', entityName: null }], { connection_creation_rate: 5 }]]);
    expect(m.active).toBe(false);
  });
});

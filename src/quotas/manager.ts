/**
 * Quota enforcement as Kafka's ClientQuotaManager does it: the most specific quota set for a
 * (user, client-id) pair applies, in Kafka's order of precedence
 *   user+client-id, user+default client-id, user, default user+client-id,
 *   default user+default client-id, default user, client-id, default client-id;
 * clients sharing the entity the quota was found on share one rate (one "sensor"); a rate over its
 * bound gives throttle time (observed - bound) / bound × window.
 */
import type { Logger } from '../log.js';
import type { QuotaType } from '../metrics/metrics.js';
import type { QuotaEntity, QuotaValues } from './entity.js';
import {
  CLIENT_ID,
  CONSUMER_BYTE_RATE,
  entityKey,
  PRODUCER_BYTE_RATE,
  REQUEST_PERCENTAGE,
  USER,
} from './entity.js';
import type { QuotaStore } from './quota-store.js';
import type { RateConfig } from './rate.js';
import { SampledRate, throttleTimeMs } from './rate.js';

const KEY_OF: Record<QuotaType, string> = {
  produce: PRODUCER_BYTE_RATE,
  fetch: CONSUMER_BYTE_RATE,
  request: REQUEST_PERCENTAGE,
};

/** Kafka drops a client's sensors after an hour without use. */
const SENSOR_IDLE_MS = 3_600_000;

interface Resolved {
  /** Which rate the client's usage goes to; the client ids and users sharing it share the key. */
  readonly sensor: string;
  readonly limit: number | undefined;
}

function key(user: string | null | undefined, clientId: string | null | undefined): string {
  const entity: QuotaEntity = {};
  if (user !== undefined) entity[USER] = user;
  if (clientId !== undefined) entity[CLIENT_ID] = clientId;
  return entityKey(entity);
}

export class QuotaManager {
  private limits: Record<QuotaType, Map<string, number>> = {
    produce: new Map(),
    fetch: new Map(),
    request: new Map(),
  };
  private readonly resolved = new Map<string, Resolved>();
  private readonly sensors = new Map<string, SampledRate>();
  private lastSweep = 0;
  private retry: NodeJS.Timeout | undefined;
  /** True once any produce, fetch or request quota is set: until then nothing is recorded. */
  active = false;

  constructor(
    readonly store: QuotaStore,
    private readonly rate: RateConfig,
  ) {
    store.onChange(() => this.reload());
  }

  private reload(): void {
    const limits: Record<QuotaType, Map<string, number>> = {
      produce: new Map(),
      fetch: new Map(),
      request: new Map(),
    };
    for (const [entity, values] of this.store.all()) this.addLimits(limits, entity, values);
    this.limits = limits;
    this.resolved.clear();
    // As in Kafka, enforcement stays on once a quota was set, even if all are removed later.
    this.active ||= Object.values(limits).some((m) => m.size > 0);
  }

  private addLimits(
    limits: Record<QuotaType, Map<string, number>>,
    entity: QuotaEntity,
    values: QuotaValues,
  ) {
    if ('ip' in entity) return;
    const k = entityKey(entity);
    for (const type of Object.keys(KEY_OF) as QuotaType[]) {
      const v = values[KEY_OF[type]];
      if (v !== undefined) limits[type].set(k, v);
    }
  }

  /**
   * Kafka's resolution: the limit and the metric tags (user tag, client-id tag) naming the shared
   * rate. A default entity is keyed with null.
   */
  private resolve(type: QuotaType, user: string, clientId: string): Resolved {
    const cacheKey = `${type}\u0000${user}\u0000${clientId}`;
    const hit = this.resolved.get(cacheKey);
    if (hit !== undefined) return hit;
    const limits = this.limits[type];
    const candidates: [string | null | undefined, string | null | undefined, string, string][] = [
      [user, clientId, user, clientId],
      [user, null, user, clientId],
      [user, undefined, user, ''],
      [null, clientId, user, clientId],
      [null, null, user, clientId],
      [null, undefined, user, ''],
      [undefined, clientId, '', clientId],
      [undefined, null, '', clientId],
    ];
    let result: Resolved = { sensor: `${type}\u0000\u0000${clientId}`, limit: undefined };
    for (const [u, c, userTag, clientTag] of candidates) {
      // Kafka only looks at user+client-id entities when both are non-empty, and skips user
      // entities for an empty user name.
      if (u !== undefined && c !== undefined && (user === '' || clientId === '')) continue;
      if (u !== undefined && user === '') continue;
      if (u === undefined && c !== undefined && clientId === '') continue;
      const limit = limits.get(key(u, c));
      if (limit !== undefined) {
        result = { sensor: `${type}\u0000${userTag}\u0000${clientTag}`, limit };
        break;
      }
    }
    this.resolved.set(cacheKey, result);
    return result;
  }

  /**
   * Loads the stored quotas; while the store does not answer (SeaweedMQ not up yet), retries every
   * few seconds, enforcing nothing until then. With `refreshMs`, reads them again at that interval,
   * so quotas altered through other gateways sharing the store are enforced here too.
   */
  loadInBackground(
    log: Logger,
    { retryMs = 5000, refreshMs }: { retryMs?: number; refreshMs?: number } = {},
  ): void {
    let loaded = false;
    const again = (ms: number): void => {
      this.retry = setTimeout(attempt, ms);
      this.retry.unref();
    };
    const attempt = (): void => {
      this.store.load().then(
        () => {
          if (!loaded && this.store.size > 0) log.info({ entities: this.store.size }, 'client quotas loaded');
          loaded = true;
          if (refreshMs !== undefined) again(refreshMs);
        },
        (err: unknown) => {
          log.warn(
            { err },
            loaded ? 'could not re-read client quotas' : 'client quotas not loaded yet; retrying',
          );
          again(loaded && refreshMs !== undefined ? refreshMs : retryMs);
        },
      );
    };
    attempt();
  }

  close(): void {
    clearTimeout(this.retry);
  }

  /** The limit that applies to this client, or undefined when none does. */
  limitFor(type: QuotaType, user: string, clientId: string): number | undefined {
    return this.resolve(type, user, clientId).limit;
  }

  /** Largest value that can be recorded in one go without certain throttling (Kafka bounds fetches with it). */
  maxValueInWindow(type: QuotaType, user: string, clientId: string): number {
    const limit = this.resolve(type, user, clientId).limit;
    if (limit === undefined) return Number.POSITIVE_INFINITY;
    return (limit * (this.rate.samples - 1) * this.rate.windowMs) / 1000;
  }

  /** Records usage and answers the throttle time in ms (0 within the quota). */
  record(type: QuotaType, user: string, clientId: string, value: number, now = Date.now()): number {
    const { sensor, limit } = this.resolve(type, user, clientId);
    let rate = this.sensors.get(sensor);
    if (rate === undefined) {
      rate = new SampledRate(this.rate);
      this.sensors.set(sensor, rate);
      this.sweep(now);
    }
    rate.record(value, now);
    if (limit === undefined) return 0;
    const observed = rate.measure(now);
    if (observed <= limit) return 0;
    return throttleTimeMs(observed, limit, rate.windowSize(now));
  }

  /** Takes back a recorded value (a throttled Fetch sends no data, so it is not charged). */
  unrecord(type: QuotaType, user: string, clientId: string, value: number, now = Date.now()): void {
    this.sensors.get(this.resolve(type, user, clientId).sensor)?.record(-value, now);
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [k, r] of this.sensors) if (now - r.lastRecordMs > SENSOR_IDLE_MS) this.sensors.delete(k);
  }
}

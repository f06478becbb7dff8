/**
 * Where quotas meet requests (called by the dispatcher, so handlers carry no quota code): Produce is
 * charged its request size against producer_byte_rate, Fetch its response size against
 * consumer_byte_rate, and every request its handling time against request_percentage. The largest
 * throttle time is put in the response's throttle_time_ms; a throttled Fetch answers no data, as
 * Kafka's does; the connection then stops reading the client for that long.
 */
import type { RequestContext } from '../handlers/handler.js';
import type { FetchRequest, FetchResponse } from '../protocol/generated/index.js';
import type { QuotaType } from '../metrics/metrics.js';
import type { QuotaManager } from './manager.js';
import { quotaUser } from './principal.js';

const PRODUCE = 0;
const FETCH = 1;
const JOIN_GROUP = 11;
const SYNC_GROUP = 14;

/**
 * First version of each API whose clients back off by themselves on throttle_time_ms (KIP-219);
 * older versions get their response held back for the throttle time instead. APIs not listed
 * arrived after KIP-219 and always back off.
 */
const CLIENT_THROTTLES_FROM: Readonly<Record<number, number>> = {
  0: 6, // Produce
  1: 8, // Fetch
  2: 3, // ListOffsets
  3: 6, // Metadata
  8: 4, // OffsetCommit
  9: 4, // OffsetFetch
  10: 2, // FindCoordinator
  11: 3, // JoinGroup
  12: 2, // Heartbeat
  13: 2, // LeaveGroup
  14: 2, // SyncGroup
  15: 2, // DescribeGroups
  16: 2, // ListGroups
  18: 2, // ApiVersions
  19: 3, // CreateTopics
  20: 2, // DeleteTopics
  21: 1, // DeleteRecords
  22: 1, // InitProducerId
  23: 3, // OffsetForLeaderEpoch
  32: 2, // DescribeConfigs
  33: 1, // AlterConfigs
  34: 1, // AlterReplicaLogDirs
  35: 1, // DescribeLogDirs
  37: 1, // CreatePartitions
  42: 1, // DeleteGroups
};

export function clientThrottles(apiKey: number, version: number): boolean {
  return version >= (CLIENT_THROTTLES_FROM[apiKey] ?? 0);
}

/** Before a Fetch is handled: no larger than a quota window can carry (Kafka bounds it the same way). */
export function boundRequest(
  quotas: QuotaManager,
  apiKey: number,
  request: unknown,
  ctx: RequestContext,
): void {
  if (apiKey !== FETCH) return;
  const max = quotas.maxValueInWindow('fetch', quotaUser(ctx), ctx.clientId ?? '');
  const fetch = request as FetchRequest;
  if (max < fetch.maxBytes) fetch.maxBytes = Math.max(1, Math.floor(max));
}

/**
 * Time charged to request_percentage, in percent-seconds (100 = one second of handling). A Fetch
 * that waited out its max_wait_ms is not charged for the wait, nor are JoinGroup and SyncGroup for
 * the rebalance they wait on: Kafka charges only the time its threads work on a request.
 */
function requestCharge(apiKey: number, request: unknown, handleMs: number): number {
  let ms = handleMs;
  if (apiKey === JOIN_GROUP || apiKey === SYNC_GROUP) ms = 0;
  else if (apiKey === FETCH) {
    const wait = (request as FetchRequest).maxWaitMs;
    if (wait > 0 && ms >= wait) ms -= wait;
  }
  return ms / 10;
}

export interface Throttle {
  readonly ms: number;
  /** The quota that gave the throttle time. */
  readonly type: QuotaType;
  readonly delayResponse: boolean;
  /** The response to send (a throttled Fetch carries no data). */
  readonly response: unknown;
}

/**
 * Charges the request to the client's quotas and answers the throttle to apply (ms 0: none),
 * writing throttle_time_ms into the response.
 */
export function chargeRequest(
  quotas: QuotaManager,
  apiKey: number,
  version: number,
  request: unknown,
  response: unknown,
  requestBytes: number,
  responseBytes: number,
  handleMs: number,
  ctx: RequestContext,
): Throttle {
  const user = quotaUser(ctx);
  const clientId = ctx.clientId ?? '';
  const now = Date.now();
  let bandwidth = 0;
  let fetchBytes = 0;
  if (apiKey === PRODUCE) bandwidth = quotas.record('produce', user, clientId, requestBytes, now);
  if (apiKey === FETCH && response !== null) {
    fetchBytes = responseBytes;
    bandwidth = quotas.record('fetch', user, clientId, fetchBytes, now);
  }
  const acksZero = apiKey === PRODUCE && response === null;
  const requestTime = acksZero
    ? 0
    : quotas.record('request', user, clientId, requestCharge(apiKey, request, handleMs), now);
  const ms = Math.max(bandwidth, requestTime);
  const type: QuotaType = bandwidth < requestTime ? 'request' : apiKey === PRODUCE ? 'produce' : 'fetch';
  if (ms <= 0) return { ms: 0, type, delayResponse: false, response };
  let out = response;
  if (apiKey === FETCH && response !== null) {
    quotas.unrecord('fetch', user, clientId, fetchBytes, now);
    out = { ...(response as FetchResponse), responses: [] };
  }
  if (out !== null && typeof out === 'object' && 'throttleTimeMs' in out) {
    (out as { throttleTimeMs: number }).throttleTimeMs = ms;
  }
  return { ms, type, delayResponse: !clientThrottles(apiKey, version), response: out };
}

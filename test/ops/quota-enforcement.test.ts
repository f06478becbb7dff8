import { beforeEach, describe, expect, it } from 'vitest';
import { PLAINTEXT_LISTENER } from '../../src/security/listeners.js';
import { Session } from '../../src/security/session.js';
import type { RequestContext } from '../../src/handlers/handler.js';
import { silentLogger } from '../../src/log.js';
import type { FetchResponse, ProduceResponse } from '../../src/protocol/generated/index.js';
import type { Harness } from '../server/support/harness.js';
import { batch, createHarness } from '../server/support/harness.js';
import { decodeResponse, requestFrame, unframe } from '../server/support/wire.js';

// The dispatcher charges requests to quotas: throttle_time_ms in the response, the connection told
// to mute (and, for versions before KIP-219, to hold the response back), a throttled Fetch without
// data.

describe('quota enforcement in dispatch', () => {
  let h: Harness;
  const throttles: [number, boolean][] = [];
  const context = (apiVersion: number, correlationId: number, clientId: string | null): RequestContext => ({
    apiVersion,
    correlationId,
    clientId,
    localHost: '127.0.0.1',
    localPort: 9092,
    remoteHost: '127.0.0.1',
    services: h.services,
    session: new Session(PLAINTEXT_LISTENER, '127.0.0.1', undefined),
    log: silentLogger,
    signal: new AbortController().signal,
  });
  async function call<T>(apiKey: number, version: number, body: object, clientId: string): Promise<T> {
    const chunks = await h.dispatcher.dispatch(
      requestFrame(apiKey, version, body, { clientId }),
      context,
      (ms, delay) => throttles.push([ms, delay]),
    );
    return decodeResponse<T>(apiKey, version, unframe(chunks!)).body;
  }
  const produce = (version: number, clientId: string, records = 50) =>
    call<ProduceResponse>(
      0,
      version,
      {
        transactionalId: null,
        acks: 1,
        timeoutMs: 1000,
        topicData: [{ name: 't', partitionData: [{ index: 0, records: batch(records) }] }],
      },
      clientId,
    );

  beforeEach(async () => {
    throttles.length = 0;
    h = createHarness({ quotaWindow: { samples: 2, windowMs: 1000 } });
    await h.createTopic('t', 1);
    await h.services.quotas.store.alter(
      [
        { entity: { 'client-id': 'slow' }, ops: [{ key: 'producer_byte_rate', value: 100, remove: false }] },
        {
          entity: { 'client-id': 'reader' },
          ops: [{ key: 'consumer_byte_rate', value: 100, remove: false }],
        },
      ],
      false,
    );
  });

  it('throttles a producer over its byte rate; others are not charged to it', async () => {
    const first = await produce(9, 'slow');
    expect(first.throttleTimeMs).toBeGreaterThan(0);
    expect(first.responses[0]!.partitionResponses[0]!.errorCode).toBe(0);
    expect(throttles).toEqual([[first.throttleTimeMs, false]]);
    // The record was stored: throttling delays the client, it does not refuse data.
    await expect(h.storage.offsets('t', 0)).resolves.toMatchObject({ highWatermark: 50n });
    expect((await produce(9, 'fast')).throttleTimeMs).toBe(0);
    // Produce v5 clients do not back off by themselves: the response is held back instead.
    await produce(5, 'slow');
    expect(throttles[1]![1]).toBe(true);
  });

  it('answers a throttled Fetch without data, and bounds fetches to what a quota window carries', async () => {
    await h.storage.append('t', 0, batch(50));
    const fetch = {
      clusterId: null,
      replicaId: -1,
      replicaState: { replicaId: -1, replicaEpoch: -1n },
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic: 't',
          topicId: '00000000000000000000000000000000',
          partitions: [
            {
              partition: 0,
              currentLeaderEpoch: -1,
              fetchOffset: 0n,
              lastFetchedEpoch: -1,
              logStartOffset: -1n,
              partitionMaxBytes: 1 << 20,
            },
          ],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    };
    const throttled = await call<FetchResponse>(1, 12, fetch, 'reader');
    expect(throttled.throttleTimeMs).toBeGreaterThan(0);
    expect(throttled.responses).toEqual([]);
    const free = await call<FetchResponse>(1, 12, fetch, 'other');
    expect(free.throttleTimeMs).toBe(0);
    expect(free.responses[0]!.partitions[0]!.records).not.toBeNull();
  });
});

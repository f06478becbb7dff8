import type { GatewayConfig } from '../../../src/config.js';
import { PLAINTEXT_LISTENER } from '../../../src/security/listeners.js';
import { Session } from '../../../src/security/session.js';
import { DEFAULT_CONFIG } from '../../../src/config.js';
import type { RequestContext } from '../../../src/handlers/handler.js';
import { HANDLERS } from '../../../src/handlers/index.js';
import { silentLogger } from '../../../src/log.js';
import { buildRecordBatch } from '../../../src/protocol/records/builder.js';
import type { BuildBatchOptions } from '../../../src/protocol/records/builder.js';
import { Dispatcher } from '../../../src/server/dispatch.js';
import type { Services } from '../../../src/services.js';
import { createServices } from '../../../src/services.js';
import { MemoryStorage } from '../../../src/storage/memory/memory-storage.js';
import type { TopicConfigs, TopicInfo } from '../../../src/storage/storage.js';
import type { RequestOptions } from './wire.js';
import { decodeResponse, requestFrame, unframe } from './wire.js';

/** Dispatcher, services and an in-memory store wired as the gateway wires them, without sockets. */
export interface Harness {
  readonly storage: MemoryStorage;
  readonly services: Services;
  readonly dispatcher: Dispatcher;
  /** Aborts the signal handlers see, as a closing connection does. */
  readonly abort: AbortController;
  /** The connection's session every request runs in (a PLAINTEXT client); tests may replace it. */
  session: Session;
  /** Dispatches a raw frame (no size prefix); resolves to the response frame without its prefix. */
  raw(frame: Buffer): Promise<Buffer | null>;
  /** Encodes a request, dispatches it and decodes the response. */
  call<T>(apiKey: number, version: number, body: object, o?: RequestOptions): Promise<T>;
  /** As call, for requests that may get no response. */
  callMaybe<T>(apiKey: number, version: number, body: object, o?: RequestOptions): Promise<T | null>;
  createTopic(name: string, partitions?: number, configs?: TopicConfigs): Promise<TopicInfo>;
}

/** `storage` lets two harnesses share one store, as a restarted or a second gateway does. */
export function createHarness(
  config: Partial<GatewayConfig> = {},
  storage = new MemoryStorage({ logger: silentLogger }),
): Harness {
  const services = createServices({ ...DEFAULT_CONFIG, ...config }, storage, silentLogger);
  const dispatcher = new Dispatcher(HANDLERS);
  services.supportedApis = dispatcher.supported;
  const abort = new AbortController();
  const context = (apiVersion: number, correlationId: number, clientId: string | null): RequestContext => ({
    apiVersion,
    correlationId,
    clientId,
    localHost: '127.0.0.1',
    localPort: 19092,
    remoteHost: '127.0.0.1',
    services,
    session: harness.session,
    log: silentLogger,
    signal: abort.signal,
  });
  const raw = async (frame: Buffer): Promise<Buffer | null> => {
    const chunks = await dispatcher.dispatch(frame, context);
    return chunks === null ? null : unframe(chunks);
  };
  const callMaybe = async <T>(apiKey: number, version: number, body: object, o: RequestOptions = {}) => {
    const correlationId = o.correlationId ?? 4242;
    const out = await raw(requestFrame(apiKey, version, body, { ...o, correlationId }));
    if (out === null) return null;
    const response = decodeResponse<T>(apiKey, version, out);
    if (response.correlationId !== correlationId) {
      throw new Error(`correlation id ${response.correlationId}, expected ${correlationId}`);
    }
    return response.body;
  };
  const harness: Harness = {
    storage,
    services,
    dispatcher,
    abort,
    session: new Session(PLAINTEXT_LISTENER, '127.0.0.1', undefined),
    raw,
    callMaybe,
    async call<T>(apiKey: number, version: number, body: object, o?: RequestOptions): Promise<T> {
      const out = await callMaybe<T>(apiKey, version, body, o);
      if (out === null) throw new Error('no response');
      return out;
    },
    createTopic: (name, partitions = 1, configs = {}) => storage.createTopic({ name, partitions, configs }),
  };
  return harness;
}

/** A batch of `count` records with keys k<i> and values v<i>, timestamps 1000 + i unless given. */
export function batch(count: number, opts: Partial<BuildBatchOptions> = {}): Buffer {
  const records = Array.from({ length: count }, (_, i) => ({
    key: Buffer.from(`k${i}`),
    value: Buffer.from(`v${i}`),
  }));
  return buildRecordBatch({ baseTimestamp: 1000n, records, ...opts });
}

import type { ApiDefinition } from '../protocol/api-definition.js';
import { decodeMessage, encodeMessage } from '../protocol/codec.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { ApiVersionsResponse } from '../protocol/generated/index.js';
import { API_DEFINITIONS } from '../protocol/generated/index.js';
import {
  API_VERSIONS_KEY,
  readRequestHeader,
  readRequestPrefix,
  requestHeaderVersion,
  responseHeaderVersion,
} from '../protocol/header.js';
import { ProtocolError, Reader } from '../protocol/reader.js';
import { Writer } from '../protocol/writer.js';
import type { ApiHandler, RequestContext } from '../handlers/handler.js';
import { boundRequest, chargeRequest } from '../quotas/enforce.js';

export interface SupportedApi {
  readonly apiKey: number;
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
}

/** A request we do not serve: the connection closes, as Kafka does. */
export class UnsupportedRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedRequestError';
  }
}

interface Route {
  readonly handler: ApiHandler;
  readonly definition: ApiDefinition;
}

/** Told when a quota throttles the client (see src/quotas/enforce.ts). */
export type ThrottleListener = (ms: number, delayResponse: boolean) => void;

const noRelease = (): void => {};

export type RequestContextFactory = (
  apiVersion: number,
  correlationId: number,
  clientId: string | null,
) => RequestContext;

/** Maps api keys to handlers; the one place that decodes requests and encodes responses. */
export class Dispatcher {
  private readonly routes = new Map<number, Route>();
  readonly supported: readonly SupportedApi[];

  constructor(handlers: readonly ApiHandler[], definitions: readonly ApiDefinition[] = API_DEFINITIONS) {
    const byKey = new Map(definitions.map((d) => [d.apiKey, d]));
    for (const handler of handlers) {
      const definition = byKey.get(handler.apiKey);
      if (definition === undefined) throw new Error(`no message definition for api key ${handler.apiKey}`);
      const [lo, hi] = definition.validVersions;
      if (handler.minVersion < lo || handler.maxVersion > hi || handler.minVersion > handler.maxVersion) {
        throw new Error(
          `${definition.name} handler serves ${handler.minVersion}-${handler.maxVersion}, definitions allow ${lo}-${hi}`,
        );
      }
      if (this.routes.has(handler.apiKey)) throw new Error(`two handlers for ${definition.name}`);
      this.routes.set(handler.apiKey, { handler, definition });
    }
    this.supported = [...this.routes.values()]
      .sort((a, b) => a.handler.apiKey - b.handler.apiKey)
      .map(({ handler, definition }) => ({
        apiKey: handler.apiKey,
        name: definition.name,
        minVersion: handler.minVersion,
        maxVersion: handler.maxVersion,
      }));
  }

  /**
   * Handles one request frame. Resolves to the response frame's chunks (size prefix included), or
   * null when no response is due. Rejects with ProtocolError or UnsupportedRequestError when the
   * connection must close.
   */
  async dispatch(
    frame: Buffer,
    makeContext: RequestContextFactory,
    onThrottle?: ThrottleListener,
  ): Promise<Buffer[] | null> {
    const prefix = readRequestPrefix(frame);
    const route = this.routes.get(prefix.apiKey);
    const version = prefix.apiVersion;
    if (route === undefined) {
      throw new UnsupportedRequestError(`unsupported api key ${prefix.apiKey}`);
    }
    const { handler, definition } = route;
    if (version < handler.minVersion || version > handler.maxVersion) {
      if (prefix.apiKey === API_VERSIONS_KEY) return this.unsupportedApiVersions(prefix.correlationId);
      throw new UnsupportedRequestError(
        `${definition.name} v${version} is not served (${handler.minVersion}-${handler.maxVersion})`,
      );
    }
    const r = new Reader(frame);
    const header = readRequestHeader(r, requestHeaderVersion(definition.request, version));
    const request = decodeMessage<unknown>(definition.request, version, r);
    const ctx = makeContext(version, prefix.correlationId, header.clientId);
    const { quotas, metrics } = ctx.services;
    if (!quotas.active) {
      const response = await handler.handle(request, ctx);
      if (response === null) return null;
      metrics.responseErrors(prefix.apiKey, definition.response, version, response);
      return this.encode(definition, version, prefix.correlationId, response);
    }
    // No early release (pipelined produce) while quotas apply: each request must be charged, and the
    // connection muted, before the next one is read, as Kafka handles one request per connection.
    const charged: RequestContext = { ...ctx, release: noRelease };
    boundRequest(quotas, prefix.apiKey, request, charged);
    const started = performance.now();
    const response = await handler.handle(request, charged);
    if (response !== null) metrics.responseErrors(prefix.apiKey, definition.response, version, response);
    let chunks = response === null ? null : this.encode(definition, version, prefix.correlationId, response);
    let size = 0;
    for (const c of chunks ?? []) size += c.length;
    const throttle = chargeRequest(
      quotas,
      prefix.apiKey,
      version,
      request,
      response,
      frame.length,
      size,
      performance.now() - started,
      charged,
    );
    if (throttle.ms > 0) {
      metrics.throttled(throttle.type, throttle.ms);
      onThrottle?.(throttle.ms, throttle.delayResponse);
      if (throttle.response !== null) {
        chunks = this.encode(definition, version, prefix.correlationId, throttle.response);
      }
    }
    return chunks;
  }

  private encode(definition: ApiDefinition, version: number, correlationId: number, body: unknown): Buffer[] {
    const w = new Writer();
    w.int32(0);
    w.int32(correlationId);
    if (responseHeaderVersion(definition.response, version) >= 1) w.uvarint(0);
    encodeMessage(definition.response, version, w, body as object);
    return w.finishFrame();
  }

  /** Kafka answers an ApiVersions version it does not know in v0 format, so the client can retry. */
  private unsupportedApiVersions(correlationId: number): Buffer[] {
    const route = this.routes.get(API_VERSIONS_KEY)!;
    const body: ApiVersionsResponse = {
      errorCode: ErrorCode.UNSUPPORTED_VERSION,
      apiKeys: this.supported.map((s) => ({
        apiKey: s.apiKey,
        minVersion: s.minVersion,
        maxVersion: s.maxVersion,
      })),
    };
    return this.encode(route.definition, 0, correlationId, body);
  }
}

export { ProtocolError };

import { describe, expect, it } from 'vitest';
import { PLAINTEXT_LISTENER } from '../../src/security/listeners.js';
import { Session } from '../../src/security/session.js';
import { defineHandler } from '../../src/handlers/handler.js';
import { HANDLERS } from '../../src/handlers/index.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import type { ApiVersionsResponse } from '../../src/protocol/generated/index.js';
import { ProtocolError } from '../../src/protocol/reader.js';
import { Dispatcher, UnsupportedRequestError } from '../../src/server/dispatch.js';
import { createHarness } from './support/harness.js';
import { decodeResponse, requestFrame, requestHeader } from './support/wire.js';

/** What the gateway serves today; a handler losing a version shows up here. */
const SERVED: Record<number, [number, number]> = {
  0: [0, 11],
  1: [0, 17],
  2: [0, 9],
  3: [0, 12],
  18: [0, 4],
  19: [0, 7],
  20: [0, 6],
  22: [0, 5],
};

describe('ApiVersions', () => {
  it.each([0, 1, 2, 3, 4])('v%i lists every served API with its version range', async (version) => {
    const h = createHarness();
    const body = version >= 3 ? { clientSoftwareName: 'vitest', clientSoftwareVersion: '3' } : {};
    const res = await h.call<ApiVersionsResponse>(18, version, body, { correlationId: 77 });
    expect(res.errorCode).toBe(ErrorCode.NONE);
    const listed = Object.fromEntries(res.apiKeys.map((k) => [k.apiKey, [k.minVersion, k.maxVersion]]));
    for (const [key, range] of Object.entries(SERVED)) expect(listed[key], `api ${key}`).toEqual(range);
    expect(res.apiKeys).toEqual(
      h.dispatcher.supported.map((s) => ({
        apiKey: s.apiKey,
        minVersion: s.minVersion,
        maxVersion: s.maxVersion,
      })),
    );
    // Sorted by key, as clients print them.
    const keys = res.apiKeys.map((k) => k.apiKey);
    expect(keys).toEqual([...keys].sort((a, b) => a - b));
  });

  it('answers an unknown version in v0 format with UNSUPPORTED_VERSION and the full list', async () => {
    const h = createHarness();
    // Clients probing a newer version send a body we cannot know; only the header is read.
    const frame = Buffer.concat([requestHeader(18, 99, { correlationId: 31337 }, 2), Buffer.from([7, 7, 7])]);
    const out = await h.raw(frame);
    const { correlationId, body } = decodeResponse<ApiVersionsResponse>(18, 0, out!);
    expect(correlationId).toBe(31337);
    expect(body.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(body.apiKeys.map((k) => k.apiKey)).toEqual(h.dispatcher.supported.map((s) => s.apiKey));
    expect(body.apiKeys.find((k) => k.apiKey === 18)).toEqual({ apiKey: 18, minVersion: 0, maxVersion: 4 });
  });
});

describe('Dispatcher', () => {
  it('rejects an unknown api key', async () => {
    const h = createHarness();
    await expect(h.raw(requestHeader(9999, 0))).rejects.toBeInstanceOf(UnsupportedRequestError);
    // CreateDelegationToken has a definition but no handler.
    await expect(h.raw(requestHeader(38, 1))).rejects.toBeInstanceOf(UnsupportedRequestError);
  });

  it('rejects a version of a served api outside its range', async () => {
    const h = createHarness();
    await expect(h.raw(requestHeader(3, 13))).rejects.toBeInstanceOf(UnsupportedRequestError);
    await expect(h.raw(requestHeader(0, -1))).rejects.toBeInstanceOf(UnsupportedRequestError);
  });

  it('rejects a body that does not decode', async () => {
    const h = createHarness();
    const header = requestHeader(3, 1);
    // topics claims 1000 entries, two bytes follow
    const body = Buffer.from([0, 0, 0x03, 0xe8, 0, 1]);
    await expect(h.raw(Buffer.concat([header, body]))).rejects.toBeInstanceOf(ProtocolError);
    await expect(h.raw(Buffer.from([0, 3]))).rejects.toBeInstanceOf(ProtocolError);
  });

  it('passes the header fields to the handler context', async () => {
    const seen: unknown[] = [];
    const probe = defineHandler({
      apiKey: 18,
      minVersion: 0,
      maxVersion: 4,
      handle(_req, ctx) {
        seen.push([ctx.apiVersion, ctx.correlationId, ctx.clientId]);
        return { errorCode: 0, apiKeys: [], throttleTimeMs: 0 };
      },
    });
    const d = new Dispatcher([probe]);
    const h = createHarness();
    const make = (apiVersion: number, correlationId: number, clientId: string | null) => ({
      apiVersion,
      correlationId,
      clientId,
      localHost: '',
      localPort: 0,
      remoteHost: '',
      services: h.services,
      session: new Session(PLAINTEXT_LISTENER, '127.0.0.1', undefined),
      log: h.services.log,
      signal: h.abort.signal,
    });
    await d.dispatch(
      requestFrame(
        18,
        3,
        { clientSoftwareName: 'a', clientSoftwareVersion: 'b' },
        { correlationId: 5, clientId: 'me' },
      ),
      make,
    );
    await d.dispatch(requestFrame(18, 1, {}, { correlationId: 6, clientId: null }), make);
    expect(seen).toEqual([
      [3, 5, 'me'],
      [1, 6, null],
    ]);
  });

  it('refuses handlers that claim versions the definitions lack, or two handlers for one key', () => {
    const tooNew = defineHandler({ apiKey: 3, minVersion: 0, maxVersion: 13, handle: () => null });
    expect(() => new Dispatcher([tooNew])).toThrow(/definitions allow/);
    const inverted = defineHandler({ apiKey: 3, minVersion: 5, maxVersion: 4, handle: () => null });
    expect(() => new Dispatcher([inverted])).toThrow();
    const unknown = defineHandler({ apiKey: 999, minVersion: 0, maxVersion: 0, handle: () => null });
    expect(() => new Dispatcher([unknown])).toThrow(/no message definition/);
    expect(() => new Dispatcher([...HANDLERS, HANDLERS[0]!])).toThrow(/two handlers/);
  });
});

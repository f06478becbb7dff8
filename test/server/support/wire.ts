import { decodeMessage, encodeMessage } from '../../../src/protocol/codec.js';
import type { ApiDefinition } from '../../../src/protocol/api-definition.js';
import { RequestHeaderSchema } from '../../../src/protocol/generated/headers.js';
import { API_DEFINITIONS } from '../../../src/protocol/generated/index.js';
import { Reader } from '../../../src/protocol/reader.js';
import type { MessageSchema } from '../../../src/protocol/schema.js';
import { Writer } from '../../../src/protocol/writer.js';

/*
 * Request and response framing as a client does it. Header versions are worked out here from the
 * schemas, independently of src/protocol/header.ts, so a server that picks the wrong header
 * version fails these tests instead of agreeing with itself.
 */

export const API_VERSIONS = 18;

export function definition(apiKey: number): ApiDefinition {
  const d = API_DEFINITIONS.find((a) => a.apiKey === apiKey);
  if (d === undefined) throw new Error(`no definition for api key ${apiKey}`);
  return d;
}

function flexible(schema: MessageSchema, version: number): boolean {
  const f = schema.flexibleVersions;
  return f !== null && version >= f[0] && version <= f[1];
}

export interface RequestOptions {
  correlationId?: number;
  clientId?: string | null;
}

/** The request header alone (for versions whose body we cannot or will not encode). */
export function requestHeader(
  apiKey: number,
  version: number,
  o: RequestOptions = {},
  headerVersion = 1,
): Buffer {
  const w = new Writer();
  encodeMessage(RequestHeaderSchema, headerVersion, w, {
    requestApiKey: apiKey,
    requestApiVersion: version,
    correlationId: o.correlationId ?? 1,
    clientId: o.clientId === undefined ? 'test-client' : o.clientId,
  });
  return Buffer.concat(w.finish());
}

/** A request frame without its size prefix: header (v1, or v2 for flexible versions) and body. */
export function requestFrame(apiKey: number, version: number, body: object, o: RequestOptions = {}): Buffer {
  const schema = definition(apiKey).request;
  const header = requestHeader(apiKey, version, o, flexible(schema, version) ? 2 : 1);
  const w = new Writer();
  encodeMessage(schema, version, w, body);
  return Buffer.concat([header, ...w.finish()]);
}

export function withSize(frame: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(frame.length);
  return Buffer.concat([size, frame]);
}

export interface Response<T> {
  correlationId: number;
  body: T;
}

/** Decodes a response frame (without its size prefix); every byte must be accounted for. */
export function decodeResponse<T>(apiKey: number, version: number, frame: Buffer): Response<T> {
  const schema = definition(apiKey).response;
  const r = new Reader(frame);
  const correlationId = r.int32();
  // ApiVersions answers with header v0 whatever its version, so that any client can read it.
  if (apiKey !== API_VERSIONS && flexible(schema, version)) {
    const tags = r.uvarint();
    for (let i = 0; i < tags; i++) {
      r.uvarint();
      r.skip(r.uvarint());
    }
  }
  const body = decodeMessage<T>(schema, version, r);
  if (r.remaining !== 0) throw new Error(`${r.remaining} bytes left after the ${schema.name} v${version}`);
  return { correlationId, body };
}

/** Joins response chunks (size prefix included), checks the size and strips it. */
export function unframe(chunks: readonly Buffer[]): Buffer {
  const all = Buffer.concat(chunks);
  const size = all.readInt32BE(0);
  if (size !== all.length - 4) throw new Error(`frame says ${size} bytes, carries ${all.length - 4}`);
  return all.subarray(4);
}

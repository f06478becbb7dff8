import { decodeMessage, isFlexible } from './codec.js';
import type { RequestHeader } from './generated/headers.js';
import { RequestHeaderSchema } from './generated/headers.js';
import type { MessageSchema } from './schema.js';
import { Reader } from './reader.js';
import type { Writer } from './writer.js';

export const API_VERSIONS_KEY = 18;

/** Request header v2 for flexible request versions, v1 otherwise (v0 only for ControlledShutdown v0). */
export function requestHeaderVersion(requestSchema: MessageSchema, version: number): number {
  return isFlexible(requestSchema, version) ? 2 : 1;
}

/** Response header v1 for flexible versions, except ApiVersions, whose responses always use v0. */
export function responseHeaderVersion(responseSchema: MessageSchema, version: number): number {
  if (responseSchema.apiKey === API_VERSIONS_KEY) return 0;
  return isFlexible(responseSchema, version) ? 1 : 0;
}

/** The first four fields every request header version shares, read before knowing the header version. */
export interface RequestPrefix {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
}

export function readRequestPrefix(frame: Buffer): RequestPrefix {
  const r = new Reader(frame);
  return { apiKey: r.int16(), apiVersion: r.int16(), correlationId: r.int32() };
}

export function readRequestHeader(r: Reader, headerVersion: number): RequestHeader {
  return decodeMessage<RequestHeader>(RequestHeaderSchema, headerVersion, r);
}

export function writeResponseHeader(w: Writer, correlationId: number, headerVersion: number): void {
  w.int32(correlationId);
  if (headerVersion >= 1) w.uvarint(0);
}

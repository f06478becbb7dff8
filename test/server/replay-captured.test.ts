import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import type {
  ApiVersionsResponse,
  CreateTopicsResponse,
  DeleteTopicsResponse,
  FetchResponse,
  InitProducerIdResponse,
  ListOffsetsResponse,
  MetadataResponse,
  ProduceResponse,
} from '../../src/protocol/generated/index.js';
import { validateBatches } from '../../src/protocol/records/batch.js';
import { createHarness } from './support/harness.js';
import { decodeResponse } from './support/wire.js';

/*
 * Replays the request frames captured from kafkajs and kcat (test/fixtures/requests) through the
 * dispatcher: every real-client request gets a response that decodes, without errors.
 */

const DIR = fileURLToPath(new URL('../fixtures/requests/', import.meta.url));

/** Topics first, then data, then the reads and the delete, so each request finds what it needs. */
const ORDER = [
  'api-versions',
  'create-topics',
  'metadata',
  'init-producer-id',
  'produce',
  'list-offsets',
  'fetch',
  'delete-topics',
];

function frames(client: string): { file: string; bytes: Buffer }[] {
  return readdirSync(DIR)
    .filter((f) => f.startsWith(`${client}-`) && f.endsWith('.bin'))
    .map((file) => ({ file, bytes: readFileSync(DIR + file) }))
    .sort((a, b) => {
      const api = (f: string) => ORDER.findIndex((o) => f.startsWith(`${client}-${o}-v`));
      return api(a.file) - api(b.file) || a.file.localeCompare(b.file, 'en', { numeric: true });
    });
}

function check(apiKey: number, body: unknown, file: string): void {
  switch (apiKey) {
    case 0:
      for (const t of (body as ProduceResponse).responses) {
        for (const p of t.partitionResponses) expect(p.errorCode, `${file} ${t.name}`).toBe(ErrorCode.NONE);
      }
      return;
    case 1: {
      const res = body as FetchResponse;
      expect(res.errorCode).toBe(ErrorCode.NONE);
      for (const t of res.responses) {
        for (const p of t.partitions) {
          expect(p.errorCode).toBe(ErrorCode.NONE);
          if (p.records !== null) validateBatches(p.records as Buffer, { fromClient: false });
        }
      }
      return;
    }
    case 2:
      for (const t of (body as ListOffsetsResponse).topics) {
        for (const p of t.partitions) expect(p.errorCode, `${file} ${t.name}`).toBe(ErrorCode.NONE);
      }
      return;
    case 3:
      for (const t of (body as MetadataResponse).topics)
        expect(t.errorCode, `${file} ${t.name}`).toBe(ErrorCode.NONE);
      return;
    case 18:
      expect((body as ApiVersionsResponse).errorCode).toBe(ErrorCode.NONE);
      return;
    case 19:
      for (const t of (body as CreateTopicsResponse).topics)
        expect(t.errorCode, `${file} ${t.name}`).toBe(ErrorCode.NONE);
      return;
    case 20:
      for (const t of (body as DeleteTopicsResponse).responses)
        expect(t.errorCode, `${file} ${t.name}`).toBe(ErrorCode.NONE);
      return;
    case 22:
      expect((body as InitProducerIdResponse).errorCode).toBe(ErrorCode.NONE);
      return;
    default:
      throw new Error(`${file}: no check for api ${apiKey}`);
  }
}

describe.each(['kafkajs', 'kcat'])('replaying %s requests', (client) => {
  it('answers every captured request without an error', async () => {
    const h = createHarness();
    const all = frames(client);
    expect(all.length).toBeGreaterThan(5);
    const fetched: bigint[] = [];
    for (const { file, bytes } of all) {
      const apiKey = bytes.readInt16BE(0);
      const version = bytes.readInt16BE(2);
      const correlationId = bytes.readInt32BE(4);
      // The dispatcher keeps views of the frame (produced batches): give it its own copy.
      const out = await h.raw(Buffer.from(bytes));
      expect(out, `${file} got no response`).not.toBeNull();
      const res = decodeResponse<unknown>(apiKey, version, out!);
      expect(res.correlationId).toBe(correlationId);
      check(apiKey, res.body, file);
      if (apiKey === 1) {
        for (const t of (res.body as FetchResponse).responses) {
          for (const p of t.partitions) {
            for (const b of validateBatches((p.records as Buffer | null) ?? Buffer.alloc(0), {
              fromClient: false,
            })) {
              fetched.push(b.baseOffset);
            }
          }
        }
      }
    }
    // kcat read the gzip topic from offset 0: the replayed fetch finds the replayed produce.
    if (client === 'kcat') expect(fetched).toContain(0n);
  });
});

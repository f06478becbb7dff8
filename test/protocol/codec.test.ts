import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from '../../src/protocol/codec.js';
import type {
  ApiVersionsRequest,
  ApiVersionsResponse,
  DescribeTopicPartitionsRequest,
  FetchResponse,
  ListOffsetsRequest,
  MetadataRequest,
  ProduceRequest,
} from '../../src/protocol/generated/index.js';
import { API_DEFINITIONS } from '../../src/protocol/generated/index.js';
import type { RequestHeader } from '../../src/protocol/generated/headers.js';
import { RequestHeaderSchema, ResponseHeaderSchema } from '../../src/protocol/generated/headers.js';
import {
  readRequestHeader,
  readRequestPrefix,
  requestHeaderVersion,
  responseHeaderVersion,
  writeResponseHeader,
} from '../../src/protocol/header.js';
import { ProtocolError, Reader } from '../../src/protocol/reader.js';
import type { MessageSchema } from '../../src/protocol/schema.js';
import { Writer } from '../../src/protocol/writer.js';

function schemaOf(apiKey: number, kind: 'request' | 'response'): MessageSchema {
  const d = API_DEFINITIONS.find((a) => a.apiKey === apiKey);
  if (d === undefined) throw new Error(`no api ${apiKey}`);
  return d[kind];
}

function encode(schema: MessageSchema, version: number, message: object): Buffer {
  const w = new Writer();
  encodeMessage(schema, version, w, message);
  return Buffer.concat(w.finish());
}

function decode<T>(schema: MessageSchema, version: number, bytes: Buffer): T {
  const r = new Reader(bytes);
  const out = decodeMessage<T>(schema, version, r);
  expect(r.remaining).toBe(0);
  return out;
}

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

const METADATA_REQ = schemaOf(3, 'request');
const API_VERSIONS_REQ = schemaOf(18, 'request');
const API_VERSIONS_RES = schemaOf(18, 'response');

describe('classic and compact encodings', () => {
  const request: MetadataRequest = {
    topics: [{ topicId: '0'.repeat(32), name: 'ab' }],
    allowAutoTopicCreation: true,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  };

  it('uses int32 array and int16 string lengths before the flexible versions', () => {
    expect(encode(METADATA_REQ, 8, request)).toEqual(hex('00000001 0002 6162 01 00 00'));
  });

  it('uses uvarint length+1 and tagged sections in flexible versions', () => {
    // topics: 1 element (2), name "ab" (3), topic tags (0); flags; message tags (0)
    expect(encode(METADATA_REQ, 9, request)).toEqual(hex('02 03 6162 00 01 00 00 00'));
  });

  it('writes a null array as -1 (classic) or 0 (compact)', () => {
    const all = { ...request, topics: null };
    expect(encode(METADATA_REQ, 8, all)).toEqual(hex('ffffffff 01 00 00'));
    expect(encode(METADATA_REQ, 9, all)).toEqual(hex('00 01 00 00 00'));
    expect(decode<MetadataRequest>(METADATA_REQ, 9, hex('00 01 00 00 00')).topics).toBeNull();
    expect(decode<MetadataRequest>(METADATA_REQ, 8, hex('ffffffff 01 00 00')).topics).toBeNull();
  });

  it('writes byte fields with int32 or uvarint lengths', () => {
    const schema = schemaOf(36, 'request');
    const authBytes = Buffer.from('secret');
    expect(encode(schema, 1, { authBytes })).toEqual(Buffer.concat([hex('00000006'), authBytes]));
    expect(encode(schema, 2, { authBytes })).toEqual(Buffer.concat([hex('07'), authBytes, hex('00')]));
  });

  it('counts string lengths in UTF-8 bytes and uses multi-byte uvarints for long compact strings', () => {
    const name = 'é'.repeat(100); // 200 bytes: length+1 = 201 = 0xc9 0x01
    const bytes = encode(METADATA_REQ, 9, { ...request, topics: [{ topicId: '0'.repeat(32), name }] });
    expect(bytes.subarray(0, 3)).toEqual(hex('02 c901'));
    expect(decode<MetadataRequest>(METADATA_REQ, 9, bytes).topics?.[0]?.name).toBe(name);
    const classic = encode(METADATA_REQ, 8, { ...request, topics: [{ topicId: '0'.repeat(32), name }] });
    expect(classic.subarray(4, 6)).toEqual(hex('00c8'));
  });

  it('refuses null for a field that is not nullable in that version', () => {
    const nullName = { ...request, topics: [{ topicId: '0'.repeat(32), name: null }] };
    expect(() => encode(METADATA_REQ, 9, nullName)).toThrow(ProtocolError);
    // v10 made the name nullable.
    expect(encode(METADATA_REQ, 10, nullName)).toEqual(
      Buffer.concat([hex('02'), Buffer.alloc(16), hex('00 00 01 00 00 00')]),
    );
    // A null name arriving in v9 is a protocol error, not a silent null.
    expect(() => decode(METADATA_REQ, 9, hex('02 00 00 01 00 00 00'))).toThrow(ProtocolError);
  });

  it('rejects an array count larger than the remaining bytes without allocating it', () => {
    expect(() => decode(METADATA_REQ, 8, hex('7fffffff 01 00 00'))).toThrow(ProtocolError);
    expect(() => decode(METADATA_REQ, 9, hex('ffffffff07'))).toThrow(ProtocolError);
  });
});

describe('tagged fields', () => {
  it('skips unknown tags at the top level', () => {
    const message: ApiVersionsRequest = { clientSoftwareName: 'a', clientSoftwareVersion: 'b' };
    const bytes = encode(API_VERSIONS_REQ, 3, message);
    expect(bytes).toEqual(hex('02 61 02 62 00'));
    // two unknown tags: 5 (3 bytes) and 200 (empty, tag as a two-byte uvarint)
    const withUnknown = Buffer.concat([bytes.subarray(0, -1), hex('02 05 03 78797a c801 00')]);
    expect(decode(API_VERSIONS_REQ, 3, withUnknown)).toEqual(message);
  });

  it('skips unknown tags inside a nested struct and keeps reading the fields after it', () => {
    // topics: [{ name: "t", tags: { 7: aabb } }], allowAuto=false, cluster=true, topic=true, no tags
    const bytes = hex('02 02 74 01 07 02 aabb 00 01 01 00');
    expect(decode<MetadataRequest>(METADATA_REQ, 9, bytes)).toEqual({
      topics: [{ topicId: '0'.repeat(32), name: 't' }],
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: true,
      includeTopicAuthorizedOperations: true,
    });
  });

  it('reads known tags next to unknown ones', () => {
    const base: ApiVersionsResponse = {
      errorCode: 0,
      apiKeys: [],
      throttleTimeMs: 0,
      supportedFeatures: [],
      finalizedFeaturesEpoch: -1n,
      finalizedFeatures: [],
      zkMigrationReady: true,
    };
    const bytes = encode(API_VERSIONS_RES, 3, base);
    // Only the non-default tag is written: count 1, tag 3, size 1, true.
    expect(bytes.subarray(-4)).toEqual(hex('01 03 01 01'));
    const spliced = Buffer.concat([
      bytes.subarray(0, -4),
      hex('03 01 08 0000000000000007 03 01 01 09 02 ffff'),
    ]);
    const decoded = decode<ApiVersionsResponse>(API_VERSIONS_RES, 3, spliced);
    expect(decoded.zkMigrationReady).toBe(true);
    expect(decoded.finalizedFeaturesEpoch).toBe(7n);
  });

  it('omits tagged fields at their defaults', () => {
    const bytes = encode(API_VERSIONS_RES, 3, {
      errorCode: 0,
      apiKeys: [],
      throttleTimeMs: 0,
      supportedFeatures: [],
      finalizedFeaturesEpoch: -1n,
      finalizedFeatures: [],
      zkMigrationReady: false,
    });
    expect(bytes).toEqual(hex('0000 01 00000000 00'));
  });

  it('rejects a tagged field whose size runs past the frame', () => {
    expect(() => decode(API_VERSIONS_REQ, 3, hex('02 61 02 62 01 05 09 78'))).toThrow(ProtocolError);
    expect(() => decode(API_VERSIONS_RES, 3, hex('0000 01 00000000 01 03 05 01'))).toThrow(ProtocolError);
  });
});

describe('int64 and uuid', () => {
  const schema = schemaOf(2, 'request');
  const request = (timestamp: bigint): ListOffsetsRequest => ({
    replicaId: -1,
    isolationLevel: 0,
    topics: [
      { name: 't', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1 }] },
    ],
  });

  it.each([
    [-(1n << 63n), '8000000000000000'],
    [(1n << 63n) - 1n, '7fffffffffffffff'],
    [-1n, 'ffffffffffffffff'],
    [0n, '0000000000000000'],
    [(1n << 53n) + 1n, '0020000000000001'],
  ])('encodes %s exactly and decodes it back', (ts, expected) => {
    const bytes = encode(schema, 1, request(ts));
    // replicaId, topics(1), "t", partitions(1), partitionIndex: the timestamp starts at byte 19
    expect(bytes.subarray(19, 27).toString('hex')).toBe(expected);
    expect(decode<ListOffsetsRequest>(schema, 1, bytes).topics[0]!.partitions[0]!.timestamp).toBe(ts);
  });

  it('refuses an int64 outside the signed range instead of wrapping it', () => {
    expect(() => encode(schema, 1, request(1n << 63n))).toThrow(RangeError);
  });

  it('writes a uuid as 16 raw bytes and reads it back as lowercase hex', () => {
    const id = '0123456789abcdef0123456789abcdef';
    const bytes = encode(METADATA_REQ, 10, {
      topics: [{ topicId: id, name: null }],
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    expect(bytes.subarray(1, 17)).toEqual(hex(id));
    expect(decode<MetadataRequest>(METADATA_REQ, 10, bytes).topics?.[0]?.topicId).toBe(id);
  });

  it('refuses a uuid that is not 32 hex characters', () => {
    const bad = (topicId: string): MetadataRequest => ({
      topics: [{ topicId, name: 'x' }],
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    expect(() => encode(METADATA_REQ, 10, bad('0123'))).toThrow(RangeError);
    expect(() => encode(METADATA_REQ, 10, bad('zz'.repeat(16)))).toThrow(RangeError);
  });
});

describe('nullable struct', () => {
  const schema = schemaOf(75, 'request');
  const base: DescribeTopicPartitionsRequest = { topics: [], responsePartitionLimit: 5, cursor: null };

  it('writes -1 for a null struct and 1 before a present one', () => {
    expect(encode(schema, 0, base)).toEqual(hex('01 00000005 ff 00'));
    const present = { ...base, cursor: { topicName: 'a', partitionIndex: 2 } };
    expect(encode(schema, 0, present)).toEqual(hex('01 00000005 01 02 61 00000002 00 00'));
    expect(decode(schema, 0, hex('01 00000005 01 02 61 00000002 00 00'))).toEqual(present);
    expect(decode(schema, 0, hex('01 00000005 ff 00'))).toEqual(base);
  });
});

describe('records', () => {
  const produce = schemaOf(0, 'request');

  it('attaches record chunks given as Buffer[] without copying them', () => {
    const a = Buffer.alloc(100, 1);
    const b = Buffer.alloc(5000, 2);
    const message: ProduceRequest = {
      transactionalId: null,
      acks: -1,
      timeoutMs: 1000,
      topicData: [{ name: 't', partitionData: [{ index: 0, records: [a, b] as unknown as Buffer }] }],
    };
    for (const version of [8, 9]) {
      const w = new Writer();
      encodeMessage(produce, version, w, message);
      const chunks = w.finish();
      expect(chunks.some((c) => c === a)).toBe(true);
      expect(chunks.some((c) => c === b)).toBe(true);
      const decoded = decode<ProduceRequest>(produce, version, Buffer.concat(chunks));
      expect(decoded.topicData[0]!.partitionData[0]!.records).toEqual(Buffer.concat([a, b]));
    }
  });

  it('attaches a single records Buffer as its own chunk, however small', () => {
    const fetch = schemaOf(1, 'response');
    const records = Buffer.from('tiny');
    const message: FetchResponse = {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: [
        {
          topic: 't',
          topicId: '0'.repeat(32),
          partitions: [
            {
              partitionIndex: 0,
              errorCode: 0,
              highWatermark: 1n,
              lastStableOffset: 1n,
              logStartOffset: 0n,
              abortedTransactions: null,
              preferredReadReplica: -1,
              records,
            },
          ],
        },
      ],
    };
    const w = new Writer();
    encodeMessage(fetch, 12, w, message);
    const chunks = w.finish();
    expect(chunks.filter((c) => c === records)).toHaveLength(1);
  });

  it('decodes records as a view of the frame', () => {
    const bytes = encode(produce, 3, {
      transactionalId: null,
      acks: 1,
      timeoutMs: 1,
      topicData: [{ name: 't', partitionData: [{ index: 0, records: Buffer.from('abc') }] }],
    });
    const decoded = decode<ProduceRequest>(produce, 3, bytes);
    const records = decoded.topicData[0]!.partitionData[0]!.records!;
    expect(records.buffer).toBe(bytes.buffer);
    expect(records.byteOffset).toBe(bytes.byteOffset + bytes.length - 3);
  });
});

describe('request and response headers', () => {
  it('keeps client_id a classic int16 string in request header v2', () => {
    const header: RequestHeader = {
      requestApiKey: 18,
      requestApiVersion: 3,
      correlationId: 7,
      clientId: 'ab',
    };
    const bytes = encode(RequestHeaderSchema, 2, header);
    expect(bytes).toEqual(hex('0012 0003 00000007 0002 6162 00'));
    expect(readRequestHeader(new Reader(bytes), 2)).toEqual(header);
    expect(encode(RequestHeaderSchema, 1, { ...header, clientId: null })).toEqual(
      hex('0012 0003 00000007 ffff'),
    );
    expect(encode(RequestHeaderSchema, 0, header)).toEqual(hex('0012 0003 00000007'));
  });

  it('reads the prefix every header version shares', () => {
    expect(readRequestPrefix(hex('0001 000c 80000000 ffff'))).toEqual({
      apiKey: 1,
      apiVersion: 12,
      correlationId: -(2 ** 31),
    });
    expect(() => readRequestPrefix(hex('0001 000c 8000'))).toThrow(ProtocolError);
  });

  it('picks header versions from the flexible versions, ApiVersions responses always v0', () => {
    const fetch = API_DEFINITIONS.find((d) => d.apiKey === 1)!;
    expect(requestHeaderVersion(fetch.request, 11)).toBe(1);
    expect(requestHeaderVersion(fetch.request, 12)).toBe(2);
    expect(responseHeaderVersion(fetch.response, 11)).toBe(0);
    expect(responseHeaderVersion(fetch.response, 12)).toBe(1);
    expect(requestHeaderVersion(API_VERSIONS_REQ, 3)).toBe(2);
    expect(responseHeaderVersion(API_VERSIONS_RES, 3)).toBe(0);
    expect(responseHeaderVersion(API_VERSIONS_RES, 4)).toBe(0);
  });

  it('writes response headers as the schema describes them', () => {
    for (const version of [0, 1]) {
      const w = new Writer();
      writeResponseHeader(w, 0x01020304, version);
      const bytes = Buffer.concat(w.finish());
      expect(bytes).toEqual(encode(ResponseHeaderSchema, version, { correlationId: 0x01020304 }));
    }
  });
});

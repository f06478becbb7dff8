import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ScenarioMessage } from '../../scripts/capture/scenario-data.js';
import {
  CODEC_ATTRIBUTE,
  KAFKAJS_CLIENT_ID,
  KAFKAJS_GZIP_MESSAGES,
  KAFKAJS_GZIP_TOPIC,
  KAFKAJS_MESSAGES,
  KAFKAJS_SCRATCH_TOPIC,
  KAFKAJS_TOPIC,
  KCAT_CODECS,
  KCAT_IDEMPOTENT_CODEC,
  kcatMessages,
  kcatTopic,
} from '../../scripts/capture/scenario-data.js';
import { decodeMessage, encodeMessage } from '../../src/protocol/codec.js';
import type { RequestHeader } from '../../src/protocol/generated/headers.js';
import { RequestHeaderSchema } from '../../src/protocol/generated/headers.js';
import type {
  ApiVersionsRequest,
  CreateTopicsRequest,
  DeleteTopicsRequest,
  FetchRequest,
  InitProducerIdRequest,
  ListOffsetsRequest,
  MetadataRequest,
  ProduceRequest,
} from '../../src/protocol/generated/index.js';
import { API_DEFINITIONS } from '../../src/protocol/generated/index.js';
import { RecordBatch, validateBatches } from '../../src/protocol/records/batch.js';
import { Reader } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';

/*
 * Request frames written by real clients (scripts/capture/capture-requests.ts): our codec must read
 * every byte of them, find what the capture scenario sent, and write the very same bytes back.
 */

const DIR = fileURLToPath(new URL('../fixtures/requests/', import.meta.url));

interface Fixture {
  file: string;
  client: 'kafkajs' | 'kcat';
  api: string;
  version: number;
  n: number;
  bytes: Buffer;
}

const CLIENT_IDS = { kafkajs: KAFKAJS_CLIENT_ID, kcat: 'rdkafka' } as const;

function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

const FIXTURES: Fixture[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.bin'))
  .map((file) => {
    const m = /^(kafkajs|kcat)-([a-z-]+)-v(\d+)-(\d+)\.bin$/.exec(file);
    if (m === null) throw new Error(`unexpected fixture name ${file}`);
    return {
      file,
      client: m[1] as Fixture['client'],
      api: m[2]!,
      version: Number(m[3]),
      n: Number(m[4]),
      bytes: readFileSync(DIR + file),
    };
  })
  .sort((a, b) => a.file.localeCompare(b.file) || a.n - b.n);

interface Decoded {
  header: RequestHeader;
  body: unknown;
}

function decode(f: Fixture): Decoded {
  const def = API_DEFINITIONS.find((d) => kebab(d.name) === f.api);
  if (def === undefined) throw new Error(`no api named ${f.api}`);
  const flexible = def.request.flexibleVersions;
  const headerVersion = flexible !== null && f.version >= flexible[0] ? 2 : 1;
  const r = new Reader(f.bytes);
  const header = decodeMessage<RequestHeader>(RequestHeaderSchema, headerVersion, r);
  expect(header.requestApiKey).toBe(def.apiKey);
  expect(header.requestApiVersion).toBe(f.version);
  const body = decodeMessage<unknown>(def.request, f.version, r);
  expect(r.remaining, 'bytes left after the body').toBe(0);

  const w = new Writer();
  encodeMessage(RequestHeaderSchema, headerVersion, w, header);
  encodeMessage(def.request, f.version, w, body as object);
  expect(Buffer.concat(w.finish()).equals(f.bytes), 're-encoded frame equals the captured one').toBe(true);
  return { header, body };
}

const of = (client: Fixture['client'], api: string) =>
  FIXTURES.filter((f) => f.client === client && f.api === api);

const KNOWN_TOPICS = new Set([
  KAFKAJS_TOPIC,
  KAFKAJS_GZIP_TOPIC,
  KAFKAJS_SCRATCH_TOPIC,
  ...KCAT_CODECS.map((c) => kcatTopic(c)),
]);

interface Seen {
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

function expectedMessages(topic: string): ScenarioMessage[] {
  if (topic === KAFKAJS_TOPIC) return KAFKAJS_MESSAGES;
  if (topic === KAFKAJS_GZIP_TOPIC) return KAFKAJS_GZIP_MESSAGES;
  const codec = KCAT_CODECS.find((c) => kcatTopic(c) === topic);
  if (codec === undefined) throw new Error(`no scenario produced to ${topic}`);
  return kcatMessages(codec);
}

/**
 * The codecs a batch for `topic` may carry. librdkafka (up to at least 2.x) only uses lz4 when the
 * broker advertises FindCoordinator (its "LZ4" feature hangs on that api) and otherwise sends the
 * batch uncompressed, so the lz4 capture is uncompressed until the gateway serves FindCoordinator.
 */
function expectedCodecs(topic: string): number[] {
  if (topic === KAFKAJS_TOPIC) return [CODEC_ATTRIBUTE.none];
  if (topic === KAFKAJS_GZIP_TOPIC) return [CODEC_ATTRIBUTE.gzip];
  const codec = KCAT_CODECS.find((c) => kcatTopic(c) === topic)!;
  return codec === 'lz4' ? [CODEC_ATTRIBUTE.lz4, CODEC_ATTRIBUTE.none] : [CODEC_ATTRIBUTE[codec]];
}

function readBatches(topic: string, records: Buffer): { batches: RecordBatch[]; messages: Seen[] } {
  // validateBatches checks sizes, magic 2 and CRC-32C; the checks below make each explicit.
  const batches = validateBatches(records);
  const messages: Seen[] = [];
  for (const b of batches) {
    expect(b.magic).toBe(2);
    expect(b.verifyCrc()).toBe(true);
    expect(new RecordBatch(Buffer.from(b.slice())).verifyCrc()).toBe(true);
    expect(expectedCodecs(topic), `codec of ${topic}`).toContain(b.compression);
    for (const r of b.records()) {
      messages.push({
        key: r.key === null ? null : r.key.toString('utf8'),
        value: r.value === null ? null : r.value.toString('utf8'),
        headers: Object.fromEntries(r.headers.map((h) => [h.key, h.value?.toString('utf8') ?? ''])),
      });
    }
  }
  return { batches, messages };
}

describe('captured request frames', () => {
  it('are a small curated set covering both clients and the APIs they used', () => {
    const total = FIXTURES.reduce((n, f) => n + f.bytes.length, 0);
    expect(total).toBeLessThan(64 * 1024);
    const apis = (client: Fixture['client']) =>
      new Set(FIXTURES.filter((f) => f.client === client).map((f) => f.api));
    expect([...apis('kafkajs')].sort()).toEqual(
      ['api-versions', 'create-topics', 'delete-topics', 'list-offsets', 'metadata', 'produce'].sort(),
    );
    expect([...apis('kcat')].sort()).toEqual(
      ['api-versions', 'fetch', 'init-producer-id', 'list-offsets', 'metadata', 'produce'].sort(),
    );
  });

  it.each(FIXTURES.map((f) => [f.file, f] as const))(
    '%s decodes completely and re-encodes to the same bytes',
    (_file, f) => {
      const { header } = decode(f);
      expect(header.clientId).toBe(CLIENT_IDS[f.client]);
    },
  );

  it('ApiVersions: kcat names its software from v3 on', () => {
    for (const f of of('kcat', 'api-versions')) {
      const body = decode(f).body as ApiVersionsRequest;
      expect(f.version).toBeGreaterThanOrEqual(3);
      expect(body.clientSoftwareName).toBe('librdkafka');
      expect(body.clientSoftwareVersion).toMatch(/^\d+\.\d+\.\d+/);
    }
    expect(of('kafkajs', 'api-versions').length).toBeGreaterThan(0);
  });

  it('Metadata: asks for all topics or for scenario topics', () => {
    const fixtures = [...of('kafkajs', 'metadata'), ...of('kcat', 'metadata')];
    expect(fixtures.length).toBeGreaterThan(0);
    for (const f of fixtures) {
      const body = decode(f).body as MetadataRequest;
      for (const t of body.topics ?? [])
        expect(KNOWN_TOPICS.has(t.name ?? ''), `${f.file}: ${t.name}`).toBe(true);
    }
  });

  it('CreateTopics (kafkajs): the three scenario topics with their partition counts', () => {
    const [f] = of('kafkajs', 'create-topics');
    const body = decode(f!).body as CreateTopicsRequest;
    expect(body.topics.map((t) => [t.name, t.numPartitions])).toEqual([
      [KAFKAJS_TOPIC, 1],
      [KAFKAJS_GZIP_TOPIC, 1],
      [KAFKAJS_SCRATCH_TOPIC, 2],
    ]);
    expect(body.validateOnly).toBe(false);
  });

  it('DeleteTopics (kafkajs): the scratch topic', () => {
    const [f] = of('kafkajs', 'delete-topics');
    expect((decode(f!).body as DeleteTopicsRequest).topicNames).toEqual([KAFKAJS_SCRATCH_TOPIC]);
  });

  it('ListOffsets: earliest or latest of a scenario topic', () => {
    const fixtures = [...of('kafkajs', 'list-offsets'), ...of('kcat', 'list-offsets')];
    expect(fixtures.length).toBeGreaterThan(0);
    for (const f of fixtures) {
      const body = decode(f).body as ListOffsetsRequest;
      for (const t of body.topics) {
        expect(KNOWN_TOPICS.has(t.name)).toBe(true);
        for (const p of t.partitions) expect([-1n, -2n]).toContain(p.timestamp);
      }
    }
    const kafkajs = of('kafkajs', 'list-offsets').map(
      (f) => (decode(f).body as ListOffsetsRequest).topics[0]!,
    );
    expect(kafkajs.every((t) => t.name === KAFKAJS_TOPIC)).toBe(true);
  });

  it('Fetch (kcat): reads the gzip topic from offset 0 first', () => {
    const fetches = of('kcat', 'fetch').map((f) => decode(f).body as FetchRequest);
    expect(fetches.length).toBeGreaterThan(0);
    const first = fetches[0]!;
    expect(first.topics[0]!.topic).toBe(kcatTopic('gzip'));
    expect(first.topics[0]!.partitions[0]).toMatchObject({ partition: 0, fetchOffset: 0n });
    expect(first.sessionId).toBe(0);
    expect(first.maxWaitMs).toBeGreaterThan(0);
  });

  it('InitProducerId (kcat): an idempotent, non-transactional producer', () => {
    const [f] = of('kcat', 'init-producer-id');
    expect((decode(f!).body as InitProducerIdRequest).transactionalId).toBeNull();
  });

  it('Produce: acks, topics, and every record with its key, value and headers', () => {
    const byTopic = new Map<string, Seen[]>();
    const produces = FIXTURES.filter((f) => f.api === 'produce');
    for (const f of produces) {
      const body = decode(f).body as ProduceRequest;
      expect(body.transactionalId).toBeNull();
      for (const t of body.topicData) {
        expect(KNOWN_TOPICS.has(t.name), t.name).toBe(true);
        const expectedAcks = t.name === KAFKAJS_GZIP_TOPIC ? 1 : -1;
        expect(body.acks, `${f.file} acks`).toBe(expectedAcks);
        for (const p of t.partitionData) {
          expect(p.index).toBe(0);
          const { batches, messages } = readBatches(t.name, p.records!);
          const idempotent = t.name === kcatTopic(KCAT_IDEMPOTENT_CODEC);
          for (const b of batches) {
            if (idempotent) {
              expect(b.producerId).toBeGreaterThanOrEqual(0n);
              expect(b.producerEpoch).toBe(0);
              expect(b.baseSequence).toBeGreaterThanOrEqual(0);
            } else {
              expect(b.producerId).toBe(-1n);
            }
          }
          byTopic.set(t.name, [...(byTopic.get(t.name) ?? []), ...messages]);
        }
      }
    }
    // A client may split one send over several requests; together they carry every message once.
    const produced = [KAFKAJS_TOPIC, KAFKAJS_GZIP_TOPIC, ...KCAT_CODECS.map((c) => kcatTopic(c))];
    expect([...byTopic.keys()].sort()).toEqual([...produced].sort());
    for (const topic of produced) {
      expect(byTopic.get(topic), topic).toEqual(expectedMessages(topic));
    }
  });
});

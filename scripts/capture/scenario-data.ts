/**
 * What the capture scenarios send. test/protocol/captured-requests.test.ts checks the captured
 * frames against these values, so they are plain data with no client imports.
 */

export interface ScenarioMessage {
  key: string | null;
  value: string;
  headers: Record<string, string>;
}

export const KAFKAJS_CLIENT_ID = 'capture-kafkajs';
export const KAFKAJS_TOPIC = 'capture-kafkajs';
export const KAFKAJS_GZIP_TOPIC = 'capture-kafkajs-gzip';
export const KAFKAJS_SCRATCH_TOPIC = 'capture-kafkajs-scratch';

export const KAFKAJS_MESSAGES: ScenarioMessage[] = [
  { key: 'key-0', value: 'value-0', headers: { trace: 't-0' } },
  { key: 'key-1', value: 'value-1 ü✓', headers: { trace: 't-1', 'ü-header': 'ü' } },
  { key: null, value: 'value-2 (null key)', headers: {} },
];

export const KAFKAJS_GZIP_MESSAGES: ScenarioMessage[] = [
  { key: 'gz-0', value: 'gzip value 0', headers: { codec: 'gzip' } },
  { key: 'gz-1', value: 'gzip value 1', headers: { codec: 'gzip' } },
];

export const KCAT_CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type KcatCodec = (typeof KCAT_CODECS)[number];

/** The codec the idempotent kcat producer uses (captures InitProducerId and a batch with a producer id). */
export const KCAT_IDEMPOTENT_CODEC: KcatCodec = 'zstd';

export const KCAT_HEADER: [string, string] = ['source', 'kcat'];

export function kcatTopic(codec: KcatCodec): string {
  return `capture-kcat-${codec}`;
}

export function kcatMessages(codec: KcatCodec): ScenarioMessage[] {
  return [1, 2, 3].map((i) => ({
    key: `${codec}-k${i}`,
    value: `${codec} value ${i} ${'x'.repeat(300)}`,
    headers: { [KCAT_HEADER[0]]: KCAT_HEADER[1] },
  }));
}

/** Kafka's compression attribute for each codec name. */
export const CODEC_ATTRIBUTE: Record<KcatCodec, number> = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 };

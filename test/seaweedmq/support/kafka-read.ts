/** Reads a whole topic back through Kafka, to check what a consumer would see. */
import type { Kafka } from 'kafkajs';

export interface TopicContents {
  /** Every value read. */
  readonly values: Set<string>;
  /** "partition:offset" pairs delivered more than once or out of order. */
  readonly duplicateOffsets: string[];
}

/** Reads every partition from its log start to the high watermark it has when the read starts. */
export async function readAll(
  kafka: Kafka,
  topic: string,
  partitions: number,
  timeoutMs = 120_000,
): Promise<TopicContents> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<number, bigint>();
  try {
    for (const o of await admin.fetchTopicOffsets(topic)) ends.set(o.partition, BigInt(o.high));
  } finally {
    await admin.disconnect();
  }
  const values = new Set<string>();
  const duplicateOffsets: string[] = [];
  const last = new Map<number, bigint>();
  const pending = new Set([...ends].filter(([, high]) => high > 0n).map(([p]) => p));
  if (pending.size === 0) return { values, duplicateOffsets };
  const consumer = kafka.consumer({ groupId: `read-${topic}-${Date.now()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let finished!: () => void;
    const allRead = new Promise<void>((resolve) => (finished = resolve));
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const offset = BigInt(message.offset);
        const previous = last.get(partition);
        if (previous !== undefined && offset <= previous) duplicateOffsets.push(`${partition}:${offset}`);
        last.set(partition, offset);
        if (message.value) values.add(message.value.toString());
        if (offset + 1n >= (ends.get(partition) ?? 0n)) pending.delete(partition);
        if (pending.size === 0) finished();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`partitions ${[...pending].join(',')} of ${topic} not read to the end`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([allRead, timeout]);
    } finally {
      clearTimeout(timer);
    }
  } finally {
    await consumer.disconnect();
  }
  return { values, duplicateOffsets };
}

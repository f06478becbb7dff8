/**
 * The acks=-1 end of an append: what of it counts as stored when SeaweedMQ did not persist all of it.
 * An idempotent producer's retry then stores only the rest (producer state, PartialAppendError).
 */
import type { Logger } from 'pino';
import { KafkaError } from '../../protocol/error-codes.js';
import { PartialAppendError } from '../storage.js';
import type { Durability } from './durability.js';
import type { PbPartition } from './proto.js';

/**
 * Waits until the acknowledged records are in flushed segments; when they cannot all be, throws
 * PartialAppendError for the leading ones that are (or the error itself when none is).
 */
export async function waitPersisted(
  durability: Durability,
  logger: Logger,
  topic: string,
  partition: PbPartition,
  offsets: readonly bigint[],
  broken: () => boolean,
): Promise<void> {
  try {
    await durability.waitDurable(topic, partition, offsets[offsets.length - 1]!, broken);
  } catch (err) {
    const through = (err as { persistedThrough?: bigint }).persistedThrough;
    if (!(err instanceof KafkaError) || through === undefined) throw err;
    let stored = 0;
    while (stored < offsets.length && offsets[stored]! <= through) stored++;
    logger.warn(
      { topic, first: String(offsets[0]), last: String(offsets[offsets.length - 1]), persisted: stored },
      'acks=-1 batch not persisted in full',
    );
    throw stored === 0 ? err : new PartialAppendError(err.code, err.message, stored, offsets[0]!);
  }
}

/**
 * A publish stream broke in the middle of an acks=-1 batch: the broker's acks say which leading records
 * it took, the filer which of those it persisted; only those count as stored.
 */
export async function persistedPart(
  durability: Durability,
  logger: Logger,
  topic: string,
  partition: PbPartition,
  err: PartialAppendError,
): Promise<KafkaError> {
  const { flushedThrough } = await durability.state(topic, partition).catch(() => ({ flushedThrough: -1n }));
  const persisted = flushedThrough - err.baseOffset + 1n;
  const stored = persisted <= 0n ? 0 : Math.min(err.storedRecords, Number(persisted));
  logger.warn(
    { topic, baseOffset: String(err.baseOffset), acked: err.storedRecords, persisted: stored },
    'publish stream broke in the middle of an acks=-1 batch',
  );
  return stored === 0
    ? new KafkaError(err.code, err.message)
    : new PartialAppendError(err.code, err.message, stored, err.baseOffset);
}

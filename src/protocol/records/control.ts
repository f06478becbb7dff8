/**
 * Transaction markers: the control batches a transaction coordinator writes to every partition of a
 * transaction when it ends. One record; its key is {int16 version = 0, int16 type} (0 = ABORT,
 * 1 = COMMIT) and its value {int16 version = 0, int32 coordinator epoch}, as Kafka's
 * EndTransactionMarker. The batch is transactional and control, carries the producer id and epoch of
 * the transaction and no sequence.
 */
import type { RecordBatch } from './batch.js';
import { buildRecordBatch } from './builder.js';

export type MarkerType = 'abort' | 'commit';

const ABORT = 0;
const COMMIT = 1;

export interface MarkerSpec {
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly type: MarkerType;
  readonly coordinatorEpoch: number;
  readonly timestampMs: bigint;
}

export function controlRecordKey(type: MarkerType): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(type === 'commit' ? COMMIT : ABORT, 2);
  return key;
}

export function controlRecordValue(coordinatorEpoch: number): Buffer {
  const value = Buffer.alloc(6);
  value.writeInt16BE(0, 0);
  value.writeInt32BE(coordinatorEpoch, 2);
  return value;
}

/** One marker batch (base offset 0: the store stamps it). */
export function buildMarkerBatch(spec: MarkerSpec): Buffer {
  return buildRecordBatch({
    records: [{ key: controlRecordKey(spec.type), value: controlRecordValue(spec.coordinatorEpoch) }],
    baseTimestamp: spec.timestampMs,
    producerId: spec.producerId,
    producerEpoch: spec.producerEpoch,
    baseSequence: -1,
    transactional: true,
    control: true,
  });
}

/** The marker type a control record key encodes, or undefined for other control records. */
export function markerTypeOfKey(key: Buffer | null): MarkerType | undefined {
  if (key === null || key.length < 4) return undefined;
  const type = key.readInt16BE(2);
  if (type === COMMIT) return 'commit';
  if (type === ABORT) return 'abort';
  return undefined;
}

/** The marker a control batch holds (its first record), or undefined when it holds none. */
export function markerTypeOf(batch: RecordBatch): MarkerType | undefined {
  if (!batch.isControl || batch.recordCount === 0) return undefined;
  return markerTypeOfKey(batch.records()[0]?.key ?? null);
}

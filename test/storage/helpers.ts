/** Building batches and checking read results for the storage tests. */
import { expect } from 'vitest';
import { KafkaError } from '../../src/protocol/error-codes.js';
import { RecordBatch, type DecodedRecord } from '../../src/protocol/records/batch.js';
import { buildRecordBatch } from '../../src/protocol/records/builder.js';
import type { ReadResult } from '../../src/storage/storage.js';

/** A fresh batch (append takes ownership of its buffer, so never reuse one) of values v-<label>-<i>. */
export function batchOf(count: number, label = 'r', timestamps?: readonly bigint[]): Buffer {
  return buildRecordBatch({
    baseTimestamp: timestamps?.[0] ?? 1_000n,
    records: Array.from({ length: count }, (_, i) => ({
      key: Buffer.from(`k-${label}-${i}`),
      value: Buffer.from(`v-${label}-${i}`),
      timestamp: timestamps?.[i] ?? 1_000n,
    })),
  });
}

/** A batch whose records carry exactly these timestamps, in this (offset) order. */
export function batchAt(...timestamps: bigint[]): Buffer {
  return batchOf(timestamps.length, `t${timestamps.join('_')}`, timestamps);
}

export function batchesIn(result: ReadResult): RecordBatch[] {
  return result.batches.map((b) => new RecordBatch(b));
}

export function recordsIn(result: ReadResult): DecodedRecord[] {
  return batchesIn(result).flatMap((b) => b.records());
}

export function valuesFrom(result: ReadResult, fromOffset: bigint): string[] {
  return recordsIn(result)
    .filter((r) => r.offset >= fromOffset)
    .map((r) => r.value?.toString() ?? '<null>');
}

export function totalBytes(result: ReadResult): number {
  return result.batches.reduce((n, b) => n + b.length, 0);
}

/**
 * What every read must satisfy: intact v2 batches, contiguous in offset order, the first holding
 * `offset`, and within maxBytes unless it is the single batch KIP-74 lets through.
 */
export function expectValidRead(result: ReadResult, offset: bigint, maxBytes: number): void {
  const batches = batchesIn(result);
  expect(batches.length).toBeGreaterThan(0);
  for (const b of batches) expect(b.verifyCrc()).toBe(true);
  expect(batches[0]!.baseOffset).toBeLessThanOrEqual(offset);
  expect(batches[0]!.lastOffset).toBeGreaterThanOrEqual(offset);
  for (let i = 1; i < batches.length; i++) {
    expect(batches[i]!.baseOffset).toBe(batches[i - 1]!.lastOffset + 1n);
  }
  if (batches.length > 1) expect(totalBytes(result)).toBeLessThanOrEqual(maxBytes);
}

export async function expectKafkaError(promise: Promise<unknown>, code: number): Promise<KafkaError> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected KafkaError ${code}`).toBeInstanceOf(KafkaError);
  expect((caught as KafkaError).code).toBe(code);
  return caught as KafkaError;
}

/** Resolves when `promise` does; fails the test after `ms` instead of hanging it. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

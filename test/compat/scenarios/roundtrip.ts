import path from 'node:path';
import { compareRoundtrip } from '../compare.js';
import { makeDataset, writeDataset } from '../dataset.js';
import { CODECS, type Codec, type DataRecord, type ReadRecord } from '../types.js';
import { createTopic } from './basic.js';
import { cell, check, mark, PENDING_GROUPS, type ClientRun } from './context.js';

/** One hour ago on a whole second, so no retention setting deletes the data during a run. */
const baseTimestamp = (): number => (Math.floor(Date.now() / 1000) - 3600) * 1000;

function failIfDifferent(what: string, problems: string[]): void {
  check(problems.length === 0, `${what}:\n${problems.join('\n')}`);
}

async function produce(
  run: ClientRun,
  topic: string,
  records: DataRecord[],
  codec: Codec,
  idempotent: boolean,
) {
  const file = path.join(run.workDir, `${topic}.tsv`);
  writeDataset(file, records);
  const started = Date.now();
  const acks = await run.driver.produce({
    bootstrap: run.fixture.bootstrap,
    topic,
    records,
    file,
    codec,
    idempotent,
  });
  return { acks, window: [started, Date.now()] as [number, number] };
}

function summary(records: readonly DataRecord[]): string {
  const bytes = records.reduce((n, r) => n + (r.key?.length ?? 0) + (r.value?.length ?? 0), 0);
  return `${records.length} records, ${(bytes / 1048576).toFixed(1)} MiB, byte-for-byte equal`;
}

/**
 * For each codec: create a 3-partition topic, produce the data set (1 MiB value, null key,
 * tombstone, headers...), read it all back with the same client and compare byte for byte.
 */
export async function roundtripCells(run: ClientRun): Promise<void> {
  for (const [i, codec] of CODECS.entries()) {
    const scenario = `roundtrip-${codec}` as const;
    if (!run.spec.codecs.includes(codec)) {
      mark(run, scenario, 'n/a', run.spec.codecNote ?? `${run.spec.name} does not support ${codec}`);
      continue;
    }
    const pendingRead = run.spec.readNeedsGroup === true && !run.target.groupsServed;
    await cell(run, scenario, async () => {
      const topic = `${run.base}-${codec}`;
      await createTopic(run, topic);
      const records = makeDataset(run.spec.write, {
        count: run.count,
        partitions: 3,
        seed: i + 1,
        baseTimestamp: baseTimestamp(),
        large: true,
      });
      const { acks, window } = await produce(run, topic, records, codec, false);
      let read: ReadRecord[];
      if (pendingRead) {
        // The client cannot read without a group yet: still check what it wrote, from the raw log.
        read = await run.fixture.records(topic, 3);
        failIfDifferent(
          'stored records differ',
          compareRoundtrip(records, read, { ...opts(run), window, acks }),
        );
        return {
          pending: `${PENDING_GROUPS}; the ${records.length} records it produced were checked in the log`,
        };
      }
      read = await run.driver.consume(run.fixture.bootstrap, topic, 3, records.length);
      failIfDifferent('read back differs', compareRoundtrip(records, read, { ...opts(run), window, acks }));
      return summary(records);
    });
  }
}

function opts(run: ClientRun) {
  return { write: run.spec.write, read: run.spec.read, partitions: 3 };
}

/**
 * Idempotent producer: every stored batch carries one producer id, an epoch, and sequence numbers
 * that run on from 0 without gaps in each partition; the records are exactly those sent.
 */
export async function idempotentCell(run: ClientRun): Promise<void> {
  if (run.spec.idempotent !== true) {
    mark(run, 'idempotent', 'n/a', run.spec.idempotent);
    return;
  }
  await cell(run, 'idempotent', async () => {
    const topic = `${run.base}-idem`;
    await run.fixture.createTopic(topic, 3);
    const records = makeDataset(run.spec.write, {
      count: Math.min(run.count, 300),
      partitions: 3,
      seed: 99,
      baseTimestamp: baseTimestamp(),
      large: false,
    });
    const { acks, window } = await produce(run, topic, records, 'none', true);
    const producerIds = new Set<bigint>();
    let batches = 0;
    for (let p = 0; p < 3; p++) {
      // Sequence numbers run per producer id and partition, from 0, without gaps.
      const next = new Map<bigint, number>();
      for (const b of await run.fixture.batches(topic, p)) {
        batches++;
        const where = `partition ${p} batch at offset ${b.baseOffset}`;
        check(b.producerId >= 0n, `${where}: no producer id (${b.producerId})`);
        check(b.producerEpoch >= 0, `${where}: producer epoch ${b.producerEpoch}`);
        const want = next.get(b.producerId) ?? 0;
        check(b.baseSequence === want, `${where}: base sequence ${b.baseSequence}, expected ${want}`);
        next.set(b.producerId, want + b.recordCount);
        producerIds.add(b.producerId);
      }
    }
    if (!run.spec.producerPerRun) {
      check(
        producerIds.size === 1,
        `batches carry ${producerIds.size} producer ids: ${[...producerIds].join(', ')}`,
      );
    }
    const stored = await run.fixture.records(topic, 3);
    const full = { ...opts(run), read: { nullIsEmpty: false, headerOrder: true }, window, acks };
    failIfDifferent('stored records differ', compareRoundtrip(records, stored, full));
    const ids =
      producerIds.size === 1 ? `producer id ${[...producerIds][0]}` : `${producerIds.size} producer ids`;
    return `${records.length} records in ${batches} batches, ${ids}, sequences contiguous`;
  });
}

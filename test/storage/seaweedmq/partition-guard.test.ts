/**
 * The partition guard against fakes: it repairs before the broker is used, refuses records while the
 * broker would reuse or skip persisted offsets, and says when acks=0/1 records were lost.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ErrorCode, KafkaError } from '../../../src/protocol/error-codes.js';
import type { BrokerGate } from '../../../src/storage/seaweedmq/broker-gate.js';
import type { Durability } from '../../../src/storage/seaweedmq/durability.js';
import { PartitionGuard } from '../../../src/storage/seaweedmq/partition-guard.js';
import type { PartitionRoute } from '../../../src/storage/seaweedmq/routes.js';

const route: PartitionRoute = {
  partition: { ring_size: 2520, range_start: 0, range_stop: 2520, unix_time_ns: '1' },
  leader: 'b:1',
  generation: '1:0-2520',
};

function setup(o: { flushed: bigint[]; next: bigint; epoch?: number }) {
  const calls = { repairs: 0, forgotten: 0 };
  const errors: string[] = [];
  let flushed = [...o.flushed];
  const durability = {
    repair: async () => {
      calls.repairs++;
      return { flushedThrough: flushed[0]!, checkpoint: flushed[0]! };
    },
    state: async () => {
      if (flushed.length > 1) flushed = flushed.slice(1);
      return { flushedThrough: flushed[0]!, checkpoint: flushed[0]! };
    },
  } as unknown as Durability;
  let epoch = o.epoch ?? 0;
  const gate = { epoch: () => epoch } as unknown as BrokerGate;
  const logger = pino({ level: 'error' }, { write: (line: string) => errors.push(line) });
  const state = { next: o.next };
  const guard = new PartitionGuard(
    durability,
    gate,
    async () => state.next,
    () => calls.forgotten++,
    logger,
    300,
  );
  return { guard, calls, errors, state, restart: () => epoch++ };
}

describe('PartitionGuard', () => {
  it('repairs once per broker epoch, before the broker is used', async () => {
    const s = setup({ flushed: [9n], next: 10n });
    await s.guard.ready('t', route);
    await s.guard.ready('t', route);
    expect(s.calls.repairs).toBe(1);
    s.restart();
    await s.guard.ready('t', route);
    expect(s.calls.repairs).toBe(2);
  });

  it('accepts a stream whose next offset follows the persisted records', async () => {
    const s = setup({ flushed: [9n], next: 10n });
    await s.guard.ready('t', route);
    await expect(s.guard.checkPublish('t', 0, route)).resolves.toBeUndefined();
  });

  it('refuses records while the broker would reuse persisted offsets, and says why', async () => {
    const s = setup({ flushed: [9n], next: 4n });
    await s.guard.ready('t', route);
    const err = await s.guard.checkPublish('t', 0, route).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KafkaError);
    expect(err).toMatchObject({ code: ErrorCode.KAFKA_STORAGE_ERROR });
    expect((err as Error).message).toMatch(/would store the next record at offset 4, where records up to 9/);
    expect(s.errors.join()).toMatch(/is refusing records/);
  });

  it('waits for records the broker still holds to be flushed, and refuses a gap that stays', async () => {
    const held = setup({ flushed: [5n, 7n, 9n], next: 10n });
    await held.guard.ready('t', route);
    await expect(held.guard.checkPublish('t', 0, route)).resolves.toBeUndefined();

    const gap = setup({ flushed: [5n], next: 10n });
    await gap.guard.ready('t', route);
    const err = await gap.guard.checkPublish('t', 0, route).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/leaving a gap after the last persisted one, 5/);
  });

  it('logs records acknowledged with acks=1 that a broker stop lost, and forgets what it held', async () => {
    const s = setup({ flushed: [9n], next: 10n });
    await s.guard.ready('t', route);
    await s.guard.checkPublish('t', 0, route);
    s.guard.acknowledged('t', 0, route, 10n, 20n, false);
    // The broker restarts having flushed nothing more: it counts on from 10 again.
    s.restart();
    await s.guard.ready('t', route);
    await s.guard.checkPublish('t', 0, route);
    expect(s.errors.join()).toMatch(/lost records acknowledged with acks=0 or acks=1/);
    expect(s.calls.forgotten).toBe(1);
  });
});

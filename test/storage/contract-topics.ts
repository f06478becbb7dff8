/** Contract: creating, listing, describing, configuring, growing and deleting topics. */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import type { ContractContext } from './contract.js';
import { batchOf, expectKafkaError, valuesFrom } from './helpers.js';

const TOPIC_ID = /^[0-9a-f]{32}$/;
const ZERO_ID = '0'.repeat(32);

export function registerTopicTests(ctx: ContractContext): void {
  describe('topics', () => {
    it('has a kind', () => {
      expect(ctx.storage().kind).toMatch(/^\S+$/);
    });

    it('creates a topic with a fresh id, its partitions and configs', async () => {
      const s = ctx.storage();
      const name = ctx.name('topic');
      ctx.track('topic', name);
      const configs = { 'cleanup.policy': 'delete', 'retention.ms': '60000' };
      const info = await s.createTopic({ name, partitions: 3, configs });
      expect(info).toEqual({ name, id: expect.stringMatching(TOPIC_ID), partitions: 3, configs });
      expect(info.id).not.toBe(ZERO_ID);
      expect(await s.describeTopic(name)).toEqual(info);
      expect((await s.listTopics()).find((t) => t.name === name)).toEqual(info);
      for (const p of [0, 1, 2]) {
        expect(await s.offsets(name, p)).toEqual({ logStartOffset: 0n, highWatermark: 0n });
      }
    });

    it('gives every topic its own id', async () => {
      const s = ctx.storage();
      const a = await s.describeTopic(await ctx.newTopic());
      const b = await s.describeTopic(await ctx.newTopic());
      expect(a?.id).toMatch(TOPIC_ID);
      expect(b?.id).toMatch(TOPIC_ID);
      expect(a?.id).not.toBe(b?.id);
    });

    it('refuses to create a topic twice', async () => {
      const s = ctx.storage();
      const name = await ctx.newTopic(2);
      const before = await s.describeTopic(name);
      await expectKafkaError(
        s.createTopic({ name, partitions: 5, configs: {} }),
        ErrorCode.TOPIC_ALREADY_EXISTS,
      );
      expect(await s.describeTopic(name)).toEqual(before);
    });

    it('treats an unknown topic as unknown everywhere', async () => {
      const s = ctx.storage();
      const name = ctx.name('missing');
      const unknown = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      expect(await s.describeTopic(name)).toBeUndefined();
      expect((await s.listTopics()).some((t) => t.name === name)).toBe(false);
      await expectKafkaError(s.deleteTopic(name), unknown);
      await expectKafkaError(s.createPartitions(name, 4), unknown);
      await expectKafkaError(s.setTopicConfigs(name, { 'retention.ms': '1' }), unknown);
      await expectKafkaError(s.append(name, 0, batchOf(1)), unknown);
      await expectKafkaError(s.read(name, 0, 0n, 1024), unknown);
      await expectKafkaError(s.offsets(name, 0), unknown);
      await expectKafkaError(s.offsetForTimestamp(name, 0, 0n), unknown);
      await expectKafkaError(s.maxTimestamp(name, 0), unknown);
      await expectKafkaError(s.deleteRecordsBefore(name, 0, 0n), unknown);
    });

    it('treats a partition outside the topic as unknown', async () => {
      const s = ctx.storage();
      const name = await ctx.newTopic(2);
      const unknown = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      for (const p of [2, -1]) {
        await expectKafkaError(s.append(name, p, batchOf(1)), unknown);
        await expectKafkaError(s.read(name, p, 0n, 1024), unknown);
        await expectKafkaError(s.offsets(name, p), unknown);
        await expectKafkaError(s.offsetForTimestamp(name, p, 0n), unknown);
        await expectKafkaError(s.maxTimestamp(name, p), unknown);
        await expectKafkaError(s.deleteRecordsBefore(name, p, 0n), unknown);
      }
    });

    it('replaces configs with exactly the ones given', async () => {
      const s = ctx.storage();
      const name = await ctx.newTopic(1, { 'retention.ms': '1000', 'cleanup.policy': 'delete' });
      const info = await s.setTopicConfigs(name, { 'retention.bytes': '4096' });
      expect(info.configs).toEqual({ 'retention.bytes': '4096' });
      expect((await s.describeTopic(name))?.configs).toEqual({ 'retention.bytes': '4096' });
      expect((await s.setTopicConfigs(name, {})).configs).toEqual({});
    });

    it('deletes a topic with its records', async () => {
      const s = ctx.storage();
      const name = await ctx.newTopic(2);
      await s.append(name, 1, batchOf(3));
      await s.deleteTopic(name);
      expect(await s.describeTopic(name)).toBeUndefined();
      expect((await s.listTopics()).some((t) => t.name === name)).toBe(false);
      await expectKafkaError(s.read(name, 1, 0n, 1024), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      await expectKafkaError(s.offsets(name, 1), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    });

    it('re-creates a deleted topic empty, with a new id', async () => {
      const s = ctx.storage();
      const name = await ctx.newTopic(1, { 'retention.ms': '1000' });
      const old = await s.describeTopic(name);
      await s.append(name, 0, batchOf(4, 'old'));
      await s.deleteTopic(name);
      const fresh = await s.createTopic({ name, partitions: 2, configs: {} });
      expect(fresh.id).toMatch(TOPIC_ID);
      expect(fresh.id).not.toBe(old?.id);
      expect(fresh).toMatchObject({ partitions: 2, configs: {} });
      expect(await s.offsets(name, 0)).toEqual({ logStartOffset: 0n, highWatermark: 0n });
      expect((await s.read(name, 0, 0n, 1 << 20)).batches).toEqual([]);
      await s.append(name, 0, batchOf(1, 'new'));
      expect(valuesFrom(await s.read(name, 0, 0n, 1 << 20), 0n)).toEqual(['v-new-0']);
    });

    it.runIf(!ctx.growsNonEmptyTopics)(
      'refuses to grow a topic holding records, and loses none',
      async () => {
        const s = ctx.storage();
        const name = await ctx.newTopic(2);
        await s.append(name, 1, batchOf(3, 'p1'));
        await expectKafkaError(s.createPartitions(name, 5), ErrorCode.INVALID_PARTITIONS);
        expect((await s.describeTopic(name))?.partitions).toBe(2);
        expect(valuesFrom(await s.read(name, 1, 0n, 1 << 20), 0n)).toEqual(['v-p1-0', 'v-p1-1', 'v-p1-2']);
      },
    );

    it('grows an empty topic', async () => {
      const s = ctx.storage();
      const name = await ctx.newTopic(2);
      expect(await s.createPartitions(name, 3)).toMatchObject({ name, partitions: 3 });
      await s.append(name, 2, batchOf(1, 'p2'));
      expect(valuesFrom(await s.read(name, 2, 0n, 1 << 20), 0n)).toEqual(['v-p2-0']);
    });

    it.runIf(ctx.growsNonEmptyTopics)('grows partitions and keeps the records of existing ones', async () => {
      const s = ctx.storage();
      const name = await ctx.newTopic(2);
      const id = (await s.describeTopic(name))?.id;
      await s.append(name, 0, batchOf(2, 'p0'));
      await s.append(name, 1, batchOf(3, 'p1'));
      const info = await s.createPartitions(name, 5);
      expect(info).toMatchObject({ name, id, partitions: 5 });
      expect((await s.describeTopic(name))?.partitions).toBe(5);
      expect(valuesFrom(await s.read(name, 0, 0n, 1 << 20), 0n)).toEqual(['v-p0-0', 'v-p0-1']);
      expect(await s.offsets(name, 1)).toEqual({ logStartOffset: 0n, highWatermark: 3n });
      expect(await s.offsets(name, 4)).toEqual({ logStartOffset: 0n, highWatermark: 0n });
      await s.append(name, 4, batchOf(1, 'p4'));
      expect(valuesFrom(await s.read(name, 4, 0n, 1 << 20), 0n)).toEqual(['v-p4-0']);
    });

    it('refuses to shrink or keep the partition count', async () => {
      const s = ctx.storage();
      const name = await ctx.newTopic(3);
      await expectKafkaError(s.createPartitions(name, 3), ErrorCode.INVALID_PARTITIONS);
      await expectKafkaError(s.createPartitions(name, 1), ErrorCode.INVALID_PARTITIONS);
      expect((await s.describeTopic(name))?.partitions).toBe(3);
    });
  });
}

/** Contract: committed group offsets and the key-value store. */
import { describe, expect, it } from 'vitest';
import type { CommittedOffset } from '../../src/storage/storage.js';
import type { ContractContext } from './contract.js';

function sorted(offsets: CommittedOffset[]): CommittedOffset[] {
  return [...offsets].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

export function registerGroupTests(ctx: ContractContext): void {
  function newGroup(): string {
    const group = ctx.name('group');
    ctx.track('group', group);
    return group;
  }

  function newNamespace(): string {
    const ns = ctx.name('ns');
    ctx.track('namespace', ns);
    return ns;
  }

  describe('committed offsets', () => {
    it('round-trips offsets, epochs, timestamps and metadata (null is not empty)', async () => {
      const s = ctx.storage();
      const group = newGroup();
      const [a, b] = [ctx.name('ta'), ctx.name('tb')];
      const offsets: CommittedOffset[] = [
        { topic: a, partition: 0, offset: 10n, leaderEpoch: -1, metadata: null, commitTimestampMs: 1_000n },
        { topic: a, partition: 1, offset: 0n, leaderEpoch: 3, metadata: '', commitTimestampMs: 1_001n },
        { topic: b, partition: 7, offset: 2n ** 40n, leaderEpoch: 0, metadata: 'm é', commitTimestampMs: 2n },
      ];
      await s.commitOffsets(group, offsets);
      expect(sorted(await s.fetchOffsets(group))).toEqual(sorted(offsets));
      expect(await s.fetchOffsets(ctx.name('nobody'))).toEqual([]);
    });

    it('overwrites a partition on a later commit and keeps the others', async () => {
      const s = ctx.storage();
      const group = newGroup();
      const t = ctx.name('t');
      const base = { topic: t, leaderEpoch: -1, metadata: null, commitTimestampMs: 5n };
      await s.commitOffsets(group, [
        { ...base, partition: 0, offset: 1n },
        { ...base, partition: 1, offset: 1n },
      ]);
      await s.commitOffsets(group, [
        { ...base, partition: 1, offset: 9n, metadata: 'x', commitTimestampMs: 6n },
      ]);
      expect(sorted(await s.fetchOffsets(group))).toEqual([
        { ...base, partition: 0, offset: 1n },
        { ...base, partition: 1, offset: 9n, metadata: 'x', commitTimestampMs: 6n },
      ]);
    });

    it('keeps groups apart, lists them, and deletes offsets per partition', async () => {
      const s = ctx.storage();
      const [g1, g2] = [newGroup(), newGroup()];
      const t = ctx.name('t');
      const at = (partition: number, offset: bigint): CommittedOffset => ({
        topic: t,
        partition,
        offset,
        leaderEpoch: -1,
        metadata: null,
        commitTimestampMs: 0n,
      });
      await s.commitOffsets(g1, [at(0, 1n), at(1, 2n)]);
      await s.commitOffsets(g2, [at(0, 7n)]);
      expect(await s.listOffsetGroups()).toEqual(expect.arrayContaining([g1, g2]));
      await s.deleteOffsets(g1, [
        { topic: t, partition: 0 },
        { topic: ctx.name('none'), partition: 3 },
      ]);
      expect(await s.fetchOffsets(g1)).toEqual([at(1, 2n)]);
      expect(await s.fetchOffsets(g2)).toEqual([at(0, 7n)]);
      await s.deleteOffsets(g1, [{ topic: t, partition: 1 }]);
      expect(await s.fetchOffsets(g1)).toEqual([]);
      const groups = await s.listOffsetGroups();
      expect(groups).toContain(g2);
      expect(groups).not.toContain(g1);
      await s.deleteOffsets(ctx.name('nobody'), [{ topic: t, partition: 0 }]);
    });
  });

  describe('key-value store', () => {
    it('puts, gets, overwrites, lists and deletes', async () => {
      const s = ctx.storage();
      const ns = newNamespace();
      expect(await s.kvGet(ns, 'a')).toBeUndefined();
      expect(await s.kvList(ns)).toEqual(new Map());
      await s.kvPut(ns, 'a', Buffer.from([1, 2, 3]));
      await s.kvPut(ns, 'b', Buffer.alloc(0));
      await s.kvPut(ns, 'a', Buffer.from([0, 255]));
      expect(await s.kvGet(ns, 'a')).toEqual(Buffer.from([0, 255]));
      expect(await s.kvGet(ns, 'b')).toEqual(Buffer.alloc(0));
      expect(await s.kvList(ns)).toEqual(
        new Map([
          ['a', Buffer.from([0, 255])],
          ['b', Buffer.alloc(0)],
        ]),
      );
      await s.kvDelete(ns, 'a');
      await s.kvDelete(ns, 'never-there');
      expect(await s.kvGet(ns, 'a')).toBeUndefined();
      expect([...(await s.kvList(ns)).keys()]).toEqual(['b']);
    });

    it('keeps namespaces apart', async () => {
      const s = ctx.storage();
      const [n1, n2] = [newNamespace(), newNamespace()];
      await s.kvPut(n1, 'k', Buffer.from('one'));
      await s.kvPut(n2, 'k', Buffer.from('two'));
      expect((await s.kvGet(n1, 'k'))?.toString()).toBe('one');
      expect((await s.kvGet(n2, 'k'))?.toString()).toBe('two');
      await s.kvDelete(n1, 'k');
      expect((await s.kvGet(n2, 'k'))?.toString()).toBe('two');
    });

    it('is not affected by later changes to a value passed in', async () => {
      const s = ctx.storage();
      const ns = newNamespace();
      const value = Buffer.from('original');
      await s.kvPut(ns, 'k', value);
      value.write('mutated!');
      expect((await s.kvGet(ns, 'k'))?.toString()).toBe('original');
    });
  });
}

/** Contract: onChange notifications for long-polling readers. */
import { describe, expect, it } from 'vitest';
import type { ContractContext } from './contract.js';
import { batchOf, within } from './helpers.js';

interface Watch {
  /** Resolves on the first call. */
  readonly fired: Promise<void>;
  calls(): number;
  unsubscribe(): void;
}

export function registerChangeTests(ctx: ContractContext): void {
  function watch(topic: string, partition: number): Watch {
    let calls = 0;
    let resolve!: () => void;
    const fired = new Promise<void>((r) => (resolve = r));
    const unsubscribe = ctx.storage().onChange(topic, partition, () => {
      calls++;
      resolve();
    });
    return { fired, calls: () => calls, unsubscribe };
  }

  const wait = (w: Watch, what: string) => within(w.fired, ctx.changeTimeoutMs, what);

  describe('change notification', () => {
    it('fires once on the next append', async () => {
      const s = ctx.storage();
      const t = await ctx.newTopic();
      const first = watch(t, 0);
      await s.append(t, 0, batchOf(1));
      await wait(first, 'onChange after append');
      const second = watch(t, 0);
      await s.append(t, 0, batchOf(1));
      await wait(second, 'onChange after the second append');
      expect(first.calls()).toBe(1);
      expect(second.calls()).toBe(1);
      first.unsubscribe(); // after firing: harmless
      second.unsubscribe();
    });

    it('fires only for the partition that changed', async () => {
      const s = ctx.storage();
      const t = await ctx.newTopic(2);
      const other = watch(t, 1);
      const changed = watch(t, 0);
      await s.append(t, 0, batchOf(1));
      await wait(changed, 'onChange for partition 0');
      expect(other.calls()).toBe(0);
      other.unsubscribe();
    });

    it('fires when records are deleted', async () => {
      const s = ctx.storage();
      const t = await ctx.newTopic();
      await s.append(t, 0, batchOf(3));
      const w = watch(t, 0);
      await s.deleteRecordsBefore(t, 0, 2n);
      await wait(w, 'onChange after deleteRecordsBefore');
    });

    it('fires for every partition when the topic is deleted', async () => {
      const s = ctx.storage();
      const t = await ctx.newTopic(2);
      const watches = [watch(t, 0), watch(t, 1)];
      await s.deleteTopic(t);
      await Promise.all(watches.map((w, p) => wait(w, `onChange for partition ${p} after deleteTopic`)));
    });

    it('does not call a listener after it unsubscribed', async () => {
      const s = ctx.storage();
      const t = await ctx.newTopic();
      const gone = watch(t, 0);
      gone.unsubscribe();
      const kept = watch(t, 0);
      await s.append(t, 0, batchOf(1));
      await wait(kept, 'onChange for the remaining listener');
      expect(gone.calls()).toBe(0);
    });
  });
}

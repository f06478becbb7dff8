import type { GroupStore } from '../../src/groups/store.js';
import type { CommittedOffset } from '../../src/storage/storage.js';

type Op =
  | 'commitOffsets'
  | 'fetchOffsets'
  | 'deleteOffsets'
  | 'listOffsetGroups'
  | 'kvGet'
  | 'kvPut'
  | 'kvDelete'
  | 'kvList';

/**
 * An in-memory GroupStore for coordinator tests, with two hooks: `failNext` makes the next call of an
 * operation throw, and `hold` parks calls of an operation until released (to observe in-flight states).
 */
export class MemoryGroupStore implements GroupStore {
  readonly offsets = new Map<string, Map<string, CommittedOffset>>();
  readonly kv = new Map<string, Map<string, Buffer>>();
  readonly calls: Op[] = [];
  private failures = new Map<Op, unknown>();
  private held = new Map<Op, Promise<void>>();

  failNext(op: Op, error: unknown): void {
    this.failures.set(op, error);
  }

  /** Parks calls of `op` until the returned function is called. */
  hold(op: Op): () => void {
    let release!: () => void;
    this.held.set(
      op,
      new Promise<void>((r) => {
        release = r;
      }),
    );
    return () => {
      this.held.delete(op);
      release();
    };
  }

  private async enter(op: Op): Promise<void> {
    this.calls.push(op);
    const gate = this.held.get(op);
    if (gate !== undefined) await gate;
    if (this.failures.has(op)) {
      const err = this.failures.get(op);
      this.failures.delete(op);
      throw err;
    }
  }

  async commitOffsets(group: string, offsets: readonly CommittedOffset[]): Promise<void> {
    await this.enter('commitOffsets');
    const m = this.offsets.get(group) ?? new Map<string, CommittedOffset>();
    for (const o of offsets) m.set(`${o.topic}:${o.partition}`, o);
    this.offsets.set(group, m);
  }

  async fetchOffsets(group: string): Promise<CommittedOffset[]> {
    await this.enter('fetchOffsets');
    return [...(this.offsets.get(group)?.values() ?? [])];
  }

  async deleteOffsets(
    group: string,
    partitions: readonly { topic: string; partition: number }[],
  ): Promise<void> {
    await this.enter('deleteOffsets');
    const m = this.offsets.get(group);
    if (m === undefined) return;
    for (const p of partitions) m.delete(`${p.topic}:${p.partition}`);
    if (m.size === 0) this.offsets.delete(group);
  }

  async listOffsetGroups(): Promise<string[]> {
    await this.enter('listOffsetGroups');
    return [...this.offsets.keys()];
  }

  async kvGet(namespace: string, key: string): Promise<Buffer | undefined> {
    await this.enter('kvGet');
    return this.kv.get(namespace)?.get(key);
  }

  async kvPut(namespace: string, key: string, value: Buffer): Promise<void> {
    await this.enter('kvPut');
    const m = this.kv.get(namespace) ?? new Map<string, Buffer>();
    m.set(key, value);
    this.kv.set(namespace, m);
  }

  async kvDelete(namespace: string, key: string): Promise<void> {
    await this.enter('kvDelete');
    this.kv.get(namespace)?.delete(key);
  }

  async kvList(namespace: string): Promise<Map<string, Buffer>> {
    await this.enter('kvList');
    return new Map(this.kv.get(namespace) ?? []);
  }
}

/**
 * Committed consumer offsets in the filer, in the layout and format SeaweedFS's own Kafka gateway
 * uses (weed/mq/kafka/consumer_offset/filer_storage.go), so a consumer group can move between the two:
 *
 *   /topics/<namespace>/.meta/consumer_offsets/<group>/<topic>/<partition>/offset
 *   {"type":"offset","value":42,"committed_at":<ms>,"metadata":"..."}
 *
 * We add "leader_epoch" and "metadata_is_null", which SeaweedFS ignores (Go's JSON decoding skips
 * unknown fields) and we need for an exact OffsetFetch.
 */
import type { CommittedOffset } from '../storage.js';
import { fromPathComponent, pathComponent, type Filer } from './filer.js';

interface Position {
  type: string;
  value: number | string;
  committed_at: number;
  metadata: string;
  leader_epoch?: number;
  metadata_is_null?: boolean;
}

const PARALLEL = 16;

export class CommittedOffsets {
  constructor(
    private readonly filer: Filer,
    private readonly namespace: string,
  ) {}

  private base(): string {
    return `/topics/${this.namespace}/.meta/consumer_offsets`;
  }

  private groupDir(group: string): string {
    return `${this.base()}/${pathComponent(group)}`;
  }

  async commit(group: string, offsets: readonly CommittedOffset[]): Promise<void> {
    const writes = offsets.map((o) => () => {
      const pos: Position = {
        type: 'offset',
        value: Number(o.offset),
        committed_at: Number(o.commitTimestampMs),
        metadata: o.metadata ?? '',
      };
      if (o.leaderEpoch !== -1) pos.leader_epoch = o.leaderEpoch;
      if (o.metadata === null) pos.metadata_is_null = true;
      const path = `${this.groupDir(group)}/${pathComponent(o.topic)}/${o.partition}/offset`;
      return this.filer.write(path, Buffer.from(JSON.stringify(pos)));
    });
    await inParallel(writes, PARALLEL);
  }

  async fetch(group: string): Promise<CommittedOffset[]> {
    const topics = (await this.filer.list(this.groupDir(group))).filter((e) => e.is_directory);
    const out: CommittedOffset[] = [];
    const reads = topics.map((t) => async () => {
      const topic = fromPathComponent(t.name);
      const partitions = (await this.filer.list(`${this.groupDir(group)}/${t.name}`)).filter(
        (e) => e.is_directory,
      );
      for (const p of partitions) {
        const partition = Number(p.name);
        if (!Number.isInteger(partition) || partition < 0) continue;
        const content = await this.filer.read(`${this.groupDir(group)}/${t.name}/${p.name}/offset`);
        const pos = content === undefined ? undefined : parse(content);
        if (pos === undefined || pos.type !== 'offset') continue;
        const offset = BigInt(pos.value);
        if (offset < 0n) continue;
        out.push({
          topic,
          partition,
          offset,
          leaderEpoch: pos.leader_epoch ?? -1,
          metadata: pos.metadata_is_null ? null : (pos.metadata ?? ''),
          commitTimestampMs: BigInt(pos.committed_at ?? 0),
        });
      }
    });
    await inParallel(reads, PARALLEL);
    return out.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  }

  async delete(group: string, partitions: readonly { topic: string; partition: number }[]): Promise<void> {
    await inParallel(
      partitions.map(
        (p) => () => this.filer.remove(`${this.groupDir(group)}/${pathComponent(p.topic)}/${p.partition}`),
      ),
      PARALLEL,
    );
    // A group with nothing committed left is no longer listed, as in Kafka.
    if ((await this.fetch(group)).length === 0) await this.filer.remove(this.groupDir(group));
  }

  async groups(): Promise<string[]> {
    const entries = await this.filer.list(this.base());
    return entries
      .filter((e) => e.is_directory)
      .map((e) => fromPathComponent(e.name))
      .sort();
  }

  /** Offsets of a deleted topic must not come back if a topic of that name is created again. */
  async deleteTopic(topic: string): Promise<void> {
    const groups = await this.groups();
    await inParallel(
      groups.map((g) => async () => {
        const dir = this.groupDir(g);
        const topics = (await this.filer.list(dir)).filter((e) => e.is_directory);
        if (!topics.some((t) => t.name === pathComponent(topic))) return;
        if (topics.length === 1) await this.filer.remove(dir);
        else await this.filer.remove(`${dir}/${pathComponent(topic)}`);
      }),
      PARALLEL,
    );
  }
}

function parse(content: Buffer): Position | undefined {
  try {
    return JSON.parse(content.toString('utf8')) as Position;
  } catch {
    return undefined;
  }
}

export async function inParallel(tasks: readonly (() => Promise<unknown>)[], limit: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const task = tasks[next++]!;
      await task();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}

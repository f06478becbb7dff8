/**
 * Everything the log store keeps besides records, as the entries of its metadata log and the
 * in-memory state they build: topics (id, partition count, configs), committed offsets, key-value
 * namespaces, log start offsets moved by DeleteRecords and the cleaner's progress per partition.
 */
import { KvStore } from '../memory/kv-store.js';
import { OffsetStore } from '../memory/offset-store.js';
import type { CommittedOffset, TopicConfigs, TopicInfo } from '../storage.js';

interface StoredOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly leaderEpoch: number;
  readonly metadata: string | null;
  readonly ts: string;
}

export type MetaEntry =
  | {
      readonly t: 'topic';
      readonly name: string;
      readonly id: string;
      readonly partitions: number;
      readonly configs: TopicConfigs;
    }
  | { readonly t: 'topic-delete'; readonly name: string }
  | { readonly t: 'commit'; readonly group: string; readonly offsets: readonly StoredOffset[] }
  | {
      readonly t: 'offset-delete';
      readonly group: string;
      readonly partitions: readonly { topic: string; partition: number }[];
    }
  | { readonly t: 'kv'; readonly ns: string; readonly key: string; readonly value: string }
  | { readonly t: 'kv-delete'; readonly ns: string; readonly key: string }
  /** Log start offset of a partition after DeleteRecords (topic by id). */
  | { readonly t: 'log-start'; readonly id: string; readonly p: number; readonly offset: string }
  /** First offset the cleaner has not compacted yet. */
  | { readonly t: 'cleaned'; readonly id: string; readonly p: number; readonly offset: string };

export class MetaState {
  readonly topics = new Map<string, TopicInfo>();
  readonly offsets = new OffsetStore();
  readonly kv = new KvStore();
  /** "topicId/partition" → offset */
  readonly logStarts = new Map<string, bigint>();
  readonly cleanedTo = new Map<string, bigint>();
  private readonly kvNamespaces = new Set<string>();

  apply(e: MetaEntry): void {
    switch (e.t) {
      case 'topic':
        this.topics.set(e.name, { name: e.name, id: e.id, partitions: e.partitions, configs: e.configs });
        return;
      case 'topic-delete': {
        const topic = this.topics.get(e.name);
        this.topics.delete(e.name);
        this.offsets.deleteTopic(e.name);
        if (topic !== undefined) forgetTopic(topic.id, this.logStarts, this.cleanedTo);
        return;
      }
      case 'commit':
        this.offsets.commit(e.group, e.offsets.map(fromStored));
        return;
      case 'offset-delete':
        this.offsets.delete(e.group, e.partitions);
        return;
      case 'kv':
        this.kv.put(e.ns, e.key, Buffer.from(e.value, 'base64'));
        this.kvNamespaces.add(e.ns);
        return;
      case 'kv-delete':
        this.kv.delete(e.ns, e.key);
        return;
      case 'log-start':
        this.logStarts.set(`${e.id}/${e.p}`, BigInt(e.offset));
        return;
      case 'cleaned':
        this.cleanedTo.set(`${e.id}/${e.p}`, BigInt(e.offset));
        return;
    }
  }

  /** Entries that rebuild this state. */
  snapshot(): MetaEntry[] {
    const out: MetaEntry[] = [];
    for (const t of this.topics.values()) {
      out.push({ t: 'topic', name: t.name, id: t.id, partitions: t.partitions, configs: t.configs });
    }
    for (const group of this.offsets.groupIds()) {
      out.push({ t: 'commit', group, offsets: this.offsets.fetch(group).map(toStored) });
    }
    for (const ns of this.kvNamespaces) {
      for (const [key, value] of this.kv.list(ns))
        out.push({ t: 'kv', ns, key, value: value.toString('base64') });
    }
    for (const [k, offset] of this.logStarts) {
      const [id, p] = splitKey(k);
      out.push({ t: 'log-start', id, p, offset: offset.toString() });
    }
    for (const [k, offset] of this.cleanedTo) {
      const [id, p] = splitKey(k);
      out.push({ t: 'cleaned', id, p, offset: offset.toString() });
    }
    return out;
  }
}

export function commitEntry(group: string, offsets: readonly CommittedOffset[]): MetaEntry {
  return { t: 'commit', group, offsets: offsets.map(toStored) };
}

export function partitionKey(topicId: string, partition: number): string {
  return `${topicId}/${partition}`;
}

function splitKey(key: string): [string, number] {
  const slash = key.lastIndexOf('/');
  return [key.slice(0, slash), Number(key.slice(slash + 1))];
}

function forgetTopic(id: string, ...maps: Map<string, bigint>[]): void {
  for (const map of maps) {
    for (const key of [...map.keys()]) if (key.startsWith(`${id}/`)) map.delete(key);
  }
}

function toStored(o: CommittedOffset): StoredOffset {
  return {
    topic: o.topic,
    partition: o.partition,
    offset: o.offset.toString(),
    leaderEpoch: o.leaderEpoch,
    metadata: o.metadata,
    ts: o.commitTimestampMs.toString(),
  };
}

function fromStored(o: StoredOffset): CommittedOffset {
  return {
    topic: o.topic,
    partition: o.partition,
    offset: BigInt(o.offset),
    leaderEpoch: o.leaderEpoch,
    metadata: o.metadata,
    commitTimestampMs: BigInt(o.ts),
  };
}

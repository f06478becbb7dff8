/**
 * The contract every Storage backend must meet. A backend's test file calls storageContract with a
 * factory; the suite uses one instance for all its tests, names every topic, group and namespace
 * uniquely and removes what it created, so it can also run against a shared external store. It relies
 * neither on synchronous behaviour nor on timings: notifications are awaited with a generous bound.
 */
import { afterAll, afterEach, beforeAll, describe } from 'vitest';
import type { Storage, TopicConfigs } from '../../src/storage/storage.js';
import { registerChangeTests } from './contract-changes.js';
import { registerGroupTests } from './contract-groups.js';
import { registerRecordTests } from './contract-records.js';
import { registerTimeTests } from './contract-time.js';
import { registerTopicTests } from './contract-topics.js';

export interface StorageContractOptions {
  /** Prefix of every topic, group and namespace name the suite creates. Default "contract-". */
  readonly namePrefix?: string;
  /** How long to wait for an onChange notification before failing. Default 10 000 ms. */
  readonly changeTimeoutMs?: number;
  /**
   * Whether read() returns batches exactly as appended (the embedded stores). A backend that
   * re-batches still has to pass every other check, including the KIP-74 invariants. Default true.
   */
  readonly preservesBatchBoundaries?: boolean;
  /**
   * Whether createPartitions may grow a topic that already holds records. A backend that cannot keep
   * existing records while growing must refuse with INVALID_PARTITIONS instead, and the suite checks
   * that refusal (and that nothing was lost). Default true.
   */
  readonly growsNonEmptyTopics?: boolean;
}

export interface ContractContext {
  readonly storage: () => Storage;
  readonly changeTimeoutMs: number;
  readonly preservesBatchBoundaries: boolean;
  readonly growsNonEmptyTopics: boolean;
  /** A name nobody else uses; `kind` only makes failures easier to read. */
  name(kind: string): string;
  /** Creates a uniquely named topic, deleted again after the test. */
  newTopic(partitions?: number, configs?: TopicConfigs): Promise<string>;
  /** Registers a name created outside newTopic (or a group, or a namespace) for clean-up. */
  track(what: 'topic' | 'group' | 'namespace', name: string): void;
}

export function storageContract(
  name: string,
  factory: () => Promise<Storage>,
  options: StorageContractOptions = {},
): void {
  describe(`storage contract: ${name}`, () => {
    let storage: Storage | undefined;
    const run = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    let counter = 0;
    const created = { topic: new Set<string>(), group: new Set<string>(), namespace: new Set<string>() };

    const ctx: ContractContext = {
      storage: () => {
        if (storage === undefined) throw new Error('storage not started');
        return storage;
      },
      changeTimeoutMs: options.changeTimeoutMs ?? 10_000,
      preservesBatchBoundaries: options.preservesBatchBoundaries ?? true,
      growsNonEmptyTopics: options.growsNonEmptyTopics ?? true,
      name: (kind) => `${options.namePrefix ?? 'contract-'}${kind}-${run}-${++counter}`,
      async newTopic(partitions = 1, configs = {}) {
        const topic = ctx.name('topic');
        created.topic.add(topic);
        await ctx.storage().createTopic({ name: topic, partitions, configs });
        return topic;
      },
      track: (what, trackedName) => created[what].add(trackedName),
    };

    beforeAll(async () => {
      storage = await factory();
      await storage.start();
    });

    afterEach(async () => {
      const s = ctx.storage();
      for (const topic of created.topic) {
        if ((await s.describeTopic(topic)) !== undefined) await s.deleteTopic(topic);
      }
      for (const group of created.group) {
        const offsets = await s.fetchOffsets(group);
        if (offsets.length > 0) await s.deleteOffsets(group, offsets);
      }
      for (const ns of created.namespace) {
        for (const key of (await s.kvList(ns)).keys()) await s.kvDelete(ns, key);
      }
      created.topic.clear();
      created.group.clear();
      created.namespace.clear();
    });

    afterAll(async () => {
      await storage?.close();
    });

    registerTopicTests(ctx);
    registerRecordTests(ctx);
    registerTimeTests(ctx);
    registerChangeTests(ctx);
    registerGroupTests(ctx);
  });
}

import type { Storage } from '../storage/storage.js';

/**
 * What the coordinator needs from storage: committed offsets and a small key-value space. A Pick of
 * Storage, so every real backend satisfies it and tests can pass a small in-memory fake.
 */
export type GroupStore = Pick<
  Storage,
  | 'commitOffsets'
  | 'fetchOffsets'
  | 'deleteOffsets'
  | 'listOffsetGroups'
  | 'kvGet'
  | 'kvPut'
  | 'kvDelete'
  | 'kvList'
>;

/** kv namespace holding one encoded group-metadata value per group id. */
export const GROUPS_NAMESPACE = 'groups';

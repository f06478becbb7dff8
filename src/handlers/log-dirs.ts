/**
 * The log directories DescribeLogDirs and AlterReplicaLogDirs answer about: the store's own when it
 * can describe them, else one directory named after the store holding every partition with its size
 * unknown (-1), rather than a size the gateway cannot know.
 */
import type { LogDir, Storage } from '../storage/storage.js';

export const UNKNOWN_SIZE = -1n;

export async function logDirsOf(storage: Storage): Promise<LogDir[]> {
  if (storage.describeLogDirs !== undefined) return storage.describeLogDirs();
  const topics = await storage.listTopics();
  return [
    {
      path: storage.kind,
      partitions: topics.flatMap((t) =>
        Array.from({ length: t.partitions }, (_, partition) => ({
          topic: t.name,
          partition,
          sizeBytes: UNKNOWN_SIZE,
        })),
      ),
    },
  ];
}

/**
 * DescribeLogDirs v0-4 (kafka-log-dirs): each log directory of the store with the size of every
 * partition in it, as a one-broker Kafka answers. Unknown topics and partitions are left out, as
 * Kafka leaves them out; a null topic list means every partition.
 */
import { ErrorCode } from '../protocol/error-codes.js';
import type {
  DescribeLogDirsRequest,
  DescribeLogDirsResponse,
  DescribeLogDirsResponseDescribeLogDirsTopic,
} from '../protocol/generated/index.js';
import type { LogDir } from '../storage/storage.js';
import { defineHandler } from './handler.js';
import { AclOperation, allowedOnCluster } from '../security/authorize.js';
import { logDirsOf } from './log-dirs.js';

function topicsOf(
  dir: LogDir,
  wanted: Map<string, Set<number>> | null,
): DescribeLogDirsResponseDescribeLogDirsTopic[] {
  const byTopic = new Map<string, DescribeLogDirsResponseDescribeLogDirsTopic>();
  for (const p of dir.partitions) {
    if (wanted !== null && wanted.get(p.topic)?.has(p.partition) !== true) continue;
    let t = byTopic.get(p.topic);
    if (t === undefined) {
      t = { name: p.topic, partitions: [] };
      byTopic.set(p.topic, t);
    }
    t.partitions.push({
      partitionIndex: p.partition,
      partitionSize: p.sizeBytes,
      offsetLag: 0n,
      isFutureKey: false,
    });
  }
  return [...byTopic.values()];
}

export default defineHandler<DescribeLogDirsRequest, DescribeLogDirsResponse>({
  apiKey: 35,
  minVersion: 0,
  maxVersion: 4,
  async handle(request, ctx) {
    if (!allowedOnCluster(ctx, AclOperation.DESCRIBE)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, results: [] };
    }
    let wanted: Map<string, Set<number>> | null = null;
    if (request.topics !== null) {
      wanted = new Map();
      for (const t of request.topics) {
        const set = wanted.get(t.topic) ?? new Set<number>();
        for (const p of t.partitions) set.add(p);
        wanted.set(t.topic, set);
      }
    }
    const dirs = await logDirsOf(ctx.services.storage);
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      results: dirs.map((dir) => ({
        errorCode: ErrorCode.NONE,
        logDir: dir.path,
        topics: topicsOf(dir, wanted),
        totalBytes: dir.totalBytes ?? -1n,
        usableBytes: dir.usableBytes ?? -1n,
      })),
    };
  },
});

/**
 * AlterReplicaLogDirs v0-2 (kafka-reassign-partitions with log dirs): a replica can only be "moved"
 * to the log directory it is in, which succeeds without doing anything; a path that is not one of
 * the store's log directories is LOG_DIR_NOT_FOUND (checked first, as Kafka does), and an unknown
 * partition UNKNOWN_TOPIC_OR_PARTITION. Moving between directories is not supported: a store
 * with several reports KAFKA_STORAGE_ERROR for such a move.
 */
import { ErrorCode } from '../protocol/error-codes.js';
import type {
  AlterReplicaLogDirsRequest,
  AlterReplicaLogDirsResponse,
  AlterReplicaLogDirsResponseAlterReplicaLogDirTopicResult as TopicResult,
} from '../protocol/generated/index.js';
import { defineHandler } from './handler.js';
import { AclOperation, allowedOnCluster } from '../security/authorize.js';
import { logDirsOf } from './log-dirs.js';

export default defineHandler<AlterReplicaLogDirsRequest, AlterReplicaLogDirsResponse>({
  apiKey: 34,
  minVersion: 0,
  maxVersion: 2,
  async handle(request, ctx) {
    // ALTER on the cluster, else every partition is refused, as Kafka does.
    const denied = !allowedOnCluster(ctx, AclOperation.ALTER);
    const dirs = denied ? [] : await logDirsOf(ctx.services.storage);
    const paths = new Set(dirs.map((d) => d.path));
    const home = new Map<string, string>();
    for (const d of dirs) for (const p of d.partitions) home.set(`${p.topic}\u0000${p.partition}`, d.path);
    const byTopic = new Map<string, TopicResult>();
    for (const dir of request.dirs) {
      for (const t of dir.topics) {
        let result = byTopic.get(t.name);
        if (result === undefined) {
          result = { topicName: t.name, partitions: [] };
          byTopic.set(t.name, result);
        }
        for (const partitionIndex of t.partitions) {
          const current = home.get(`${t.name}\u0000${partitionIndex}`);
          let errorCode: number = ErrorCode.NONE;
          if (denied) errorCode = ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
          else if (!paths.has(dir.path)) errorCode = ErrorCode.LOG_DIR_NOT_FOUND;
          else if (current === undefined) errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
          else if (current !== dir.path) errorCode = ErrorCode.KAFKA_STORAGE_ERROR;
          result.partitions.push({ partitionIndex, errorCode });
        }
      }
    }
    return { throttleTimeMs: 0, results: [...byTopic.values()] };
  },
});

/**
 * ElectLeaders v0-2 (kafka-leader-election): the gateway leads every partition and has no other
 * replica, so an election is never needed: each existing partition answers ELECTION_NOT_NEEDED, and
 * a request for all partitions (null) lists every topic with no partition in it, as Kafka 3.9 does.
 */
import { ErrorCode } from '../protocol/error-codes.js';
import type {
  ElectLeadersRequest,
  ElectLeadersResponse,
  ElectLeadersResponsePartitionResult,
} from '../protocol/generated/index.js';
import { expiredAtArrival } from './admin-common.js';
import { defineHandler } from './handler.js';
import { AclOperation, allowedOnCluster } from '../security/authorize.js';

const PREFERRED = 0;
const UNCLEAN = 1;

export default defineHandler<ElectLeadersRequest, ElectLeadersResponse>({
  apiKey: 43,
  minVersion: 0,
  maxVersion: 2,
  async handle(request, ctx) {
    // v0 has no election type: it always asks for the preferred leader.
    const type = ctx.apiVersion >= 1 ? request.electionType : PREFERRED;
    const everyPartition = (errorCode: number, errorMessage: string | null): ElectLeadersResponse => ({
      throttleTimeMs: 0,
      errorCode,
      replicaElectionResults: (request.topicPartitions ?? []).map((t) => ({
        topic: t.topic,
        partitionResult: t.partitions.map((partitionId) => ({ partitionId, errorCode, errorMessage })),
      })),
    });
    if (type !== PREFERRED && type !== UNCLEAN) {
      return everyPartition(ErrorCode.INVALID_REQUEST, `Unknown election type ${type}`);
    }
    if (!allowedOnCluster(ctx, AclOperation.ALTER)) {
      return everyPartition(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'Cluster authorization failed.');
    }
    if (expiredAtArrival(request.timeoutMs)) return everyPartition(ErrorCode.REQUEST_TIMED_OUT, null);
    const { storage } = ctx.services;
    if (request.topicPartitions === null) {
      const topics = (await storage.listTopics()).map((t) => t.name).sort();
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        replicaElectionResults: topics.map((topic) => ({ topic, partitionResult: [] })),
      };
    }
    const results = await Promise.all(
      request.topicPartitions.map(async (t) => {
        const topic = await storage.describeTopic(t.topic);
        const partitionResult = t.partitions.map((partitionId): ElectLeadersResponsePartitionResult => {
          if (topic === undefined) {
            return {
              partitionId,
              errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
              errorMessage: `No such topic as ${t.topic}`,
            };
          }
          if (partitionId < 0 || partitionId >= topic.partitions) {
            return {
              partitionId,
              errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
              errorMessage: `No such partition as ${t.topic}-${partitionId}`,
            };
          }
          return {
            partitionId,
            errorCode: ErrorCode.ELECTION_NOT_NEEDED,
            errorMessage: 'Leader election not needed for topic partition.',
          };
        });
        return { topic: t.topic, partitionResult };
      }),
    );
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, replicaElectionResults: results };
  },
});

/**
 * AlterPartitionReassignments v0 (kafka-reassign-partitions --execute): the gateway is the only
 * broker, so the one valid target is [its node id], which is where every partition already is: the
 * reassignment is complete as soon as it is accepted. Other replica lists get Kafka's
 * INVALID_REPLICA_ASSIGNMENT messages; cancelling (null replicas) finds nothing in progress.
 */
import { ErrorCode, isKafkaError } from '../protocol/error-codes.js';
import type {
  AlterPartitionReassignmentsRequest,
  AlterPartitionReassignmentsResponse,
  AlterPartitionReassignmentsResponseReassignablePartitionResponse as PartitionResponse,
} from '../protocol/generated/index.js';
import { checkReplicaList, expiredAtArrival } from './admin-common.js';
import { defineHandler } from './handler.js';
import { AclOperation, allowedOnCluster } from '../security/authorize.js';

export default defineHandler<AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse>({
  apiKey: 45,
  minVersion: 0,
  maxVersion: 0,
  async handle(request, ctx) {
    const { storage, config } = ctx.services;
    if (!allowedOnCluster(ctx, AclOperation.ALTER)) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        errorMessage: 'Cluster authorization failed.',
        responses: [],
      };
    }
    if (expiredAtArrival(request.timeoutMs)) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.REQUEST_TIMED_OUT,
        errorMessage: null,
        responses: request.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({
            partitionIndex: p.partitionIndex,
            errorCode: ErrorCode.REQUEST_TIMED_OUT,
            errorMessage: null,
          })),
        })),
      };
    }
    const responses = await Promise.all(
      request.topics.map(async (t) => {
        const topic = await storage.describeTopic(t.name);
        const partitions = t.partitions.map((p): PartitionResponse => {
          const answer = (errorCode: number, errorMessage: string | null): PartitionResponse => ({
            partitionIndex: p.partitionIndex,
            errorCode,
            errorMessage,
          });
          if (topic === undefined) {
            return answer(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Unable to find a topic named ${t.name}.`);
          }
          if (p.partitionIndex < 0 || p.partitionIndex >= topic.partitions) {
            return answer(
              ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
              `Unable to find partition ${t.name}:${p.partitionIndex}.`,
            );
          }
          if (p.replicas === null) return answer(ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, null);
          try {
            checkReplicaList(p.replicas, config.nodeId);
          } catch (err) {
            if (!isKafkaError(err)) throw err;
            return answer(err.code, err.message);
          }
          return answer(ErrorCode.NONE, null);
        });
        return { name: t.name, partitions };
      }),
    );
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      // Kafka 3.9 answers an empty request with an empty message rather than none.
      errorMessage: request.topics.length === 0 ? '' : null,
      responses,
    };
  },
});

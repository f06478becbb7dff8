/**
 * ListPartitionReassignments v0 (kafka-reassign-partitions --verify/--list): reassignments on the
 * one-broker gateway complete when accepted, so none is ever in progress.
 */
import { ErrorCode } from '../protocol/error-codes.js';
import type {
  ListPartitionReassignmentsRequest,
  ListPartitionReassignmentsResponse,
} from '../protocol/generated/index.js';
import { defineHandler } from './handler.js';
import { AclOperation, allowedOnCluster } from '../security/authorize.js';

export default defineHandler<ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse>({
  apiKey: 46,
  minVersion: 0,
  maxVersion: 0,
  handle(_request, ctx) {
    if (!allowedOnCluster(ctx, AclOperation.DESCRIBE)) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        errorMessage: 'Cluster authorization failed.',
        topics: [],
      };
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, topics: [] };
  },
});

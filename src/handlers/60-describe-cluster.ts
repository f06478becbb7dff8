/**
 * DescribeCluster v0-1: the gateway is the cluster's only broker and its controller. Asking a broker
 * endpoint for controllers (endpoint type 2) is refused as Kafka refuses it.
 */
import { ErrorCode } from '../protocol/error-codes.js';
import type { DescribeClusterRequest, DescribeClusterResponse } from '../protocol/generated/index.js';
import { NO_AUTHORIZED_OPERATIONS } from './authorized-operations.js';
import { CLUSTER_NAME } from '../security/acl/types.js';
import { brokerEntries } from './broker-address.js';
import { defineHandler } from './handler.js';
import { AclOperation, allowedOnCluster, authorizedOperations, ResourceType } from '../security/authorize.js';

const BROKERS = 1;
const CONTROLLERS = 2;

export default defineHandler<DescribeClusterRequest, DescribeClusterResponse>({
  apiKey: 60,
  minVersion: 0,
  maxVersion: 1,
  handle(request, ctx) {
    const { config } = ctx.services;
    // v0 has no endpoint type: it always means brokers.
    const wanted = ctx.apiVersion >= 1 ? request.endpointType : BROKERS;
    const refuse = (errorCode: number, errorMessage: string): DescribeClusterResponse => ({
      throttleTimeMs: 0,
      errorCode,
      errorMessage,
      endpointType: BROKERS,
      clusterId: '',
      controllerId: -1,
      brokers: [],
      clusterAuthorizedOperations: NO_AUTHORIZED_OPERATIONS,
    });
    if (!allowedOnCluster(ctx, AclOperation.DESCRIBE)) {
      return refuse(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'Cluster authorization failed.');
    }
    if (wanted === CONTROLLERS) {
      return refuse(
        ErrorCode.MISMATCHED_ENDPOINT_TYPE,
        'The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER',
      );
    }
    if (wanted !== BROKERS) {
      return refuse(ErrorCode.UNSUPPORTED_ENDPOINT_TYPE, `Unsupported endpoint type ${wanted}`);
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      endpointType: BROKERS,
      clusterId: config.clusterId,
      controllerId: config.nodeId,
      brokers: brokerEntries(ctx).map((b) => ({
        brokerId: b.nodeId,
        host: b.host,
        port: b.port,
        rack: null,
      })),
      clusterAuthorizedOperations: request.includeClusterAuthorizedOperations
        ? authorizedOperations(ctx, ResourceType.CLUSTER, CLUSTER_NAME)
        : NO_AUTHORIZED_OPERATIONS,
    };
  },
});

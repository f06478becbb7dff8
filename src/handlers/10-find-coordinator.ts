import { ErrorCode } from '../protocol/error-codes.js';
import type {
  FindCoordinatorRequest,
  FindCoordinatorResponse,
  FindCoordinatorResponseCoordinator,
} from '../protocol/generated/index.js';
import { advertisedAddress, slotOwnerAddress } from './broker-address.js';
import type { RequestContext } from './handler.js';
import { defineHandler } from './handler.js';

const KEY_TYPE_GROUP = 0;
const KEY_TYPE_TRANSACTION = 1;

/** Kafka's text for INVALID_REQUEST, which it sends for key types it has no coordinator for. */
const INVALID_REQUEST_MESSAGE =
  'This most likely occurs because of a request being malformed by the client library or the message was sent to an incompatible broker. See the broker logs for more details.';

/**
 * There is no transaction coordinator yet. COORDINATOR_NOT_AVAILABLE would make transactional producers
 * retry until they time out; TRANSACTIONAL_ID_AUTHORIZATION_FAILED is fatal at once in the Java client,
 * librdkafka (which also prints this message) and kafkajs, so the failure is immediate and explicit.
 */
const NO_TRANSACTIONS_MESSAGE =
  'kafka-gateway does not support transactions: there is no transaction coordinator';

/** With gateways sharing the groups (coordination slots): the live gateway holding the group's slot. */
function sharedGroupCoordinator(ctx: RequestContext, groupId: string): Lookup | undefined {
  if (ctx.services.coordinatorSlots === undefined) return undefined;
  const owner = slotOwnerAddress(ctx, 'group', groupId);
  if (owner === undefined) {
    return failed(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'The coordinator is not available.');
  }
  return { errorCode: ErrorCode.NONE, errorMessage: '', ...owner };
}

interface Lookup {
  errorCode: number;
  errorMessage: string;
  nodeId: number;
  host: string;
  port: number;
}

function failed(errorCode: number, errorMessage: string): Lookup {
  return { errorCode, errorMessage, nodeId: -1, host: '', port: -1 };
}

/**
 * The gateway is the group coordinator for every group, as it leads every partition, unless the
 * gateways sharing a store name one of them (--group-coordinator) or share the groups by lease.
 */
function lookup(keyType: number, key: string, ctx: RequestContext): Lookup {
  switch (keyType) {
    case KEY_TYPE_GROUP: {
      const owner = sharedGroupCoordinator(ctx, key);
      if (owner !== undefined) return owner;
      const named = ctx.services.config.groupCoordinator;
      if (named !== undefined) {
        return {
          errorCode: ErrorCode.NONE,
          errorMessage: '',
          nodeId: named.nodeId,
          host: named.host,
          port: named.port,
        };
      }
      const { host, port } = advertisedAddress(ctx);
      // Kafka sends Errors.NONE.message() ("NONE") before v4 and leaves the field empty from v4 on.
      return { errorCode: ErrorCode.NONE, errorMessage: '', nodeId: ctx.services.config.nodeId, host, port };
    }
    case KEY_TYPE_TRANSACTION:
      return failed(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, NO_TRANSACTIONS_MESSAGE);
    default:
      // Share groups (key type 2) and unknown types: Kafka 3.9 without a share coordinator says the same.
      return failed(ErrorCode.INVALID_REQUEST, INVALID_REQUEST_MESSAGE);
  }
}

export default defineHandler<FindCoordinatorRequest, FindCoordinatorResponse>({
  apiKey: 10,
  minVersion: 0,
  maxVersion: 6,
  handle(request, ctx) {
    if (ctx.apiVersion >= 4) {
      const coordinators: FindCoordinatorResponseCoordinator[] = request.coordinatorKeys.map((key) => ({
        key,
        ...lookup(request.keyType, key, ctx),
      }));
      return { throttleTimeMs: 0, coordinators };
    }
    const found = lookup(request.keyType, request.key, ctx);
    return {
      throttleTimeMs: 0,
      ...found,
      errorMessage: found.errorCode === ErrorCode.NONE ? 'NONE' : found.errorMessage,
    };
  },
});

import { ErrorCode } from '../protocol/error-codes.js';
import type {
  FindCoordinatorRequest,
  FindCoordinatorResponse,
  FindCoordinatorResponseCoordinator,
} from '../protocol/generated/index.js';
import { advertisedAddress, slotOwnerAddress } from './broker-address.js';
import type { RequestContext } from './handler.js';
import { defineHandler } from './handler.js';
import { AclOperation, allowed, ResourceType } from '../security/authorize.js';

const KEY_TYPE_GROUP = 0;
const KEY_TYPE_TRANSACTION = 1;

/** Kafka's text for INVALID_REQUEST, which it sends for key types it has no coordinator for. */
const INVALID_REQUEST_MESSAGE =
  'This most likely occurs because of a request being malformed by the client library or the message was sent to an incompatible broker. See the broker logs for more details.';

/** With gateways sharing the groups (coordination slots): the live gateway holding the group's slot. */
function sharedGroupCoordinator(ctx: RequestContext, groupId: string): Lookup | undefined {
  if (ctx.services.coordinatorSlots === undefined) return undefined;
  const owner = slotOwnerAddress(ctx, 'group', groupId);
  if (owner === undefined) {
    return failed(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'The coordinator is not available.');
  }
  return { errorCode: ErrorCode.NONE, errorMessage: '', ...owner };
}

/**
 * Gateways sharing the groups by lease do not place transactions yet: each would coordinate the
 * transactional ids of the clients reaching it (two could fence the same id apart) and a marker can
 * commit offsets only for groups coordinated where it is written. While other gateways are live, a
 * transactional producer is told the coordinator is not available (it retries) rather than risk that;
 * --group-coordinator places groups and transactions on one gateway and serves them.
 */
function leasedTransactionCoordinator(ctx: RequestContext): Lookup | undefined {
  const slots = ctx.services.coordinatorSlots;
  if (slots === undefined) return undefined;
  const others = slots.gateways().filter((g) => g.nodeId !== ctx.services.config.nodeId);
  if (others.length === 0) return undefined;
  return failed(
    ErrorCode.COORDINATOR_NOT_AVAILABLE,
    'kafka-gateway coordinates transactions across gateways only with --group-coordinator',
  );
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
 * The gateway coordinates every group and transactional id, as it leads every partition, unless the
 * gateways sharing a store name one of them (--group-coordinator), which then coordinates both, or
 * share the groups by lease (transactions then only while this gateway is alone: see above).
 */
function lookup(keyType: number, key: string, ctx: RequestContext): Lookup {
  switch (keyType) {
    case KEY_TYPE_GROUP:
    case KEY_TYPE_TRANSACTION: {
      const shared =
        keyType === KEY_TYPE_GROUP ? sharedGroupCoordinator(ctx, key) : leasedTransactionCoordinator(ctx);
      if (shared !== undefined) return shared;
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
    default:
      // Share groups (key type 2) and unknown types: Kafka 3.9 without a share coordinator says the same.
      return failed(ErrorCode.INVALID_REQUEST, INVALID_REQUEST_MESSAGE);
  }
}

/** DESCRIBE on the group or transactional id the client looks up, as Kafka asks. */
function denied(keyType: number, key: string, ctx: RequestContext): Lookup | undefined {
  if (keyType === KEY_TYPE_GROUP && !allowed(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, key)) {
    return failed(ErrorCode.GROUP_AUTHORIZATION_FAILED, 'Group authorization failed.');
  }
  if (
    keyType === KEY_TYPE_TRANSACTION &&
    !allowed(ctx, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, key)
  ) {
    return failed(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, 'Transactional Id authorization failed.');
  }
  return undefined;
}

export default defineHandler<FindCoordinatorRequest, FindCoordinatorResponse>({
  apiKey: 10,
  minVersion: 0,
  maxVersion: 6,
  handle(request, ctx) {
    if (ctx.apiVersion >= 4) {
      const coordinators: FindCoordinatorResponseCoordinator[] = request.coordinatorKeys.map((key) => ({
        key,
        ...(denied(request.keyType, key, ctx) ?? lookup(request.keyType, key, ctx)),
      }));
      return { throttleTimeMs: 0, coordinators };
    }
    const found = denied(request.keyType, request.key, ctx) ?? lookup(request.keyType, request.key, ctx);
    return {
      throttleTimeMs: 0,
      ...found,
      errorMessage: found.errorCode === ErrorCode.NONE ? 'NONE' : found.errorMessage,
    };
  },
});

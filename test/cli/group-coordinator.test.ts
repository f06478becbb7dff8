import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import type {
  FindCoordinatorResponse,
  JoinGroupResponse,
  ListGroupsResponse,
  MetadataResponse,
} from '../../src/protocol/generated/index.js';
import { parseGatewayArgs } from '../deploy/gateway-args.js';
import { createHarness } from '../server/support/harness.js';

const join = {
  groupId: 'g',
  sessionTimeoutMs: 10_000,
  rebalanceTimeoutMs: 10_000,
  memberId: '',
  groupInstanceId: null,
  protocolType: 'consumer',
  protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
};

describe('--group-coordinator', () => {
  it('parses nodeId@host:port and refuses anything else', () => {
    expect(parseGatewayArgs(['--group-coordinator', '1@gateway-1:9092']).groupCoordinator).toEqual({
      nodeId: 1,
      host: 'gateway-1',
      port: 9092,
    });
    expect(parseGatewayArgs([]).groupCoordinator).toBeUndefined();
    for (const bad of ['gateway-1:9092', '1@gateway-1', 'x@h:1', '1@h:0', '1@h:70000']) {
      expect(() => parseGatewayArgs(['--group-coordinator', bad])).toThrow(/nodeId@host:port/);
    }
  });

  it('sends group clients to the named gateway, and a gateway that is not it refuses group requests', async () => {
    const h = createHarness({ nodeId: 2, groupCoordinator: { nodeId: 1, host: 'gw-1', port: 19093 } });
    await h.services.groups.load();
    const found = await h.call<FindCoordinatorResponse>(10, 3, { key: 'g', keyType: 0 });
    expect(found).toMatchObject({ errorCode: ErrorCode.NONE, nodeId: 1, host: 'gw-1', port: 19093 });
    const v4 = await h.call<FindCoordinatorResponse>(10, 4, { keyType: 0, coordinatorKeys: ['a', 'b'] });
    expect((v4.coordinators ?? []).map((c) => [c.key, c.nodeId, c.host, c.port])).toEqual([
      ['a', 1, 'gw-1', 19093],
      ['b', 1, 'gw-1', 19093],
    ]);
    expect((await h.call<JoinGroupResponse>(11, 5, join)).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    // Clients such as kafkajs look the coordinator up among the brokers Metadata lists.
    const meta = await h.call<MetadataResponse>(3, 12, {
      topics: [],
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    });
    expect(meta.brokers.map((b) => [b.nodeId, b.host, b.port])).toEqual([
      [2, '127.0.0.1', 19092],
      [1, 'gw-1', 19093],
    ]);
    expect(await h.call<ListGroupsResponse>(16, 4, { statesFilter: [] })).toMatchObject({
      errorCode: ErrorCode.NONE,
      groups: [],
    });
  });

  it('the named gateway itself coordinates as usual', async () => {
    const h = createHarness({ nodeId: 1, groupCoordinator: { nodeId: 1, host: 'gw-1', port: 19093 } });
    await h.services.groups.load();
    expect((await h.call<JoinGroupResponse>(11, 5, join)).errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
  });
});

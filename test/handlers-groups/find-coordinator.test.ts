import { describe, expect, it } from 'vitest';
import type { SlotManager } from '../../src/coordination/slot-manager.js';
import type { FindCoordinatorResponse } from '../../src/protocol/generated/index.js';
import { API, ErrorCode, groupHarness } from './support.js';

describe('FindCoordinator', () => {
  it.each([0, 1, 2, 3])('v%i names the gateway as the coordinator of a group', async (version) => {
    const h = await groupHarness();
    const res = await h.call<FindCoordinatorResponse>(API.FindCoordinator, version, { key: 'g', keyType: 0 });
    expect(res).toMatchObject({ errorCode: ErrorCode.NONE, nodeId: 1, host: '127.0.0.1', port: 19092 });
    // Kafka sends Errors.NONE.message() before v4.
    if (version >= 1) expect(res.errorMessage).toBe('NONE');
  });

  it.each([4, 5, 6])('v%i answers every key of a batch', async (version) => {
    const h = await groupHarness({ gateway: { advertisedHost: 'kafka.example', advertisedPort: 9999 } });
    const res = await h.call<FindCoordinatorResponse>(API.FindCoordinator, version, {
      keyType: 0,
      coordinatorKeys: ['a', 'b', 'c'],
    });
    expect(res.coordinators).toEqual(
      ['a', 'b', 'c'].map((key) => ({
        key,
        nodeId: 1,
        host: 'kafka.example',
        port: 9999,
        errorCode: ErrorCode.NONE,
        errorMessage: '',
      })),
    );
  });

  it('names the gateway as the coordinator of transactional ids, before and after batching', async () => {
    const h = await groupHarness();
    const old = await h.call<FindCoordinatorResponse>(API.FindCoordinator, 3, { key: 'tx', keyType: 1 });
    expect(old).toMatchObject({
      errorCode: ErrorCode.NONE,
      errorMessage: 'NONE',
      nodeId: 1,
      host: '127.0.0.1',
      port: 19092,
    });
    const batched = await h.call<FindCoordinatorResponse>(API.FindCoordinator, 4, {
      keyType: 1,
      coordinatorKeys: ['tx', 'ty'],
    });
    expect(batched.coordinators!.map((c) => [c.key, c.errorCode, c.nodeId])).toEqual([
      ['tx', ErrorCode.NONE, 1],
      ['ty', ErrorCode.NONE, 1],
    ]);
  });

  it('with --group-coordinator, names that gateway for transactional ids too', async () => {
    const h = await groupHarness({
      gateway: { groupCoordinator: { nodeId: 7, host: 'coord.example', port: 9093 } },
    });
    const res = await h.call<FindCoordinatorResponse>(API.FindCoordinator, 4, {
      keyType: 1,
      coordinatorKeys: ['tx'],
    });
    expect(res.coordinators![0]).toMatchObject({
      errorCode: ErrorCode.NONE,
      nodeId: 7,
      host: 'coord.example',
      port: 9093,
    });
  });

  it('with gateways sharing groups by lease, serves transactions only while no other gateway is live', async () => {
    const h = await groupHarness();
    const live = [{ nodeId: 1, host: '127.0.0.1', port: 19092 }];
    // Only what FindCoordinator asks of the slot manager for a transactional id.
    const slots = { gateways: () => live } as unknown as SlotManager;
    Object.assign(h.services, { coordinatorSlots: slots });
    const find = async (): Promise<FindCoordinatorResponse> =>
      h.call<FindCoordinatorResponse>(API.FindCoordinator, 4, { keyType: 1, coordinatorKeys: ['tx'] });
    expect((await find()).coordinators![0]).toMatchObject({ errorCode: ErrorCode.NONE, nodeId: 1 });
    live.push({ nodeId: 2, host: 'other.example', port: 9092 });
    expect((await find()).coordinators![0]).toMatchObject({
      errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
      nodeId: -1,
    });
  });

  it.each([
    [2, 2],
    [1, 7],
    [6, 2],
  ])('v%i with key type %i (no such coordinator) answers INVALID_REQUEST', async (version, keyType) => {
    const h = await groupHarness();
    const res = await h.call<FindCoordinatorResponse>(API.FindCoordinator, version, {
      key: 'k',
      keyType,
      coordinatorKeys: ['k'],
    });
    const answer = version >= 4 ? res.coordinators![0]! : res;
    expect(answer).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, nodeId: -1, host: '', port: -1 });
  });

  it('is advertised by ApiVersions with every group API at Kafka 3.9 ranges', async () => {
    const h = await groupHarness();
    const ranges = Object.fromEntries(
      h.services.supportedApis.map((a) => [a.apiKey, [a.minVersion, a.maxVersion]]),
    );
    expect(ranges).toMatchObject({
      8: [0, 9],
      9: [0, 9],
      10: [0, 6],
      11: [0, 9],
      12: [0, 4],
      13: [0, 5],
      14: [0, 5],
      15: [0, 5],
      16: [0, 5],
      42: [0, 2],
      47: [0, 0],
    });
  });
});

/** Rebuilding the groups from storage at start, as Kafka does when it becomes a group coordinator. */
import type { Ctx } from './context.js';
import { Group } from './group.js';
import { decodeGroup } from './group-codec.js';
import { fromCommitted } from './persistence.js';
import { prepareRebalance, scheduleHeartbeat } from './rebalance.js';
import { GROUPS_NAMESPACE, type GroupStore } from './store.js';
import { decodeTxnOffsets, TXN_OFFSETS_NAMESPACE } from './txn-offsets-codec.js';

/**
 * Reads every stored group (or those `include` accepts) and their offsets. Groups with members come back Stable with their
 * members, which must heartbeat within their session timeout or are expired (as after a coordinator
 * failover); groups with offsets but no metadata come back Empty.
 */
export async function loadGroups(
  ctx: Ctx,
  store: GroupStore,
  include: (groupId: string) => boolean = () => true,
): Promise<Map<string, Group>> {
  const now = ctx.clock.now();
  const [stored, offsetGroups, txnOffsets] = await Promise.all([
    store.kvList(GROUPS_NAMESPACE),
    store.listOffsetGroups(),
    store.kvList(TXN_OFFSETS_NAMESPACE),
  ]);
  const offsets = await Promise.all(
    offsetGroups.filter(include).map(async (id) => [id, await store.fetchOffsets(id)] as const),
  );

  const groups = new Map<string, Group>();
  for (const [groupId, bytes] of stored) {
    if (!include(groupId)) continue;
    try {
      groups.set(groupId, decodeGroup(groupId, bytes, now));
    } catch (err) {
      // One corrupt value must not keep every other group from loading.
      ctx.log.error({ err, groupId }, 'ignoring unreadable stored group metadata');
    }
  }
  for (const [groupId, committed] of offsets) {
    if (committed.length === 0) continue;
    let group = groups.get(groupId);
    if (group === undefined) {
      group = new Group(groupId, 'Empty', now);
      groups.set(groupId, group);
    }
    group.offsets.initialize(committed.map(fromCommitted));
  }
  // Offsets of transactions still open (or whose marker is yet to be written) stay pending.
  for (const [key, bytes] of txnOffsets) {
    try {
      const { groupId, producerId, entries } = decodeTxnOffsets(bytes);
      let group = groups.get(groupId);
      if (group === undefined) {
        group = new Group(groupId, 'Empty', now);
        groups.set(groupId, group);
      }
      group.offsets.stageTxn(producerId, entries);
    } catch (err) {
      ctx.log.error({ err, key }, 'ignoring unreadable stored transactional offsets');
    }
  }
  return groups;
}

/** Starts the timers of a freshly loaded group; call once it is in the coordinator's map. */
export function onGroupLoaded(ctx: Ctx, group: Group): void {
  if (group.size > ctx.config.maxSize) {
    prepareRebalance(ctx, group, `loaded group is over capacity (${ctx.config.maxSize})`);
  }
  for (const m of group.members.values()) scheduleHeartbeat(ctx, group, m);
}

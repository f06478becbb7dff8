/**
 * The gateways sharing one store, as each of them sees the others: every gateway keeps a lease on the
 * lock `gateway/<node id>` (owner `<node id>/<instance>`) and a small record in the store's key-value
 * space with its advertised address and the slots it holds. A record counts only while its lock is
 * held by the instance that wrote it, so a gateway that died drops out once its lease expires.
 */
import type { Storage } from '../storage/storage.js';
import type { LockService } from './lock-service.js';
import type { SlotKind } from './slots.js';

export const GATEWAYS_NAMESPACE = 'gateways';

export interface GatewayAddress {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
}

export interface GatewayRecord extends GatewayAddress {
  readonly instance: string;
  /** Slot counts the gateway runs with, by kind: gateways that disagree would split groups. */
  readonly slotCounts: Readonly<Record<SlotKind, number>>;
  /** Slots it holds a lease on, by kind. */
  readonly slots: Readonly<Record<SlotKind, readonly number[]>>;
  /** Of those, the ones it serves (loaded, and past the wait a fresh lease may need). */
  readonly serving?: Readonly<Record<SlotKind, readonly number[]>>;
}

export type RegistryStore = Pick<Storage, 'kvPut' | 'kvList'>;

export function gatewayLock(nodeId: number): string {
  return `gateway/${nodeId}`;
}

export function lockOwner(record: Pick<GatewayRecord, 'nodeId' | 'instance'>): string {
  return `${record.nodeId}/${record.instance}`;
}

export function decodeRecord(value: Buffer): GatewayRecord | undefined {
  try {
    const r = JSON.parse(value.toString('utf8')) as GatewayRecord;
    const valid =
      Number.isInteger(r.nodeId) &&
      typeof r.host === 'string' &&
      Number.isInteger(r.port) &&
      typeof r.instance === 'string' &&
      typeof r.slots === 'object' &&
      r.slots !== null;
    return valid ? r : undefined;
  } catch {
    return undefined;
  }
}

/** Every record, and those whose gateway still holds its lock (the live ones). */
export async function readRegistry(
  store: RegistryStore,
  locks: LockService,
): Promise<{ all: GatewayRecord[]; live: GatewayRecord[] }> {
  const all = [...(await store.kvList(GATEWAYS_NAMESPACE)).values()]
    .map(decodeRecord)
    .filter((r): r is GatewayRecord => r !== undefined);
  const owners = await Promise.all(all.map((r) => locks.owner(gatewayLock(r.nodeId))));
  const live = all.filter((r, i) => owners[i] === lockOwner(r)).sort((a, b) => a.nodeId - b.nodeId);
  return { all, live };
}

export async function writeRecord(store: RegistryStore, record: GatewayRecord): Promise<void> {
  await store.kvPut(GATEWAYS_NAMESPACE, String(record.nodeId), Buffer.from(JSON.stringify(record)));
}

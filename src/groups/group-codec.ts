import { Group } from './group.js';
import { EMPTY_BYTES, Member } from './member.js';

/**
 * Group metadata as persisted in the kv namespace "groups": the fields Kafka writes to its
 * GroupMetadataValue record, as JSON with base64 byte fields. Members keep only the metadata of the
 * selected protocol, so a member that rejoins with its full protocol list triggers a rebalance, as in Kafka.
 */
interface StoredMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  subscription: string;
  assignment: string;
}

interface StoredGroup {
  version: 1;
  protocolType: string;
  generationId: number;
  protocolName: string | null;
  leaderId: string | null;
  /** -1 when unknown */
  stateTimestamp: number;
  members: StoredMember[];
}

export function encodeGroup(group: Group, assignment: ReadonlyMap<string, Buffer>): Buffer {
  const protocol = group.protocolName;
  const members = [...group.members.values()].map((m): StoredMember => {
    if (protocol === undefined) throw new Error(`group ${group.groupId} has members but no protocol`);
    return {
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      rebalanceTimeoutMs: m.rebalanceTimeoutMs,
      sessionTimeoutMs: m.sessionTimeoutMs,
      subscription: m.metadata(protocol).toString('base64'),
      assignment: (assignment.get(m.memberId) ?? EMPTY_BYTES).toString('base64'),
    };
  });
  const value: StoredGroup = {
    version: 1,
    protocolType: group.protocolType ?? '',
    generationId: group.generationId,
    protocolName: protocol ?? null,
    leaderId: group.leaderId ?? null,
    stateTimestamp: group.stateTimestamp ?? -1,
    members,
  };
  return Buffer.from(JSON.stringify(value), 'utf8');
}

function str(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new Error(`stored group: ${what} is not a string`);
  return v;
}

function strOrNull(v: unknown, what: string): string | null {
  return v === null ? null : str(v, what);
}

function num(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`stored group: ${what} is not a number`);
  return v;
}

/** Rebuilds a loaded group: Stable when it has members, else Empty. Throws on a malformed value. */
export function decodeGroup(groupId: string, bytes: Buffer, now: number): Group {
  const raw = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  if (raw.version !== 1) throw new Error(`stored group ${groupId}: unknown version ${String(raw.version)}`);
  const protocolType = str(raw.protocolType, 'protocolType');
  const protocolName = strOrNull(raw.protocolName, 'protocolName');
  if (!Array.isArray(raw.members)) throw new Error(`stored group ${groupId}: members is not a list`);
  const members = (raw.members as Record<string, unknown>[]).map((m) => {
    if (protocolName === null) throw new Error(`stored group ${groupId}: members without a protocol`);
    const member = new Member(
      str(m.memberId, 'memberId'),
      strOrNull(m.groupInstanceId, 'groupInstanceId'),
      str(m.clientId, 'clientId'),
      str(m.clientHost, 'clientHost'),
      num(m.rebalanceTimeoutMs, 'rebalanceTimeoutMs'),
      num(m.sessionTimeoutMs, 'sessionTimeoutMs'),
      protocolType,
      [{ name: protocolName, metadata: Buffer.from(str(m.subscription, 'subscription'), 'base64') }],
    );
    member.assignment = Buffer.from(str(m.assignment, 'assignment'), 'base64');
    return member;
  });
  const group = new Group(groupId, members.length === 0 ? 'Empty' : 'Stable', now);
  group.generationId = num(raw.generationId, 'generationId');
  group.protocolType = protocolType === '' ? undefined : protocolType;
  group.protocolName = protocolName ?? undefined;
  group.leaderId = strOrNull(raw.leaderId, 'leaderId') ?? undefined;
  const ts = num(raw.stateTimestamp, 'stateTimestamp');
  group.stateTimestamp = ts === -1 ? undefined : ts;
  for (const m of members) group.add(m);
  group.subscribedTopics = group.computeSubscribedTopics();
  return group;
}

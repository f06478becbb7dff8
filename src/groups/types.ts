/**
 * The coordinator's API in domain terms. Handlers translate wire requests into these inputs and the
 * results back into responses; every Kafka error is an `errorCode` field (ErrorCode values), never a throw.
 */

/** State names exactly as Kafka spells them in DescribeGroups/ListGroups. */
export type GroupStateName = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export interface JoinGroupProtocol {
  readonly name: string;
  readonly metadata: Buffer;
}

export interface JoinGroupInput {
  readonly groupId: string;
  /** '' when the client has no member id yet. */
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly sessionTimeoutMs: number;
  /** JoinGroup v0 has none: pass the session timeout, as Kafka does. */
  readonly rebalanceTimeoutMs: number;
  readonly protocolType: string;
  /** In the member's order of preference. */
  readonly protocols: readonly JoinGroupProtocol[];
  readonly clientId: string;
  readonly clientHost: string;
  /** JoinGroup v4+: a dynamic member without id is first answered MEMBER_ID_REQUIRED. */
  readonly requireKnownMemberId: boolean;
  /** JoinGroup v9+: a restarted static leader is told to skip the assignment. */
  readonly supportSkippingAssignment: boolean;
  readonly reason: string | null;
}

export interface JoinGroupMember {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly metadata: Buffer;
}

export interface JoinGroupResult {
  readonly errorCode: number;
  readonly generationId: number;
  readonly protocolType: string | null;
  readonly protocolName: string | null;
  /** '' when there is none (error responses). */
  readonly leader: string;
  readonly skipAssignment: boolean;
  readonly memberId: string;
  /** Filled for the leader only. */
  readonly members: readonly JoinGroupMember[];
}

export interface SyncGroupAssignment {
  readonly memberId: string;
  readonly assignment: Buffer;
}

export interface SyncGroupInput {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  /** SyncGroup v5+; null when absent, then not checked. */
  readonly protocolType: string | null;
  /** SyncGroup v5+; null when absent, then not checked. */
  readonly protocolName: string | null;
  /** The leader's assignment; followers send none. */
  readonly assignments: readonly SyncGroupAssignment[];
}

export interface SyncGroupResult {
  readonly errorCode: number;
  readonly protocolType: string | null;
  readonly protocolName: string | null;
  readonly assignment: Buffer;
}

export interface HeartbeatInput {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
}

export interface HeartbeatResult {
  readonly errorCode: number;
}

export interface LeaveGroupMemberInput {
  /** '' to remove a static member by its instance id (admin removal). */
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly reason: string | null;
}

export interface LeaveGroupInput {
  readonly groupId: string;
  /** LeaveGroup v0-2 carry one member: pass it as a one-element list. */
  readonly members: readonly LeaveGroupMemberInput[];
}

export interface LeaveGroupMemberResult {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly errorCode: number;
}

export interface LeaveGroupResult {
  /** For v0-2 responses, use members[0].errorCode when this is NONE. */
  readonly errorCode: number;
  readonly members: readonly LeaveGroupMemberResult[];
}

export interface OffsetCommitPartitionInput {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  /** -1 when the client sent none. */
  readonly leaderEpoch: number;
  /** Kept as given: null and '' stay distinct. */
  readonly metadata: string | null;
  /** OffsetCommit v1 explicit commit time; -1 means now. */
  readonly commitTimestampMs: number;
}

export interface OffsetCommitInput {
  readonly groupId: string;
  /** '' for consumers that use assign(). */
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  /** -1 for consumers that use assign(). */
  readonly generationId: number;
  /** OffsetCommit v2-4 retention override; -1 means the broker default. */
  readonly retentionTimeMs: number;
  readonly partitions: readonly OffsetCommitPartitionInput[];
}

export interface PartitionError {
  readonly topic: string;
  readonly partition: number;
  readonly errorCode: number;
}

export interface OffsetFetchInput {
  readonly groupId: string;
  /** null: every partition the group has an offset for. */
  readonly partitions: readonly TopicPartition[] | null;
  readonly requireStable: boolean;
}

export interface OffsetFetchPartition {
  readonly topic: string;
  readonly partition: number;
  /** -1n when none is committed. */
  readonly offset: bigint;
  readonly leaderEpoch: number;
  readonly metadata: string | null;
  readonly errorCode: number;
}

export interface OffsetFetchResult {
  /** Group-level error (v8+ per group; older versions put it at the top level). */
  readonly errorCode: number;
  readonly partitions: readonly OffsetFetchPartition[];
}

export interface OffsetDeleteInput {
  readonly groupId: string;
  readonly partitions: readonly TopicPartition[];
}

export interface OffsetDeleteResult {
  /** When not NONE, partitions is empty. */
  readonly errorCode: number;
  readonly partitions: readonly PartitionError[];
}

export interface DescribedMember {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  /** Metadata for the selected protocol; empty unless the group is Stable. */
  readonly metadata: Buffer;
  /** Empty unless the group is Stable. */
  readonly assignment: Buffer;
}

export interface DescribedGroup {
  readonly groupId: string;
  readonly errorCode: number;
  /** '' when the coordinator could not look (loading, invalid id). */
  readonly state: GroupStateName | '';
  readonly protocolType: string;
  /** The selected protocol when Stable, else ''. */
  readonly protocolData: string;
  readonly members: readonly DescribedMember[];
}

export interface ListGroupsInput {
  /** Case-insensitive state names; empty or absent means all. */
  readonly statesFilter?: readonly string[] | null;
  /** Group types (ListGroups v5); empty or absent means all; only 'classic' groups exist here. */
  readonly typesFilter?: readonly string[] | null;
}

export interface ListedGroup {
  readonly groupId: string;
  readonly protocolType: string;
  readonly state: GroupStateName;
  readonly groupType: 'classic';
}

export interface ListGroupsResult {
  readonly errorCode: number;
  readonly groups: readonly ListedGroup[];
}

export interface DeleteGroupResult {
  readonly groupId: string;
  readonly errorCode: number;
}

/**
 * Kafka's AclOperation codes, as bit positions in the authorized-operations fields. With no
 * authorizer every operation that applies to a resource type is allowed.
 */
const enum Op {
  Read = 3,
  Write = 4,
  Create = 5,
  Delete = 6,
  Alter = 7,
  Describe = 8,
  ClusterAction = 9,
  DescribeConfigs = 10,
  AlterConfigs = 11,
  IdempotentWrite = 12,
}

function bits(ops: readonly Op[]): number {
  return ops.reduce((acc, op) => acc | (1 << op), 0);
}

/** Sent when the client did not ask for authorized operations. */
export const NO_AUTHORIZED_OPERATIONS = -2147483648;

export const TOPIC_OPERATIONS = bits([
  Op.Read,
  Op.Write,
  Op.Create,
  Op.Delete,
  Op.Alter,
  Op.Describe,
  Op.DescribeConfigs,
  Op.AlterConfigs,
]);

export const CLUSTER_OPERATIONS = bits([
  Op.Create,
  Op.Alter,
  Op.Describe,
  Op.ClusterAction,
  Op.DescribeConfigs,
  Op.AlterConfigs,
  Op.IdempotentWrite,
]);

export const GROUP_OPERATIONS = bits([Op.Read, Op.Delete, Op.Describe]);

/** The classic group coordinator's public surface: what handlers and the gateway wiring import. */
export { GroupCoordinator, type CoordinatorStatus, type GroupCoordinatorOptions } from './coordinator.js';
export { DEFAULT_GROUP_CONFIG, groupConfig, type GroupConfig } from './config.js';
export { CONSUMER_PROTOCOL_TYPE, parseSubscriptionTopics } from './consumer-protocol.js';
export { realTimers, systemClock } from './real-time.js';
export { GROUPS_NAMESPACE, type GroupStore } from './store.js';
export type { Cancel, Clock, Timers } from './time.js';
export type * from './types.js';
export type { TxnOffsetCommitInput } from './txn-offset-ops.js';

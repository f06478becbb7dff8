import type { Logger } from 'pino';
import type { GroupConfig } from './config.js';
import type { Group } from './group.js';
import type { GroupPersistence } from './persistence.js';
import type { Clock, Timers } from './time.js';

/** What the coordinator's operations share: its ports, its settings and the groups it holds. */
export interface Ctx {
  readonly config: GroupConfig;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly log: Logger;
  readonly groups: Map<string, Group>;
  readonly persistence: GroupPersistence;
  readonly newUuid: () => string;
}

/** Timers and storage callbacks may outlive a group (deleted, coordinator closed): they check this first. */
export function isLive(ctx: Ctx, group: Group): boolean {
  return !group.is('Dead') && ctx.groups.get(group.groupId) === group;
}

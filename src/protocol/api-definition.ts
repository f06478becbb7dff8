import type { MessageSchema, VersionRange } from './schema.js';

/** One Kafka API as its message definitions describe it. */
export interface ApiDefinition {
  readonly apiKey: number;
  readonly name: string;
  readonly validVersions: VersionRange;
  readonly deprecatedVersions: VersionRange | null;
  readonly latestVersionUnstable: boolean;
  readonly request: MessageSchema;
  readonly response: MessageSchema;
}

/**
 * The shape of the message descriptions written by scripts/generate-protocol.ts. Generated files
 * hold these as data plus TypeScript interfaces; codec.ts turns them into per-version plans.
 */

/** Inclusive version range; open-ended ranges end at MAX_VERSION. */
export type VersionRange = readonly [number, number];

export const MAX_VERSION = 0x7fff;

export type ScalarType =
  | 'bool'
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'float64'
  | 'string'
  | 'uuid'
  | 'bytes'
  | 'records';

export type DefaultValue = string | number | boolean | bigint | null;

export interface FieldSchema {
  /** The JavaScript property name (camelCase of Kafka's field name). */
  readonly name: string;
  readonly type: ScalarType | 'struct';
  readonly array?: boolean;
  readonly versions: VersionRange;
  readonly nullableVersions?: VersionRange;
  readonly taggedVersions?: VersionRange;
  readonly tag?: number;
  /** Overrides the message's flexible versions for this field; null means never flexible. */
  readonly flexibleVersions?: VersionRange | null;
  readonly default?: DefaultValue;
  readonly fields?: readonly FieldSchema[];
}

export interface MessageSchema {
  readonly name: string;
  readonly apiKey: number;
  readonly validVersions: VersionRange;
  /** null when no version is flexible. */
  readonly flexibleVersions: VersionRange | null;
  readonly fields: readonly FieldSchema[];
}

export function inRange(range: VersionRange | null | undefined, version: number): boolean {
  return range != null && version >= range[0] && version <= range[1];
}

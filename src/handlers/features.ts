/**
 * Feature flags as a Kafka 3.9 broker in KRaft mode reports them in ApiVersions (what
 * `kafka-features describe` shows): the gateway serves the 3.9 protocol, so it reports 3.9's
 * metadata.version range and finalizes its newest level, 3.9-IV0 (21). Features never change at run
 * time, so their epoch stays the same.
 */
export interface SupportedFeature {
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
}

export const SUPPORTED_FEATURES: readonly SupportedFeature[] = [
  { name: 'kraft.version', minVersion: 0, maxVersion: 1 },
  { name: 'metadata.version', minVersion: 1, maxVersion: 21 },
];

/** Features at a level above 0 (a feature not listed is at level 0). */
export const FINALIZED_FEATURES: readonly { name: string; level: number }[] = [
  { name: 'metadata.version', level: 21 },
];

export const FINALIZED_FEATURES_EPOCH = 1n;

/**
 * Clients before ApiVersions v4 refuse a supported feature whose minimum is 0, so Kafka leaves
 * those out of older versions' answers (KAFKA-17011).
 */
export function supportedFeatures(
  apiVersion: number,
): { name: string; minVersion: number; maxVersion: number }[] {
  return SUPPORTED_FEATURES.filter((f) => apiVersion >= 4 || f.minVersion > 0).map((f) => ({ ...f }));
}

/** File names in a partition directory, as Kafka names them: the segment's base offset, 20 digits. */

export const LOG_SUFFIX = '.log';
export const INDEX_SUFFIX = '.index';
export const TIME_INDEX_SUFFIX = '.timeindex';
/** A segment being written by the cleaner; removed on recovery. */
export const CLEANED_SUFFIX = '.cleaned';
/** A cleaned segment ready to replace the segments it covers; recovery completes the swap. */
export const SWAP_SUFFIX = '.swap';

export function baseName(baseOffset: bigint): string {
  return baseOffset.toString().padStart(20, '0');
}

export function segmentFile(baseOffset: bigint): string {
  return `${baseName(baseOffset)}${LOG_SUFFIX}`;
}

/** The base offset named by `file` when it ends with `suffix`, else undefined. */
export function parseBase(file: string, suffix: string): bigint | undefined {
  if (!file.endsWith(suffix)) return undefined;
  const digits = file.slice(0, -suffix.length);
  return /^\d{20}$/.test(digits) ? BigInt(digits) : undefined;
}

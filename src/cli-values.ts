import { InvalidArgumentError, Option } from 'commander';

/** Parses a whole number within [min, max]. */
export function integer(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}, got "${value}"`);
    }
    return n;
  };
}

const LONG_MAX = 2n ** 63n - 1n;

/** Parses a whole number within [min, 2^63-1] as a bigint (Kafka's long configs). */
export function long(min: bigint) {
  return (value: string): bigint => {
    const v = value.trim();
    const n = /^-?\d+$/.test(v) ? BigInt(v) : undefined;
    if (n === undefined || n < min || n > LONG_MAX) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${LONG_MAX}, got "${value}"`);
    }
    return n;
  };
}

export function boolean(value: string): boolean {
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  throw new InvalidArgumentError(`expected true or false, got "${value}"`);
}

/** A flag whose environment variable is KAFKA_GATEWAY_<env>. */
export function option(flags: string, description: string, env: string): Option {
  return new Option(flags, description).env(`KAFKA_GATEWAY_${env}`);
}

/** A comma-separated list (empty items dropped). */
export function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

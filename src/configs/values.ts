/**
 * Parsing and checking config values the way Kafka's ConfigDef does, so that a bad value gets the
 * error message a Kafka 3.9 broker gives ("Invalid value abc for configuration retention.ms: Not a
 * number of type LONG"), and so that every accepted value is stored in one canonical string form.
 */
import { ErrorCode, KafkaError } from '../protocol/error-codes.js';
import type { ConfigDefinition, ConfigTypeValue, ParsedValue, Validator } from './types.js';
import { ConfigType } from './types.js';

const TYPE_NAMES: Record<ConfigTypeValue, string> = {
  0: 'UNKNOWN',
  1: 'BOOLEAN',
  2: 'STRING',
  3: 'INT',
  4: 'SHORT',
  5: 'LONG',
  6: 'DOUBLE',
  7: 'LIST',
  8: 'CLASS',
  9: 'PASSWORD',
};

const INTEGER = /^[+-]?\d+$/;
// What Java's Double.parseDouble accepts, less hexadecimal floating point.
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[dDfF]?$/;
const INT_RANGE: Record<number, readonly [bigint, bigint]> = {
  [ConfigType.SHORT]: [-(2n ** 15n), 2n ** 15n - 1n],
  [ConfigType.INT]: [-(2n ** 31n), 2n ** 31n - 1n],
  [ConfigType.LONG]: [-(2n ** 63n), 2n ** 63n - 1n],
};

export function invalidValue(name: string, value: string, why: string): KafkaError {
  return new KafkaError(ErrorCode.INVALID_CONFIG, `Invalid value ${value} for configuration ${name}: ${why}`);
}

/** The value in its type, or a KafkaError(INVALID_CONFIG) saying why it cannot be parsed. */
export function parseValue(def: ConfigDefinition, raw: string): ParsedValue {
  const trimmed = raw.trim();
  switch (def.type) {
    case ConfigType.BOOLEAN: {
      const lower = trimmed.toLowerCase();
      if (lower === 'true' || lower === 'false') return lower === 'true';
      throw invalidValue(def.name, raw, 'Expected value to be either true or false');
    }
    case ConfigType.SHORT:
    case ConfigType.INT:
    case ConfigType.LONG: {
      const [lo, hi] = INT_RANGE[def.type]!;
      const n = INTEGER.test(trimmed) ? BigInt(trimmed) : undefined;
      if (n === undefined || n < lo || n > hi) {
        throw invalidValue(def.name, raw, `Not a number of type ${TYPE_NAMES[def.type]}`);
      }
      return n;
    }
    case ConfigType.DOUBLE: {
      const n = DECIMAL.test(trimmed) ? Number(trimmed.replace(/[dDfF]$/, '')) : Number.NaN;
      if (Number.isNaN(n)) throw invalidValue(def.name, raw, 'Not a number of type DOUBLE');
      return n;
    }
    case ConfigType.LIST:
      return trimmed === '' ? [] : trimmed.split(/\s*,\s*/);
    default:
      return trimmed;
  }
}

/** The canonical string of a parsed value (what we store and report). */
export function formatValue(type: ConfigTypeValue, value: ParsedValue): string {
  if (Array.isArray(value)) return value.join(',');
  if (type === ConfigType.DOUBLE && typeof value === 'number' && Number.isInteger(value)) {
    return value.toFixed(1);
  }
  return String(value);
}

/** Parses, validates and canonicalises one value; throws KafkaError(INVALID_CONFIG). */
export function checkValue(def: ConfigDefinition, raw: string): string {
  const parsed = parseValue(def, raw);
  const problem = def.validator?.(parsed);
  if (problem !== undefined) {
    // Kafka reports the parsed value here (a list in brackets, a double with its decimals).
    const shown = Array.isArray(parsed) ? `[${parsed.join(', ')}]` : formatValue(def.type, parsed);
    throw invalidValue(def.name, shown, problem);
  }
  return formatValue(def.type, parsed);
}

// ---- validators ----

function numeric(value: ParsedValue): number | bigint {
  if (typeof value === 'number' || typeof value === 'bigint') return value;
  throw new Error(`range validator applied to a ${typeof value}`);
}

export function atLeast(min: number | bigint): Validator {
  return (value) => (numeric(value) < min ? `Value must be at least ${min}` : undefined);
}

export function between(min: number, max: number): Validator {
  return (value) => {
    const n = numeric(value);
    if (n < min) return `Value must be at least ${min}`;
    if (n > max) return `Value must be no more than ${max}`;
    return undefined;
  };
}

/** One of a fixed set of strings (case-sensitive, as Kafka's ValidString). */
export function oneOf(...allowed: string[]): Validator {
  return (value) =>
    typeof value === 'string' && allowed.includes(value)
      ? undefined
      : `String must be one of: ${allowed.join(', ')}`;
}

/**
 * A list whose every item is one of `allowed`. Kafka names the first bad item as the value, so this
 * validator throws the full error itself rather than returning a reason.
 */
export function listOf(name: string, ...allowed: string[]): Validator {
  return (value) => {
    for (const item of value as readonly string[]) {
      if (!allowed.includes(item)) {
        throw invalidValue(name, item, `String must be one of: ${allowed.join(', ')}`);
      }
    }
    return undefined;
  };
}

/** gzip levels: 1 to 9, or -1 for the codec's default. */
export const gzipLevel: Validator = (value) => {
  const n = numeric(value);
  return n === -1n || (n >= 1n && n <= 9n) ? undefined : 'Value must be between 1 and 9 or equal to -1';
};

/** Throttled replica lists: "*" or partition:broker pairs. */
export function throttledReplicas(name: string): Validator {
  return (value) => {
    const items = value as readonly string[];
    const ok =
      (items.length === 1 && items[0] === '*') || items.every((item) => /^\d+:\d+$/.test(item.trim()));
    return ok
      ? undefined
      : `${name} must be the literal '*' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],...`;
  };
}

/** The record format versions Kafka 3.9 still parses for the deprecated message.format.version. */
const MESSAGE_FORMAT_VERSIONS = new Set([
  '0.8.0',
  '0.8.1',
  '0.8.2',
  '0.9.0',
  '0.10.0',
  '0.10.1',
  '0.10.2',
  '0.11.0',
  '1.0',
  '1.1',
  '2.0',
  '2.1',
  '2.2',
  '2.3',
  '2.4',
  '2.5',
  '2.6',
  '2.7',
  '2.8',
  '3.0',
  '3.1',
  '3.2',
  '3.3',
  '3.4',
  '3.5',
  '3.6',
  '3.7',
  '3.8',
  '3.9',
]);

export const messageFormatVersion: Validator = (value) => {
  const v = String(value);
  const base = v.replace(/-IV\d+$/, '');
  return MESSAGE_FORMAT_VERSIONS.has(base) ? undefined : `Version ${v} is not a valid version`;
};

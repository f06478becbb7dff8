/**
 * The new config set of a topic after AlterConfigs (replace everything) or IncrementalAlterConfigs
 * (SET, DELETE, APPEND, SUBTRACT one key at a time), checked as Kafka checks them. The result still
 * goes through ConfigRegistry.normalizeTopicConfigs before it is stored.
 */
import { ErrorCode, KafkaError } from '../protocol/error-codes.js';
import type { TopicConfigs } from '../storage/storage.js';
import type { ConfigRegistry } from './registry.js';
import { AlterOp, ConfigType } from './types.js';

export interface ConfigChange {
  readonly name: string;
  readonly value: string | null;
}

export interface IncrementalChange extends ConfigChange {
  readonly op: number;
}

const OP_NAMES: Record<number, string> = { 0: 'SET', 1: 'DELETE', 2: 'APPEND', 3: 'SUBTRACT' };

function rejectDuplicates(changes: readonly ConfigChange[]): void {
  const names = new Set(changes.map((c) => c.name));
  if (names.size !== changes.length) {
    throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Error due to duplicate config keys');
  }
}

function nullValue(name: string): KafkaError {
  return new KafkaError(ErrorCode.INVALID_REQUEST, `Null value not supported for : ${name}`);
}

/** AlterConfigs: the given configs become the topic's whole set. */
export function replaceConfigs(changes: readonly ConfigChange[]): TopicConfigs {
  rejectDuplicates(changes);
  const out: TopicConfigs = {};
  for (const c of changes) {
    if (c.value === null) throw nullValue(c.name);
    out[c.name] = c.value;
  }
  return out;
}

/** IncrementalAlterConfigs: applies each operation to the topic's current overrides. */
export function applyIncremental(
  current: TopicConfigs,
  changes: readonly IncrementalChange[],
  registry: ConfigRegistry,
): TopicConfigs {
  rejectDuplicates(changes);
  const out: TopicConfigs = { ...current };
  for (const c of changes) {
    const opName = OP_NAMES[c.op];
    if (opName === undefined) {
      throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unknown config operation ${c.op} for ${c.name}`);
    }
    if (c.op === AlterOp.DELETE) {
      delete out[c.name];
      continue;
    }
    if (c.value === null) throw nullValue(c.name);
    if (c.op === AlterOp.SET) {
      out[c.name] = c.value;
      continue;
    }
    const def = registry.topicDefinition(c.name);
    if (def === undefined) {
      throw new KafkaError(ErrorCode.INVALID_CONFIG, `Unknown topic config name: ${c.name}`);
    }
    if (def.type !== ConfigType.LIST) {
      throw new KafkaError(
        ErrorCode.INVALID_CONFIG,
        `Can't ${opName} to key ${c.name} because its type is not LIST.`,
      );
    }
    // Lists start from the value in effect (the default when the topic has none of its own).
    const items = splitList(registry.topicValue(out, c.name) ?? '');
    const given = splitList(c.value);
    const next =
      c.op === AlterOp.APPEND
        ? [...items, ...given.filter((v) => !items.includes(v))]
        : items.filter((v) => !given.includes(v));
    out[c.name] = next.join(',');
  }
  return out;
}

function splitList(value: string): string[] {
  const trimmed = value.trim();
  return trimmed === '' ? [] : trimmed.split(/\s*,\s*/);
}

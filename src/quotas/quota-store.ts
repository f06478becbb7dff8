/**
 * The client quotas set with AlterClientQuotas: held in memory, persisted in the store's key-value
 * metadata (one entry per entity), loaded at start. DescribeClientQuotas filters are matched as
 * Kafka 3.9 matches them.
 */
import { ErrorCode, KafkaError } from '../protocol/error-codes.js';
import type { Storage } from '../storage/storage.js';
import type { EntityType, QuotaEntity, QuotaValues } from './entity.js';
import {
  CLIENT_ID,
  entityFromKey,
  entityKey,
  entityText,
  IP,
  USER,
  validateEntity,
  validateValue,
} from './entity.js';

const KV_NAMESPACE = 'client-quotas';

export interface QuotaOp {
  readonly key: string;
  readonly value: number;
  readonly remove: boolean;
}

export interface Alteration {
  readonly entity: QuotaEntity;
  readonly ops: readonly QuotaOp[];
}

export interface AlterOutcome {
  readonly entity: QuotaEntity;
  readonly error: KafkaError | undefined;
}

export const MATCH_EXACT = 0;
export const MATCH_DEFAULT = 1;
export const MATCH_SPECIFIED = 2;

export interface FilterComponent {
  readonly entityType: string;
  readonly matchType: number;
  readonly match: string | null;
}

function invalid(message: string): KafkaError {
  return new KafkaError(ErrorCode.INVALID_REQUEST, message);
}

export class QuotaStore {
  private readonly entries = new Map<string, QuotaValues>();
  private readonly listeners: (() => void)[] = [];

  constructor(private readonly storage: Storage) {}

  async load(): Promise<void> {
    const stored = await this.storage.kvList(KV_NAMESPACE);
    this.entries.clear();
    for (const [key, value] of stored)
      this.entries.set(key, JSON.parse(value.toString('utf8')) as QuotaValues);
    this.changed();
  }

  /** Called after every change, so enforcement picks up new limits at once. */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  get size(): number {
    return this.entries.size;
  }

  all(): [QuotaEntity, QuotaValues][] {
    return [...this.entries].map(([k, v]) => [entityFromKey(k), v]);
  }

  /**
   * Applies each alteration (all checked before any is stored). Results come one per distinct
   * entity: an entity named twice, or given one key twice, is refused as Kafka refuses it.
   */
  async alter(alterations: readonly Alteration[], validateOnly: boolean): Promise<AlterOutcome[]> {
    const results = new Map<string, AlterOutcome>();
    const accepted = new Map<string, Map<string, number | null>>();
    for (const { entity, ops } of alterations) {
      const key = entityKey(entity);
      const changes = new Map<string, number | null>();
      let duplicateKey = false;
      for (const op of ops) {
        if (changes.has(op.key)) duplicateKey = true;
        changes.set(op.key, op.remove ? null : op.value);
      }
      if (results.has(key) || duplicateKey) {
        accepted.delete(key);
        results.set(key, { entity, error: invalid(`Ignoring duplicate entity ${entityText(entity)}`) });
        continue;
      }
      try {
        const keys = validateEntity(entity);
        for (const [k, v] of changes) if (v !== null && !keys.has(k)) validateValue(keys, k, v);
        for (const [k, v] of changes) if (v !== null) validateValue(keys, k, v);
        accepted.set(key, changes);
        results.set(key, { entity, error: undefined });
      } catch (err) {
        if (!(err instanceof KafkaError)) throw err;
        results.set(key, { entity, error: err });
      }
    }
    if (!validateOnly) {
      for (const [key, changes] of accepted) await this.apply(key, changes);
      if (accepted.size > 0) this.changed();
    }
    return [...results.values()];
  }

  private async apply(key: string, changes: Map<string, number | null>): Promise<void> {
    const values: QuotaValues = { ...this.entries.get(key) };
    for (const [k, v] of changes) {
      if (v === null) delete values[k];
      else values[k] = v;
    }
    if (Object.keys(values).length === 0) {
      await this.storage.kvDelete(KV_NAMESPACE, key);
      this.entries.delete(key);
    } else {
      await this.storage.kvPut(KV_NAMESPACE, key, Buffer.from(JSON.stringify(values)));
      this.entries.set(key, values);
    }
  }

  /** DescribeClientQuotas: the entries matching the filter; throws KafkaError for a bad filter. */
  describe(components: readonly FilterComponent[], strict: boolean): [QuotaEntity, QuotaValues][] {
    const exact = new Map<EntityType, string | null>();
    const typed = new Set<EntityType>();
    for (const c of components) {
      if (c.entityType === '') throw invalid('Invalid empty entity type.');
      const type = c.entityType as EntityType;
      if (exact.has(type) || typed.has(type)) {
        throw invalid(`Entity type ${c.entityType} cannot appear more than once in the filter.`);
      }
      if (type !== USER && type !== CLIENT_ID && type !== IP) {
        throw new KafkaError(ErrorCode.UNSUPPORTED_VERSION, `Unsupported entity type ${c.entityType}`);
      }
      if (c.matchType === MATCH_EXACT) {
        if (c.match === null)
          throw invalid('Request specified MATCH_TYPE_EXACT, but set match string to null.');
        exact.set(type, c.match);
      } else if (c.matchType === MATCH_DEFAULT) {
        if (c.match !== null) {
          throw invalid('Request specified MATCH_TYPE_DEFAULT, but also specified a match string.');
        }
        exact.set(type, null);
      } else if (c.matchType === MATCH_SPECIFIED) {
        if (c.match !== null) {
          throw invalid('Request specified MATCH_TYPE_SPECIFIED, but also specified a match string.');
        }
        typed.add(type);
      } else {
        throw invalid(`Unknown match type ${c.matchType}`);
      }
    }
    const named = (t: EntityType) => exact.has(t) || typed.has(t);
    if (named(IP) && (named(USER) || named(CLIENT_ID))) {
      throw invalid(
        'Invalid entity filter component combination. IP filter component should not be used with user or clientId filter component.',
      );
    }
    if (components.length === 0 && strict) return [];
    return this.all()
      .filter(([entity]) => {
        for (const [t, name] of exact) if (!(t in entity) || entity[t] !== name) return false;
        for (const t of typed) if (!(t in entity)) return false;
        return !strict || Object.keys(entity).length === components.length;
      })
      .sort(([a], [b]) => (entityKey(a) < entityKey(b) ? -1 : 1));
  }
}

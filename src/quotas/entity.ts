/**
 * Client quota entities and values as Kafka 3.9's AlterClientQuotas and DescribeClientQuotas see
 * them: an entity maps entity types (user, client-id, ip) to a name, null meaning that type's
 * default; the keys each kind of entity takes and the checks on their values, with Kafka's messages.
 */
import { isIP } from 'node:net';
import { ErrorCode, KafkaError } from '../protocol/error-codes.js';

export const USER = 'user';
export const CLIENT_ID = 'client-id';
export const IP = 'ip';
export type EntityType = typeof USER | typeof CLIENT_ID | typeof IP;

/** Entity type to name; null is the default entity of that type. */
export type QuotaEntity = Partial<Record<EntityType, string | null>>;
export type QuotaValues = Record<string, number>;

/** Java HashMap order of these keys, which is the order Kafka lists an entity's parts in. */
const ORDER: readonly EntityType[] = [CLIENT_ID, USER, IP];

export const PRODUCER_BYTE_RATE = 'producer_byte_rate';
export const CONSUMER_BYTE_RATE = 'consumer_byte_rate';
export const REQUEST_PERCENTAGE = 'request_percentage';
export const CONTROLLER_MUTATION_RATE = 'controller_mutation_rate';
export const CONNECTION_CREATION_RATE = 'connection_creation_rate';

type ValueType = 'long' | 'int' | 'double';

const CLIENT_KEYS = new Map<string, ValueType>([
  [PRODUCER_BYTE_RATE, 'long'],
  [CONSUMER_BYTE_RATE, 'long'],
  [REQUEST_PERCENTAGE, 'double'],
  [CONTROLLER_MUTATION_RATE, 'double'],
]);
const IP_KEYS = new Map<string, ValueType>([[CONNECTION_CREATION_RATE, 'int']]);

function invalid(message: string): KafkaError {
  return new KafkaError(ErrorCode.INVALID_REQUEST, message);
}

/** The entity's parts in Kafka's order (types the gateway does not know, from a request, last). */
export function entityParts(entity: QuotaEntity): { entityType: EntityType; entityName: string | null }[] {
  const types = Object.keys(entity) as EntityType[];
  const known = ORDER.filter((t) => t in entity);
  const unknown = types.filter((t) => !ORDER.includes(t)).sort();
  return [...known, ...unknown].map((t) => ({ entityType: t, entityName: entity[t] ?? null }));
}

/** One string per entity, the same for the same parts whatever their order. */
export function entityKey(entity: QuotaEntity): string {
  return JSON.stringify(entityParts(entity).map((p) => [p.entityType, p.entityName]));
}

export function entityFromKey(key: string): QuotaEntity {
  const entity: QuotaEntity = {};
  for (const [type, name] of JSON.parse(key) as [EntityType, string | null][]) entity[type] = name;
  return entity;
}

/** As Java prints a ClientQuotaEntity, for Kafka's messages. */
export function entityText(entity: QuotaEntity): string {
  const parts = entityParts(entity).map((p) => `${p.entityType}=${p.entityName ?? 'null'}`);
  return `ClientQuotaEntity(entries={${parts.join(', ')}})`;
}

/**
 * The entity of a request: its parts as a map (a type given twice keeps the last name, as Kafka's
 * map does). Types are not checked here: validateEntity does that.
 */
export function entityOf(parts: readonly { entityType: string; entityName: string | null }[]): QuotaEntity {
  const entity: Record<string, string | null> = {};
  for (const p of parts) entity[p.entityType] = p.entityName;
  return entity as QuotaEntity;
}

/** Kafka takes an IP entity's name if the JVM resolves it; the gateway takes literals and host names. */
function validHost(name: string): boolean {
  return (
    isIP(name) !== 0 ||
    /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(name)
  );
}

/** The keys this entity takes; throws INVALID_REQUEST with Kafka's message when it is not valid. */
export function validateEntity(entity: QuotaEntity): ReadonlyMap<string, ValueType> {
  const types = Object.keys(entity);
  if (types.length === 0) throw invalid('Invalid empty client quota entity');
  for (const t of types) {
    if (t !== USER && t !== CLIENT_ID && t !== IP) throw invalid(`Unhandled client quota entity type: ${t}`);
    if (entity[t] === '') throw invalid(`Empty ${t} not supported`);
  }
  if (IP in entity) {
    if (types.length > 1) {
      throw invalid(
        'Invalid quota entity combination, IP entity shouldnot be combined with User or ClientId',
      );
    }
    const name = entity[IP];
    if (name !== null && name !== undefined && !validHost(name)) {
      throw invalid(`${name} is not a valid IP or resolvable host.`);
    }
    return IP_KEYS;
  }
  return CLIENT_KEYS;
}

const LIMITS: Record<Exclude<ValueType, 'double'>, { max: number; name: string }> = {
  long: { max: 2 ** 63 - 1, name: 'a LONG' },
  int: { max: 2 ** 31 - 1, name: 'an INT' },
};

/** Checks a value being set; throws INVALID_REQUEST with Kafka's message. */
export function validateValue(keys: ReadonlyMap<string, ValueType>, key: string, value: number): void {
  const type = keys.get(key);
  if (type === undefined) throw invalid(`Invalid configuration key ${key}`);
  if (type !== 'double') {
    if (Math.abs(value - Math.round(value)) > 1e-6) throw invalid(`${key} cannot be a fractional value.`);
    if (value > LIMITS[type].max)
      throw invalid(`Proposed value for ${key} is too large for ${LIMITS[type].name}.`);
  }
  if (!(value > 0)) throw invalid(`Quota ${key} must be greater than 0`);
}

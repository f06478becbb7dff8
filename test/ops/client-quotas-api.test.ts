import { beforeEach, describe, expect, it } from 'vitest';
import type {
  AlterClientQuotasResponse,
  DescribeClientQuotasResponse,
} from '../../src/protocol/generated/index.js';
import { QuotaStore } from '../../src/quotas/quota-store.js';
import type { Harness } from '../server/support/harness.js';
import { createHarness } from '../server/support/harness.js';

// Expected answers and messages are Kafka 3.9.2's to the same requests (scripts/kafka-reference);
// Kafka lists entries in hash-map order, so entries are compared as sets.

type Part = { entityType: string; entityName: string | null };
const user = (n: string | null): Part => ({ entityType: 'user', entityName: n });
const client = (n: string | null): Part => ({ entityType: 'client-id', entityName: n });
const ip = (n: string | null): Part => ({ entityType: 'ip', entityName: n });
const set = (key: string, value: number) => ({ key, value, remove: false });

function sorted<T>(items: readonly T[] | null): T[] {
  return [...(items ?? [])].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}

describe('DescribeClientQuotas and AlterClientQuotas', () => {
  let h: Harness;
  const alter = (entries: object[], validateOnly = false, v = 1) =>
    h.call<AlterClientQuotasResponse>(49, v, { entries, validateOnly });
  const describeQ = (components: object[], strict: boolean, v = 1) =>
    h.call<DescribeClientQuotasResponse>(48, v, { components, strict });

  beforeEach(async () => {
    h = createHarness();
    const r = await alter([
      { entity: [user('alice')], ops: [set('producer_byte_rate', 1024)] },
      { entity: [client(null)], ops: [set('request_percentage', 50.5)] },
      { entity: [user('alice'), client('app1')], ops: [set('producer_byte_rate', 100)] },
      { entity: [ip('1.2.3.4')], ops: [set('connection_creation_rate', 10)] },
      { entity: [client(null), user(null)], ops: [set('producer_byte_rate', 10)] },
      { entity: [user(null)], ops: [set('consumer_byte_rate', 20)] },
      { entity: [client('app1')], ops: [set('request_percentage', 12.5)] },
    ]);
    expect(r.entries.every((e) => e.errorCode === 0 && e.errorMessage === null)).toBe(true);
  });

  it('describes with exact, default and any-name filters, strict or not, as Kafka matches them', async () => {
    const entities = async (components: object[], strict: boolean) => {
      const r = await describeQ(components, strict);
      expect([r.errorCode, r.errorMessage]).toEqual([0, '']);
      return sorted(r.entries!.map((e) => e.entity));
    };
    expect(await entities([], false)).toHaveLength(7);
    expect(await entities([], true)).toEqual([]);
    const exactAlice = { entityType: 'user', matchType: 0, match: 'alice' };
    expect(await entities([exactAlice], false)).toEqual(
      sorted([[user('alice')], [client('app1'), user('alice')]]),
    );
    expect(await entities([exactAlice], true)).toEqual([[user('alice')]]);
    const defaultUser = { entityType: 'user', matchType: 1, match: null };
    expect(await entities([defaultUser], false)).toEqual(sorted([[user(null)], [client(null), user(null)]]));
    expect(await entities([defaultUser], true)).toEqual([[user(null)]]);
    // SPECIFIED matches any name of the type, the default one included (as 3.9 does).
    const anyUser = { entityType: 'user', matchType: 2, match: null };
    const anyClient = { entityType: 'client-id', matchType: 2, match: null };
    expect(await entities([anyUser], true)).toEqual(sorted([[user('alice')], [user(null)]]));
    expect(await entities([anyUser, anyClient], true)).toEqual(
      sorted([
        [client('app1'), user('alice')],
        [client(null), user(null)],
      ]),
    );
    expect(await entities([{ entityType: 'ip', matchType: 2, match: null }], false)).toEqual([
      [ip('1.2.3.4')],
    ]);
    const alice = await describeQ([exactAlice], true, 0);
    expect(alice.entries).toEqual([
      { entity: [user('alice')], values: [{ key: 'producer_byte_rate', value: 1024 }] },
    ]);
  });

  it('refuses bad filters with Kafka 3.9 codes and messages', async () => {
    const cases: [object[], number, string][] = [
      [
        [{ entityType: 'user', matchType: 0, match: null }],
        42,
        'Request specified MATCH_TYPE_EXACT, but set match string to null.',
      ],
      [
        [{ entityType: 'user', matchType: 1, match: 'x' }],
        42,
        'Request specified MATCH_TYPE_DEFAULT, but also specified a match string.',
      ],
      [
        [{ entityType: 'user', matchType: 2, match: 'x' }],
        42,
        'Request specified MATCH_TYPE_SPECIFIED, but also specified a match string.',
      ],
      [[{ entityType: 'user', matchType: 7, match: null }], 42, 'Unknown match type 7'],
      [[{ entityType: 'group', matchType: 2, match: null }], 35, 'Unsupported entity type group'],
      [[{ entityType: '', matchType: 2, match: null }], 42, 'Invalid empty entity type.'],
      [
        [
          { entityType: 'user', matchType: 2, match: null },
          { entityType: 'user', matchType: 2, match: null },
        ],
        42,
        'Entity type user cannot appear more than once in the filter.',
      ],
      [
        [
          { entityType: 'ip', matchType: 2, match: null },
          { entityType: 'user', matchType: 2, match: null },
        ],
        42,
        'Invalid entity filter component combination. IP filter component should not be used with user or clientId filter component.',
      ],
    ];
    for (const [components, errorCode, errorMessage] of cases) {
      expect(await describeQ(components, true)).toEqual({
        throttleTimeMs: 0,
        errorCode,
        errorMessage,
        entries: null,
      });
    }
  });

  it('validates alterations as Kafka does, and stores nothing that was refused or only validated', async () => {
    const one = async (entity: Part[], ops: object[]) => {
      const r = await alter([{ entity, ops }], true, 0);
      return r.entries[0]!.errorMessage;
    };
    const c = [client('c')];
    expect(await one(c, [set('request_percentage', 0)])).toBe(
      'Quota request_percentage must be greater than 0',
    );
    expect(await one(c, [set('request_percentage', -0.5)])).toBe(
      'Quota request_percentage must be greater than 0',
    );
    expect(await one(c, [set('request_percentage', 1e300)])).toBeNull();
    expect(await one(c, [set('producer_byte_rate', 0)])).toBe(
      'Quota producer_byte_rate must be greater than 0',
    );
    expect(await one(c, [set('producer_byte_rate', 1e30)])).toBe(
      'Proposed value for producer_byte_rate is too large for a LONG.',
    );
    expect(await one(c, [set('consumer_byte_rate', 1.5)])).toBe(
      'consumer_byte_rate cannot be a fractional value.',
    );
    expect(await one([ip(null)], [set('producer_byte_rate', 1)])).toBe(
      'Invalid configuration key producer_byte_rate',
    );
    expect(await one([ip(null)], [set('connection_creation_rate', 3e9)])).toBe(
      'Proposed value for connection_creation_rate is too large for an INT.',
    );
    expect(await one([ip('not a host!')], [set('connection_creation_rate', 1)])).toBe(
      'not a host! is not a valid IP or resolvable host.',
    );
    expect(await one([ip('::1')], [set('connection_creation_rate', 3)])).toBeNull();
    expect(await one([user('u'), ip('1.2.3.4')], [set('producer_byte_rate', 1)])).toBe(
      'Invalid quota entity combination, IP entity shouldnot be combined with User or ClientId',
    );
    expect(await one([{ entityType: 'group', entityName: 'g' }], [set('producer_byte_rate', 1)])).toBe(
      'Unhandled client quota entity type: group',
    );
    expect(await one([user('')], [set('producer_byte_rate', 1)])).toBe('Empty user not supported');
    expect(await one([], [set('producer_byte_rate', 1)])).toBe('Invalid empty client quota entity');
    expect(await one([user('u')], [set('foo', 1), set('producer_byte_rate', 0.5)])).toBe(
      'Invalid configuration key foo',
    );
    expect(
      await one([user('u'), client('c')], [set('producer_byte_rate', 1), set('producer_byte_rate', 2)]),
    ).toBe('Ignoring duplicate entity ClientQuotaEntity(entries={client-id=c, user=u})');
    const dup = await alter(
      [
        { entity: [user('dup')], ops: [set('producer_byte_rate', 1)] },
        { entity: [user('dup')], ops: [set('producer_byte_rate', 2)] },
      ],
      false,
    );
    expect(dup.entries).toEqual([
      {
        errorCode: 42,
        errorMessage: 'Ignoring duplicate entity ClientQuotaEntity(entries={user=dup})',
        entity: [user('dup')],
      },
    ]);
    const after = await describeQ([{ entityType: 'user', matchType: 0, match: 'dup' }], false);
    expect(after.entries).toEqual([]);
    expect((await describeQ([{ entityType: 'client-id', matchType: 0, match: 'c' }], false)).entries).toEqual(
      [],
    );
  });

  it('removes keys, drops an entity with none left, and persists in the store', async () => {
    await alter([{ entity: [user('alice')], ops: [{ key: 'producer_byte_rate', value: 0, remove: true }] }]);
    const alice = await describeQ([{ entityType: 'user', matchType: 0, match: 'alice' }], true);
    expect(alice.entries).toEqual([]);
    await alter([
      { entity: [user('bob')], ops: [set('consumer_byte_rate', 2048), set('producer_byte_rate', 4096)] },
    ]);
    const stored = await h.storage.kvList('client-quotas');
    expect(stored.size).toBe(7);
    // A new gateway on the same store sees them.
    const fresh = new QuotaStore(h.storage);
    await fresh.load();
    expect(fresh.describe([{ entityType: 'user', matchType: 0, match: 'bob' }], true)).toEqual([
      [{ user: 'bob' }, { consumer_byte_rate: 2048, producer_byte_rate: 4096 }],
    ]);
  });
});

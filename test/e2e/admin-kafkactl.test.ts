import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminGateway } from '../admin/e2e-gateway.js';
import { startAdminGateway, topicName } from '../admin/e2e-gateway.js';
import type { Kafkactl } from '../support/kafkactl.js';
import { kafkactl } from '../support/kafkactl.js';

// kafkactl (Sarama) against the gateway: every topic, broker and config command its README lists, plus
// produce and consume (without a group: kafkactl then reads partitions directly). Run twice: with
// kafkactl's default protocol level (Kafka 2.5) and asking for Kafka 3.9's request versions.

interface TopicJson {
  Name: string;
  replicationFactor: number;
  Partitions: {
    ID: number;
    oldestOffset: number;
    newestOffset: number;
    Replicas: number[];
    inSyncReplicas: number[];
  }[];
  Configs?: { Name: string; Value: string }[];
}

interface BrokerJson {
  ID: number;
  Address: string;
  Configs?: { Name: string; Value: string }[];
}

const probe = await startAdminGateway();
const available = await kafkactl(probe.bootstrap);
await probe.stop();
if (available.ok) await available.client.close();

const configsOf = (t: { Configs?: { Name: string; Value: string }[] }) =>
  Object.fromEntries((t.Configs ?? []).map((c) => [c.Name, c.Value]));

describe.skipIf(!available.ok).each([
  ['default protocol level', undefined],
  ['kafkaVersion 3.9.0', '3.9.0'],
])('kafkactl (%s)', (_label, kafkaVersion) => {
  let gw: AdminGateway;
  let k: Kafkactl;
  let dir: string;

  beforeAll(async () => {
    gw = await startAdminGateway();
    const made = await kafkactl(gw.bootstrap, { kafkaVersion });
    if (!made.ok) throw new Error(made.reason);
    k = made.client;
    dir = await mkdtemp(path.join(tmpdir(), 'kafkactl-e2e-'));
  });

  afterAll(async () => {
    await k?.close();
    await gw?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  const json = async <T>(args: string[]): Promise<T> => JSON.parse(await k.ok([...args, '-o', 'json'])) as T;
  const describeTopic = (t: string, more: string[] = []) =>
    json<TopicJson>(['describe', 'topic', t, ...more]);
  const fails = async (args: string[]): Promise<string> => {
    const r = await k.run(args);
    expect(r.code, `kafkactl ${args.join(' ')} should fail`).not.toBe(0);
    return r.stderr + r.stdout.toString('utf8');
  };

  it('create topic (partitions, replication factor, configs), get/list topics, describe topic', async () => {
    const t = topicName('kctl');
    const out = await k.ok([
      'create',
      'topic',
      t,
      '--partitions',
      '3',
      '--replication-factor',
      '3',
      '--config',
      'retention.ms=3600000',
      '--config=cleanup.policy=compact',
    ]);
    expect(out).toContain(`topic created: ${t}`);
    const listed = await json<TopicJson[]>(['get', 'topics']);
    const mine = listed.find((x) => x.Name === t)!;
    expect(mine).toMatchObject({ replicationFactor: 1 });
    expect(mine.Partitions.map((p) => p.ID)).toEqual([0, 1, 2]);
    expect(await k.ok(['list', 'topics'])).toMatch(new RegExp(`${t}\\s+3\\s+1`));

    const described = await describeTopic(t);
    expect(configsOf(described)).toEqual({ 'retention.ms': '3600000', 'cleanup.policy': 'compact' });
    for (const p of described.Partitions) expect(p).toMatchObject({ Replicas: [1], inSyncReplicas: [1] });
    const all = await describeTopic(t, ['--all-configs']);
    expect(Object.keys(configsOf(all))).toHaveLength(36);
    expect(configsOf(all)['segment.bytes']).toBe('1073741824');

    await k.ok(['produce', t, '--key=k', '--value=v', '--partition=1']);
    const nonEmpty = await describeTopic(t, ['--skip-empty']);
    expect(nonEmpty.Partitions.map((p) => [p.ID, p.newestOffset])).toEqual([[1, 1]]);
  });

  it('create topic --file and clone topic copy partitions and configs', async () => {
    const t = topicName('kctl-src');
    await k.ok([
      'create',
      'topic',
      t,
      '--partitions',
      '2',
      '--config',
      'retention.ms=7200000',
      '--config',
      'max.message.bytes=5000',
    ]);
    const file = path.join(dir, `${t}.json`);
    await writeFile(file, await k.ok(['describe', 'topic', t, '-o', 'json']));
    const fromFile = `${t}-file`;
    expect(await k.ok(['create', 'topic', fromFile, '--file', file])).toContain(`topic created: ${fromFile}`);
    const cloned = `${t}-clone`;
    expect(await k.ok(['clone', 'topic', t, cloned])).toContain(`topic ${t} cloned to ${cloned}`);
    for (const name of [fromFile, cloned]) {
      const d = await describeTopic(name);
      expect(d.Partitions).toHaveLength(2);
      expect(configsOf(d)).toEqual({ 'retention.ms': '7200000', 'max.message.bytes': '5000' });
    }
  });

  it('alter topic: partitions and configs; validate-only changes nothing', async () => {
    const t = topicName('kctl-alter');
    await k.ok(['create', 'topic', t, '--partitions', '2', '--config', 'retention.ms=3600000']);
    await k.ok(['produce', t, '--key=k', '--value=kept', '--partition=0']);
    expect(await k.ok(['alter', 'topic', t, '--partitions', '4'])).toContain('partitions have been created');
    const grown = await describeTopic(t);
    expect(grown.Partitions.map((p) => [p.ID, p.newestOffset])).toEqual([
      [0, 1],
      [1, 0],
      [2, 0],
      [3, 0],
    ]);
    expect(
      await k.ok([
        'alter',
        'topic',
        t,
        '--config',
        'retention.ms=7200000',
        '--config',
        'cleanup.policy=compact,delete',
      ]),
    ).toContain('config has been altered');
    expect(configsOf(await describeTopic(t))).toEqual({
      'retention.ms': '7200000',
      'cleanup.policy': 'compact,delete',
    });
    await k.ok(['alter', 'topic', t, '--config', 'retention.ms=5', '--validate-only']);
    expect((await gw.gateway.services.storage.describeTopic(t))!.configs['retention.ms']).toBe('7200000');
    // kafkactl checks the factor against the brokers Metadata lists: one.
    expect(await fails(['alter', 'topic', t, '--replication-factor', '2'])).toContain(
      'must not exceed the number of available brokers (1 available)',
    );
  });

  // kafkactl moves replicas with AlterPartitionReassignments (API 45), which the gateway does not serve yet.
  it.todo('alter topic --replication-factor 1 and alter partition -r 1 (need AlterPartitionReassignments)');

  it('produce and consume without a group; delete records; delete topic', async () => {
    const t = topicName('kctl-data');
    await k.ok(['create', 'topic', t, '--partitions', '2']);
    for (let i = 0; i < 4; i++) await k.ok(['produce', t, `--key=k${i}`, `--value=v${i}`, '--partition=0']);
    await k.ok(['produce', t, '--separator=#', '--partition=0'], 'k4#v4\n');
    await k.ok([
      'produce',
      t,
      '--key=hk',
      '--value=hv',
      '--header',
      'h1:x1',
      '--header',
      'h2:x2',
      '--partition=1',
    ]);
    await k.ok(
      ['produce', t, '--input-format=json', '--partition=1'],
      '{"key":"jk","value":"jv","headers":{"h":"j"}}\n',
    );

    const consumed = await k.ok([
      'consume',
      t,
      '--from-beginning',
      '--exit',
      '--print-keys',
      '--print-headers',
      '-o',
      'json',
    ]);
    const records = consumed
      .split(/\n(?=\{)/)
      .filter((s) => s.trim() !== '')
      .map(
        (s) =>
          JSON.parse(s) as {
            Partition: number;
            Offset: number;
            Key: string;
            Value: string;
            Headers?: object;
          },
      );
    const byPartition = (p: number) =>
      records.filter((r) => r.Partition === p).map((r) => [r.Offset, r.Key, r.Value]);
    expect(byPartition(0)).toEqual([0, 1, 2, 3, 4].map((i) => [i, `k${i}`, `v${i}`]));
    expect(byPartition(1)).toEqual([
      [0, 'hk', 'hv'],
      [1, 'jk', 'jv'],
    ]);
    expect(records.find((r) => r.Key === 'hk')!.Headers).toEqual({ h1: 'x1', h2: 'x2' });
    expect(records.find((r) => r.Key === 'jk')!.Headers).toEqual({ h: 'j' });
    expect(
      (await k.ok(['consume', t, '--partitions', '0', '--tail', '2', '--exit'])).trim().split('\n'),
    ).toEqual(['v3', 'v4']);
    expect(
      (await k.ok(['consume', t, '--from-beginning', '--max-messages', '1', '--partitions', '0'])).trim(),
    ).toBe('v0');

    await k.ok(['delete', 'records', t, '--offset', '0=3']);
    const after = await describeTopic(t);
    expect(after.Partitions.map((p) => [p.oldestOffset, p.newestOffset])).toEqual([
      [3, 5],
      [0, 2],
    ]);
    expect(
      (await k.ok(['consume', t, '--partitions', '0', '--from-beginning', '--exit'])).trim().split('\n'),
    ).toEqual(['v3', 'v4']);

    expect(await k.ok(['delete', 'topic', t])).toContain(`topic deleted: ${t}`);
    expect((await json<TopicJson[]>(['get', 'topics'])).map((x) => x.Name)).not.toContain(t);
  });

  it('get brokers, describe broker (dynamic, all, default); alter broker is refused', async () => {
    const brokers = await json<BrokerJson[]>(['get', 'brokers']);
    expect(brokers.map((b) => [b.ID, b.Address])).toEqual([[1, gw.bootstrap]]);
    const broker = await json<BrokerJson>(['describe', 'broker', '1']);
    expect(configsOf(broker)).toMatchObject({ 'broker.id': '1', 'offsets.topic.replication.factor': '1' });
    const all = configsOf(await json<BrokerJson>(['describe', 'broker', '1', '--all-configs']));
    expect(all).toMatchObject({
      'num.partitions': '1',
      'default.replication.factor': '1',
      'log.retention.hours': '168',
    });
    expect(configsOf(await json<BrokerJson>(['describe', 'broker', 'default']))).toEqual({});
    expect(await fails(['alter', 'broker', '1', '--config', 'background.threads=8'])).toContain(
      'Cannot update these configs dynamically: background.threads',
    );
    expect(await fails(['alter', 'broker', 'default', '--config', 'log.retention.ms=1000'])).toContain(
      'Cannot update these configs dynamically: log.retention.ms',
    );
  });

  it("reports the gateway's errors", async () => {
    const t = topicName('kctl-err');
    await k.ok(['create', 'topic', t, '--partitions', '2']);
    expect(await fails(['create', 'topic', t])).toContain(`Topic '${t}' already exists.`);
    expect(await fails(['create', 'topic', `${t}-x`, '--config', 'foo=bar'])).toContain(
      'Unknown topic config name: foo',
    );
    expect(await fails(['alter', 'topic', t, '--config', 'retention.ms=abc'])).toContain(
      'Invalid value abc for configuration retention.ms: Not a number of type LONG',
    );
    expect(await fails(['delete', 'records', t, '--offset', '0=99'])).toContain(
      'outside the range of offsets maintained by the server',
    );
    expect(await fails(['delete', 'topic', `${t}-missing`])).toContain('does not exist');
  });
});

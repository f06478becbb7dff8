import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildCommand, parseCommandLine } from '../../src/cli.js';

// --config FILE: every flag can be set in a YAML file; a flag beats its environment variable, which
// beats the file, which beats the default; an unknown key is an error naming it.

const ENV = [
  'KAFKA_GATEWAY_PORT',
  'KAFKA_GATEWAY_NODE_ID',
  'KAFKA_GATEWAY_CONFIG',
  'KAFKA_GATEWAY_LOG_LEVEL',
];

describe('--config FILE', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'config-file-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));
  afterEach(() => {
    for (const k of ENV) delete process.env[k];
  });

  async function file(name: string, text: string): Promise<string> {
    const f = path.join(dir, name);
    await writeFile(f, text);
    return f;
  }
  const parse = (...args: string[]) => parseCommandLine(['node', 'kafka-gateway', ...args]);

  it('sets flags from the file, parsed and checked as the flags are', async () => {
    const f = await file(
      'all.yaml',
      [
        'port: 19999',
        'host: 127.0.0.1',
        'auto-create-topics: false',
        'default-partitions: 3',
        'log-level: warn',
        'metrics-port: 9464',
        'masters: [m1:9333, m2:9333]',
        'group-coordinator: 2@gw-2:9092',
      ].join('\n'),
    );
    const c = parse('--config', f);
    expect(c).toMatchObject({
      port: 19999,
      host: '127.0.0.1',
      autoCreateTopics: false,
      defaultPartitions: 3,
      logLevel: 'warn',
      metrics: { port: 9464, host: '127.0.0.1' },
      store: 'seaweedmq',
      seaweedmq: { masters: ['m1:9333', 'm2:9333'] },
      groupCoordinator: { nodeId: 2, host: 'gw-2', port: 9092 },
    });
  });

  it('applies flag > environment > file > default', async () => {
    const f = await file('precedence.yaml', 'port: 1001\nnode-id: 7\nlog-level: debug\n');
    expect(parse('--config', f)).toMatchObject({
      port: 1001,
      nodeId: 7,
      logLevel: 'debug',
      clusterId: 'kafka-gateway-cluster',
    });
    process.env.KAFKA_GATEWAY_PORT = '1002';
    expect(parse(`--config=${f}`)).toMatchObject({ port: 1002, nodeId: 7 });
    expect(parse('--config', f, '--port', '1003', '--node-id', '8')).toMatchObject({ port: 1003, nodeId: 8 });
    // The file itself may come from the environment.
    process.env.KAFKA_GATEWAY_CONFIG = f;
    delete process.env.KAFKA_GATEWAY_PORT;
    expect(parse()).toMatchObject({ port: 1001, nodeId: 7 });
  });

  it('refuses unknown keys, bad values and bad files, naming what is wrong', async () => {
    const unknown = await file('unknown.yaml', 'port: 1\nmetrics-prot: 9464\n');
    expect(() => parse('--config', unknown)).toThrow(/unknown key "metrics-prot"/);
    const bad = await file('bad.yaml', 'port: 70000\n');
    expect(() => parse('--config', bad)).toThrow(/port: expected a whole number from 0 to 65535/);
    const choice = await file('choice.yaml', 'store: disk\n');
    expect(() => parse('--config', choice)).toThrow(/store: "disk" is not one of memory, log, seaweedmq/);
    const list = await file('list.yaml', '- port\n');
    expect(() => parse('--config', list)).toThrow(/must be a mapping/);
    const yaml = await file('broken.yaml', 'port: [1\n');
    expect(() => parse('--config', yaml)).toThrow(/is not valid YAML/);
    expect(() => parse('--config', path.join(dir, 'missing.yaml'))).toThrow(/cannot read config file/);
  });

  it('accepts every flag of the command as a key (flags added later included)', async () => {
    const keys = buildCommand()
      .options.map((o) => o.long!.slice(2))
      .filter((k) => k !== 'config' && k !== 'help');
    expect(keys).toContain('metrics-port');
    expect(keys.length).toBeGreaterThan(20);
    // Each key is recognised: a wrong value is reported against the key, never as unknown.
    for (const key of keys) {
      const f = await file(`${key}.yaml`, `${key}: {nested: 1}\n`);
      expect(() => parse('--config', f), key).toThrow(new RegExp(`${key}: expected`));
    }
  });
});

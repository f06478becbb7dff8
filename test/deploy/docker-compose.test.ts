import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseGatewayArgs } from './gateway-args.js';

// No Docker engine runs where the tests do, so docker-compose.yml is checked by reading it: the names,
// addresses and ports that must agree between services, and the gateway's command through its own CLI.
const ROOT = join(import.meta.dirname, '..', '..');

interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | (string | number)[];
  ports?: (string | number | { target?: number | string; published?: number | string })[];
  volumes?: (string | { type?: string; source?: string })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: unknown; disable?: boolean };
}

interface ComposeFile {
  services?: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as ComposeFile;
const services = compose.services ?? {};

/** The SeaweedFS services and the `weed` subcommand each must run. */
const WEED_SERVICES = { master: 'master', volume: 'volume', filer: 'filer', broker: 'mq.broker' } as const;

/**
 * The newest SeaweedFS release the SeaweedMQ suite passes on, as install-weed.sh names it (the suite's
 * default is a newer snapshot built from the Go module proxy, which has no image).
 */
function testedSeaweedVersion(): string {
  const script = readFileSync(join(ROOT, 'scripts', 'seaweedfs', 'install-weed.sh'), 'utf8');
  const m = /^SEAWEEDFS_RELEASE="([^"]+)"$/m.exec(script);
  if (!m?.[1]) throw new Error('install-weed.sh no longer names SEAWEEDFS_RELEASE');
  return m[1];
}

function service(name: string): Service {
  const s = services[name];
  if (!s) throw new Error(`docker-compose.yml has no service "${name}"`);
  return s;
}

/**
 * Compose's variable substitution as it turns out when the variable is unset: `${NAME:-default}` and
 * `${NAME-default}` give the default and `$$` is a literal `$`. A bare `$NAME` would make the
 * command depend on whoever runs compose, so it is refused here.
 */
function interpolate(text: string): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(:?-)([^}]*)\}|\$\{?[A-Za-z_][^\s]*/g,
    (m, name, _op, dflt) => {
      if (m === '$$') return '$';
      if (name !== undefined) return String(dflt);
      throw new Error(`docker-compose.yml uses ${m} without a default`);
    },
  );
}

/** A service's command as the argument list the container gets (the string form is split on spaces). */
function argsOf(s: Service): string[] {
  const cmd = s.command;
  if (cmd === undefined) return [];
  const list = typeof cmd === 'string' ? cmd.trim().split(/\s+/) : cmd.map(String);
  return list.map(interpolate);
}

/** The value of a `weed` flag, written `-name=value`, `--name=value` or `-name value`. */
function weedFlag(args: readonly string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    for (const prefix of [`-${name}`, `--${name}`]) {
      if (a.startsWith(`${prefix}=`)) return a.slice(prefix.length + 1);
      if (a === prefix) return args[i + 1];
    }
  }
  return undefined;
}

/** Where the master listens: its -port, or weed's default. */
function masterAddress(): string {
  return `master:${weedFlag(argsOf(service('master')), 'port') ?? '9333'}`;
}

/** `host:container` pairs of a service's published ports. */
function publishedPorts(s: Service): { host: number; container: number }[] {
  return (s.ports ?? []).map((p) => {
    if (typeof p === 'object') return { host: Number(p.published), container: Number(p.target) };
    const parts = String(p).split('/')[0]!.split(':');
    const container = Number(parts.at(-1));
    return { host: parts.length > 1 ? Number(parts.at(-2)) : container, container };
  });
}

function dependencies(s: Service): Record<string, string> {
  const deps = s.depends_on ?? {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d) => [d, 'service_started']));
  return Object.fromEntries(Object.entries(deps).map(([d, c]) => [d, c.condition ?? 'service_started']));
}

describe('docker-compose.yml', () => {
  it('runs a SeaweedFS cluster and the gateway', () => {
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining([...Object.keys(WEED_SERVICES), 'kafka-gateway']),
    );
  });

  it('runs every SeaweedFS server from one image pinned to the release our SeaweedMQ suite uses', () => {
    const version = testedSeaweedVersion();
    for (const [name, subcommand] of Object.entries(WEED_SERVICES)) {
      const s = service(name);
      expect(s.image, name).toBe(`chrislusf/seaweedfs:${version}`);
      expect(argsOf(s)[0], `${name} runs weed ${subcommand}`).toBe(subcommand);
    }
  });

  it('points the volume server, the filer and the broker at the master', () => {
    const master = masterAddress();
    for (const name of ['volume', 'filer', 'broker']) {
      const args = argsOf(service(name));
      const named = weedFlag(args, 'master') ?? (name === 'volume' ? weedFlag(args, 'mserver') : undefined);
      expect(named?.split(','), name).toEqual([master]);
    }
  });

  it("probes the broker through the master's address", () => {
    const probe = service('broker').healthcheck?.test;
    const words = (Array.isArray(probe) ? probe.map(String) : [String(probe)]).join(' ');
    expect(words).toContain(`-master=${masterAddress()}`);
  });

  it('makes the filer and the broker register addresses the gateway can resolve', () => {
    // The gateway dials what the master lists, i.e. what each server announced with -ip.
    for (const name of ['filer', 'broker', 'volume', 'master']) {
      expect(weedFlag(argsOf(service(name)), 'ip'), name).toBe(name);
    }
  });

  it('builds the gateway from the Dockerfile at the repository root', () => {
    const build = service('kafka-gateway').build;
    const context = typeof build === 'string' ? build : build?.context;
    const dockerfile = (typeof build === 'object' ? build.dockerfile : undefined) ?? 'Dockerfile';
    expect(context).toBe('.');
    expect(existsSync(join(ROOT, context ?? '', dockerfile))).toBe(true);
  });

  it("gives the gateway the master's address", () => {
    const args = argsOf(service('kafka-gateway'));
    const i = args.indexOf('--masters');
    expect(i, '--masters is passed').toBeGreaterThanOrEqual(0);
    expect(args[i + 1]?.split(',')).toEqual([masterAddress()]);
  });

  it('publishes the port the gateway listens on and advertises', () => {
    const gateway = service('kafka-gateway');
    const config = parseGatewayArgs(argsOf(gateway));
    expect(publishedPorts(gateway)).toContainEqual({
      host: config.advertisedPort ?? config.port,
      container: config.port,
    });
  });

  it("passes a command the gateway's own parser accepts, selecting SeaweedMQ on the master", () => {
    // The image's own environment (KAFKA_GATEWAY_DATA_DIR, see Dockerfile) must not stand in the way.
    const config = parseGatewayArgs(argsOf(service('kafka-gateway')), {
      KAFKA_GATEWAY_DATA_DIR: '/var/lib/kafka-gateway',
    });
    expect(config.store).toBe('seaweedmq');
    expect(config.seaweedmq.masters).toEqual(['master:9333']);
    expect(config.host).toBe('0.0.0.0');
    // Clients on the Docker host reach the published port on localhost.
    expect(config.advertisedHost).toBe('localhost');
  });

  it('starts the gateway after the cluster, waiting only on services that have a healthcheck', () => {
    // The gateway exits at start when no broker answers, so a started broker is not enough.
    expect(dependencies(service('kafka-gateway'))).toMatchObject({ broker: 'service_healthy' });
    expect(Object.keys(dependencies(service('broker')))).toEqual(expect.arrayContaining(['master', 'filer']));
    for (const [name, s] of Object.entries(services)) {
      for (const [dep, condition] of Object.entries(dependencies(s))) {
        expect(services[dep], `${name} depends on a service that exists: ${dep}`).toBeDefined();
        if (condition === 'service_healthy') {
          const hc = services[dep]?.healthcheck;
          expect(hc?.test !== undefined && hc.disable !== true, `${dep} has a healthcheck`).toBe(true);
        }
      }
    }
  });

  it('declares every named volume it mounts', () => {
    const declared = Object.keys(compose.volumes ?? {});
    for (const [name, s] of Object.entries(services)) {
      for (const v of s.volumes ?? []) {
        const source = typeof v === 'string' ? (v.includes(':') ? v.split(':')[0]! : '') : (v.source ?? '');
        const isNamed = source !== '' && !/^[./~]/.test(source);
        if (isNamed) expect(declared, `${name} mounts ${source}`).toContain(source);
      }
    }
  });
});

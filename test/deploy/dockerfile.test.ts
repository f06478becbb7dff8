import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGatewayArgs } from './gateway-args.js';

// The image cannot be built where the tests run (no Docker engine), so the Dockerfile is read: what it
// copies must exist and survive .dockerignore, and what it runs must be the gateway.
const ROOT = join(import.meta.dirname, '..', '..');

interface Instruction {
  keyword: string;
  args: string;
}

interface Stage {
  from: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** Instructions with continuation lines joined and comments dropped. */
function instructions(text: string): Instruction[] {
  const joined = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

function parseDockerfile(text: string): { args: Map<string, string>; stages: Stage[] } {
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const ins of instructions(text)) {
    if (ins.keyword === 'FROM') {
      const [image = '', as, name] = ins.args.split(/\s+/).filter((w) => !w.startsWith('--'));
      const resolved = image.replace(/\$\{?(\w+)\}?/g, (_m, arg: string) => args.get(arg) ?? '');
      stages.push({ from: resolved, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else if (stages.length === 0 && ins.keyword === 'ARG') {
      const eq = ins.args.indexOf('=');
      if (eq > 0) args.set(ins.args.slice(0, eq), ins.args.slice(eq + 1));
    } else {
      stages.at(-1)?.instructions.push(ins);
    }
  }
  return { args, stages };
}

/** Sources of a COPY from the build context (COPY --from=… copies from a stage, not the repository). */
function contextSources(ins: Instruction): string[] | undefined {
  const words = ins.args.split(/\s+/);
  if (words.some((w) => w.startsWith('--from='))) return undefined;
  const paths = words.filter((w) => !w.startsWith('--'));
  return paths.slice(0, -1);
}

function execForm(ins: Instruction | undefined): string[] {
  return JSON.parse(ins?.args ?? 'null') as string[];
}

function ignorePatterns(): string[] {
  return readFileSync(join(ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith('!'));
}

/** Whether .dockerignore keeps `path` out of the context: its own or a parent folder's name matches. */
function ignored(path: string, patterns: readonly string[]): boolean {
  const segments = path.replace(/^\.\//, '').replace(/\/$/, '').split('/');
  return patterns.some((pattern) => {
    const p = pattern.replace(/^\//, '').replace(/\/$/, '');
    const anyDepth = p.startsWith('**/');
    const glob = new RegExp(
      '^' +
        (anyDepth ? p.slice(3) : p)
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '[^/]*')
          .replace(/\?/g, '[^/]') +
        '$',
    );
    for (let n = 1; n <= segments.length; n++) {
      const prefix = segments.slice(0, n);
      if (glob.test(prefix.join('/')) || (anyDepth && glob.test(prefix.at(-1) ?? ''))) return true;
    }
    return false;
  });
}

const { stages } = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const runtime = stages.at(-1);
const runtimeIns = (keyword: string) => runtime?.instructions.filter((i) => i.keyword === keyword) ?? [];

describe('Dockerfile', () => {
  it('builds on a pinned Node.js 20 bookworm-slim image in every stage', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const names = new Set(stages.map((s) => s.name).filter((n) => n !== undefined));
    for (const stage of stages) {
      if (names.has(stage.from)) continue;
      expect(stage.from).toMatch(/^node:20\.\d+\.\d+-bookworm-slim$/);
    }
  });

  it('runs bin/kafka-gateway.js as the non-root node user in its last stage', () => {
    const entrypoint = execForm(runtimeIns('ENTRYPOINT').at(-1));
    expect(entrypoint).toEqual(['node', 'bin/kafka-gateway.js']);
    expect(existsSync(join(ROOT, 'bin', 'kafka-gateway.js'))).toBe(true);
    expect(runtimeIns('USER').at(-1)?.args).toBe('node');
  });

  it('listens by default on 0.0.0.0 at the port it exposes', () => {
    const config = parseGatewayArgs(execForm(runtimeIns('CMD').at(-1)));
    expect(config.host).toBe('0.0.0.0');
    expect(runtimeIns('EXPOSE').map((i) => i.args)).toContain(String(config.port));
  });

  it('keeps the log store in a volume the node user owns, whatever arguments are given', () => {
    const env = new Map(
      runtimeIns('ENV').map((i) => {
        const eq = i.args.indexOf('=');
        return [i.args.slice(0, eq), i.args.slice(eq + 1)] as const;
      }),
    );
    const dir = env.get('KAFKA_GATEWAY_DATA_DIR');
    expect(dir).toMatch(/^\//);
    expect(runtimeIns('VOLUME').map((i) => i.args)).toContain(dir);
    expect(runtimeIns('RUN').some((i) => i.args.includes(`chown node:node ${dir}`))).toBe(true);
    const config = parseGatewayArgs(['--port', '9092'], { KAFKA_GATEWAY_DATA_DIR: dir! });
    expect(config.store).toBe('log');
    expect(config.log.dataDir).toBe(dir);
  });

  it('copies only files that exist and that .dockerignore lets into the build context', () => {
    const patterns = ignorePatterns();
    const copied = stages.flatMap((s) =>
      s.instructions
        .filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD')
        .flatMap((i) => contextSources(i) ?? []),
    );
    expect(copied.length).toBeGreaterThan(0);
    for (const source of copied) {
      expect(existsSync(join(ROOT, source)), `${source} exists`).toBe(true);
      expect(ignored(source, patterns), `${source} is not in .dockerignore`).toBe(false);
    }
  });

  it('puts the gateway, its proto files and its production dependencies in the runtime stage', () => {
    // proto/ beside dist/: the SeaweedMQ store loads proto/seaweedfs/*.proto from there at start.
    const destinations = runtimeIns('COPY').map((i) => i.args.split(/\s+/).at(-1)?.replace(/^\.\//, ''));
    for (const needed of ['dist', 'bin', 'proto', 'node_modules']) expect(destinations).toContain(needed);
    expect(existsSync(join(ROOT, 'proto', 'seaweedfs', 'mq_broker.proto'))).toBe(true);
  });

  it('keeps host builds and caches out of the build context', () => {
    const patterns = ignorePatterns();
    for (const path of ['node_modules', '.cache', 'dist', 'node_modules/pino/package.json']) {
      expect(ignored(path, patterns), path).toBe(true);
    }
    expect(ignored('src/cli.ts', patterns)).toBe(false);
  });
});

/**
 * Writes src/protocol/generated/ from Kafka's JSON message definitions.
 *
 *   tsx scripts/generate-protocol.ts <definitions-dir> [output-dir]
 *
 * Only names, types and version ranges are carried over: no `about` text.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const MAX = 0x7fff;
type Range = [number, number] | null;

interface JsonField {
  name: string;
  type: string;
  versions?: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number | string;
  flexibleVersions?: string;
  default?: string | number | boolean;
  fields?: JsonField[];
}

interface JsonMessage {
  apiKey?: number;
  type: 'request' | 'response' | 'header' | 'data';
  name: string;
  validVersions: string;
  flexibleVersions: string;
  deprecatedVersions?: string;
  latestVersionUnstable?: boolean;
  listeners?: string[];
  fields: JsonField[];
  commonStructs?: JsonField[];
}

/** JSON with `//` comments: drop comments outside of strings. */
function stripComments(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else {
      out += c;
    }
  }
  return out;
}

function parseRange(spec: string | undefined): Range {
  if (spec === undefined || spec === 'none') return null;
  const s = spec.trim();
  if (s.endsWith('+')) return [Number(s.slice(0, -1)), MAX];
  const dash = s.indexOf('-');
  if (dash > 0) return [Number(s.slice(0, dash)), Number(s.slice(dash + 1))];
  return [Number(s), Number(s)];
}

function intersect(a: Range, b: Range): Range {
  if (a === null || b === null) return null;
  const lo = Math.max(a[0], b[0]);
  const hi = Math.min(a[1], b[1]);
  return lo <= hi ? [lo, hi] : null;
}

function covers(outer: Range, inner: Range): boolean {
  return outer !== null && inner !== null && inner[0] <= outer[0] && inner[1] >= outer[1];
}

function camel(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

const SCALARS: Record<string, string> = {
  bool: 'boolean',
  int8: 'number',
  int16: 'number',
  uint16: 'number',
  int32: 'number',
  uint32: 'number',
  int64: 'bigint',
  float64: 'number',
  string: 'string',
  uuid: 'string',
  bytes: 'Buffer',
  records: 'Buffer',
};

function rangeText(r: Range): string {
  return r === null ? 'null' : `[${r[0]}, ${r[1] === MAX ? 'MAX_VERSION' : r[1]}]`;
}

function defaultText(type: string, value: string | number | boolean): string {
  const v = String(value);
  if (v === 'null') return 'null';
  if (type === 'bool') return v === 'true' ? 'true' : 'false';
  if (type === 'int64') return `${BigInt(v)}n`;
  if (type === 'string') return JSON.stringify(v);
  if (/^-?(0x[0-9a-fA-F]+|\d+)$/.test(v)) return String(Number(v));
  return JSON.stringify(v);
}

interface Emitted {
  interfaces: string[];
}

class MessageEmitter {
  private readonly valid: Range;
  private readonly flexible: Range;

  constructor(
    private readonly msg: JsonMessage,
    private readonly common: Map<string, JsonField[]>,
    private readonly out: Emitted,
  ) {
    this.valid = parseRange(msg.validVersions);
    this.flexible = parseRange(msg.flexibleVersions);
  }

  /** Responses are built by handlers, so fields not in every version may be left out there. */
  private optional(f: JsonField, versions: Range, parentVersions: Range): boolean {
    if (this.msg.type !== 'response') return false;
    return !covers(parentVersions, versions) || f.taggedVersions !== undefined || f.default !== undefined;
  }

  private structFields(f: JsonField): JsonField[] | undefined {
    if (f.fields !== undefined) return f.fields;
    const base = f.type.startsWith('[]') ? f.type.slice(2) : f.type;
    return SCALARS[base] === undefined ? this.common.get(base) : undefined;
  }

  emitStruct(typeName: string, fields: JsonField[], parentVersions: Range, indent: string): string {
    const schemaLines: string[] = [];
    const typeLines: string[] = [];
    for (const f of fields) {
      const versions = intersect(parseRange(f.versions ?? '0+'), parentVersions);
      const isArray = f.type.startsWith('[]');
      const base = isArray ? f.type.slice(2) : f.type;
      const sub = this.structFields(f);
      const nullable = intersect(parseRange(f.nullableVersions), versions);
      const tagged = intersect(parseRange(f.taggedVersions), versions);
      const name = camel(f.name);
      let tsType: string;
      const parts = [`name: '${name}'`];
      if (sub !== undefined) {
        const nested = base.startsWith(this.msg.name) ? base : this.msg.name + base;
        const nestedSchema = this.emitStruct(nested, sub, versions, indent + '  ');
        parts.push(`type: 'struct'`);
        tsType = nested;
        if (isArray) parts.push('array: true');
        parts.push(`versions: ${rangeText(versions)}`);
        if (nullable) parts.push(`nullableVersions: ${rangeText(nullable)}`);
        if (tagged) parts.push(`taggedVersions: ${rangeText(tagged)}`, `tag: ${Number(f.tag)}`);
        if (f.default !== undefined) parts.push(`default: ${defaultText('struct', f.default)}`);
        parts.push(`fields: ${nestedSchema}`);
      } else {
        const scalar = SCALARS[base];
        if (scalar === undefined) throw new Error(`${this.msg.name}.${f.name}: unknown type ${f.type}`);
        tsType = base === 'records' && this.msg.type === 'response' ? 'Buffer | readonly Buffer[]' : scalar;
        parts.push(`type: '${base}'`);
        if (isArray) parts.push('array: true');
        parts.push(`versions: ${rangeText(versions)}`);
        if (nullable) parts.push(`nullableVersions: ${rangeText(nullable)}`);
        if (tagged) parts.push(`taggedVersions: ${rangeText(tagged)}`, `tag: ${Number(f.tag)}`);
        if (f.flexibleVersions !== undefined) {
          parts.push(`flexibleVersions: ${rangeText(parseRange(f.flexibleVersions))}`);
        }
        if (f.default !== undefined) parts.push(`default: ${defaultText(base, f.default)}`);
      }
      if (isArray) tsType = tsType.includes('|') ? `(${tsType})[]` : `${tsType}[]`;
      if (nullable) tsType += ' | null';
      const opt = this.optional(f, versions, parentVersions) ? '?' : '';
      typeLines.push(`  ${name}${opt}: ${tsType};`);
      schemaLines.push(`${indent}  { ${parts.join(', ')} },`);
    }
    this.out.interfaces.push(
      typeLines.length === 0
        ? `export type ${typeName} = Record<string, never>;`
        : `export interface ${typeName} {\n${typeLines.join('\n')}\n}`,
    );
    return `[\n${schemaLines.join('\n')}\n${indent}]`;
  }

  emit(): string {
    const fieldsText = this.emitStruct(this.msg.name, this.msg.fields, this.valid, '');
    return [
      `export const ${this.msg.name}Schema: MessageSchema = {`,
      `  name: '${this.msg.name}',`,
      `  apiKey: ${this.msg.apiKey ?? -1},`,
      `  validVersions: ${rangeText(this.valid)},`,
      `  flexibleVersions: ${rangeText(this.flexible)},`,
      `  fields: ${fieldsText.replace(/\n/g, '\n  ')},`,
      `};`,
    ].join('\n');
  }
}

function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

const HEADER = [
  '// Generated by scripts/generate-protocol.ts from Kafka message definitions. Do not edit.',
  "import type { MessageSchema } from '../schema.js';",
  "import { MAX_VERSION } from '../schema.js';",
  '',
].join('\n');

function renderFile(messages: JsonMessage[]): string {
  const emitted: Emitted = { interfaces: [] };
  const schemas: string[] = [];
  for (const m of messages) {
    const common = new Map((m.commonStructs ?? []).map((s) => [s.name, s.fields ?? []]));
    schemas.push(new MessageEmitter(m, common, emitted).emit());
  }
  const usesMax = schemas.some((s) => s.includes('MAX_VERSION'));
  const head = usesMax ? HEADER : HEADER.replace("import { MAX_VERSION } from '../schema.js';\n", '');
  return `${head}\n${emitted.interfaces.join('\n\n')}\n\n${schemas.join('\n\n')}\n`;
}

interface ApiEntry {
  key: number;
  name: string;
  file: string;
  request: JsonMessage;
  response: JsonMessage;
}

function main(): void {
  const [defsDir, outArg] = process.argv.slice(2);
  if (defsDir === undefined) {
    process.stderr.write('usage: generate-protocol.ts <definitions-dir> [output-dir]\n');
    process.exit(2);
  }
  const outDir = outArg ?? join(import.meta.dirname, '..', 'src', 'protocol', 'generated');
  const messages = readdirSync(defsDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(stripComments(readFileSync(join(defsDir, f), 'utf8'))) as JsonMessage);

  const requests = new Map<number, JsonMessage>();
  const responses = new Map<number, JsonMessage>();
  for (const m of messages) {
    if (m.type === 'request' && m.validVersions !== 'none' && (m.listeners ?? []).includes('broker')) {
      requests.set(m.apiKey!, m);
    } else if (m.type === 'response') {
      responses.set(m.apiKey!, m);
    }
  }
  const apis: ApiEntry[] = [...requests.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([key, request]) => {
      const response = responses.get(key);
      if (response === undefined) throw new Error(`no response for api key ${key}`);
      const name = request.name.replace(/Request$/, '');
      return { key, name, file: `${String(key).padStart(2, '0')}-${kebab(name)}`, request, response };
    });

  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  for (const api of apis) {
    writeFileSync(join(outDir, `${api.file}.ts`), renderFile([api.request, api.response]));
  }
  const byName = new Map(messages.map((m) => [m.name, m]));
  const pick = (names: string[]): JsonMessage[] =>
    names.map((n) => {
      const m = byName.get(n);
      if (m === undefined) throw new Error(`missing ${n}`);
      return m;
    });
  writeFileSync(join(outDir, 'headers.ts'), renderFile(pick(['RequestHeader', 'ResponseHeader'])));
  writeFileSync(
    join(outDir, 'consumer-protocol.ts'),
    renderFile(pick(['ConsumerProtocolSubscription', 'ConsumerProtocolAssignment'])),
  );

  const index: string[] = [
    '// Generated by scripts/generate-protocol.ts from Kafka message definitions. Do not edit.',
    "import type { ApiDefinition } from '../api-definition.js';",
  ];
  for (const api of apis) {
    index.push(`import { ${api.request.name}Schema, ${api.response.name}Schema } from './${api.file}.js';`);
  }
  index.push('', 'export const API_DEFINITIONS: readonly ApiDefinition[] = [');
  for (const api of apis) {
    const valid = parseRange(api.request.validVersions)!;
    const deprecated = parseRange(api.request.deprecatedVersions);
    index.push(
      `  { apiKey: ${api.key}, name: '${api.name}', validVersions: [${valid[0]}, ${valid[1]}], ` +
        `deprecatedVersions: ${deprecated === null ? 'null' : `[${deprecated[0]}, ${deprecated[1]}]`}, ` +
        `latestVersionUnstable: ${api.request.latestVersionUnstable === true}, ` +
        `request: ${api.request.name}Schema, response: ${api.response.name}Schema },`,
    );
  }
  index.push('];', '');
  for (const api of apis) index.push(`export type * from './${api.file}.js';`);
  index.push("export type * from './headers.js';", "export type * from './consumer-protocol.js';", '');
  writeFileSync(join(outDir, 'index.ts'), index.join('\n'));
  process.stdout.write(`wrote ${apis.length} APIs to ${outDir}\n`);
}

main();

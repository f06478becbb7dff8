/**
 * Finds the error codes in a response body without handler code: for each (message, version) a
 * visitor is compiled once from the generated schema, reaching every `errorCode` field through the
 * arrays and structs that can hold one. Kafka's ErrorsPerSec counts the same way (every error code
 * of the response, NONE included).
 */
import type { FieldSchema, MessageSchema } from '../protocol/schema.js';
import { inRange } from '../protocol/schema.js';

export type ErrorSink = (code: number) => void;
type Visitor = (body: unknown, sink: ErrorSink) => void;

function isErrorField(f: FieldSchema): boolean {
  return f.name === 'errorCode' && f.type === 'int16' && f.array !== true;
}

function compileFields(fields: readonly FieldSchema[], version: number): Visitor | undefined {
  const steps: Visitor[] = [];
  for (const f of fields) {
    if (!inRange(f.versions, version)) continue;
    const name = f.name;
    if (isErrorField(f)) {
      steps.push((body, sink) => {
        const code = (body as Record<string, unknown>)[name];
        if (typeof code === 'number') sink(code);
      });
    } else if (f.type === 'struct' && f.fields !== undefined) {
      const inner = compileFields(f.fields, version);
      if (inner === undefined) continue;
      if (f.array === true) {
        steps.push((body, sink) => {
          const items = (body as Record<string, unknown>)[name];
          if (!Array.isArray(items)) return;
          for (const item of items) if (item !== null && typeof item === 'object') inner(item, sink);
        });
      } else {
        steps.push((body, sink) => {
          const item = (body as Record<string, unknown>)[name];
          if (item !== null && typeof item === 'object') inner(item, sink);
        });
      }
    }
  }
  if (steps.length === 0) return undefined;
  if (steps.length === 1) return steps[0];
  return (body, sink) => {
    for (const s of steps) s(body, sink);
  };
}

const NONE: Visitor = () => undefined;

/** Per-schema, per-version visitors, compiled on first use. */
export class ResponseErrorCodes {
  private readonly visitors = new Map<MessageSchema, Visitor[]>();

  visit(schema: MessageSchema, version: number, body: unknown, sink: ErrorSink): void {
    let byVersion = this.visitors.get(schema);
    if (byVersion === undefined) {
      byVersion = [];
      this.visitors.set(schema, byVersion);
    }
    let v = byVersion[version];
    if (v === undefined) {
      v = compileFields(schema.fields, version) ?? NONE;
      byVersion[version] = v;
    }
    v(body, sink);
  }
}

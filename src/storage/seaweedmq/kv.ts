/**
 * Small key-value metadata (group state, producer ids ...) as inline filer files:
 * /topics/<namespace>/.meta/kafka-gateway/kv/<kv-namespace>/<key>. Inline content keeps each value in
 * the filer's metadata store, so no volume server is involved and a put is one round trip.
 */
import { fromPathComponent, pathComponent, type Filer } from './filer.js';

export class KvStore {
  constructor(
    private readonly filer: Filer,
    private readonly namespace: string,
  ) {}

  private dir(ns: string): string {
    return `/topics/${this.namespace}/.meta/kafka-gateway/kv/${pathComponent(ns)}`;
  }

  get(ns: string, key: string): Promise<Buffer | undefined> {
    return this.filer.read(`${this.dir(ns)}/${pathComponent(key)}`);
  }

  async put(ns: string, key: string, value: Buffer): Promise<void> {
    await this.filer.write(`${this.dir(ns)}/${pathComponent(key)}`, value);
  }

  delete(ns: string, key: string): Promise<void> {
    return this.filer.remove(`${this.dir(ns)}/${pathComponent(key)}`);
  }

  async list(ns: string): Promise<Map<string, Buffer>> {
    const out = new Map<string, Buffer>();
    for (const e of await this.filer.list(this.dir(ns))) {
      if (!e.is_directory) out.set(fromPathComponent(e.name), e.content);
    }
    return out;
  }
}

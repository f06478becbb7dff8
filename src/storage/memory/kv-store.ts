/** Small named values in namespaces (group state, producer ids, ...). */
export class KvStore {
  private readonly namespaces = new Map<string, Map<string, Buffer>>();

  get(namespace: string, key: string): Buffer | undefined {
    const value = this.namespaces.get(namespace)?.get(key);
    return value === undefined ? undefined : Buffer.from(value);
  }

  put(namespace: string, key: string, value: Buffer): void {
    let entries = this.namespaces.get(namespace);
    if (entries === undefined) {
      entries = new Map();
      this.namespaces.set(namespace, entries);
    }
    // Copies both ways: values are small, and neither side should see the other's later writes.
    entries.set(key, Buffer.from(value));
  }

  delete(namespace: string, key: string): void {
    const entries = this.namespaces.get(namespace);
    if (entries === undefined) return;
    entries.delete(key);
    if (entries.size === 0) this.namespaces.delete(namespace);
  }

  list(namespace: string): Map<string, Buffer> {
    const out = new Map<string, Buffer>();
    for (const [key, value] of this.namespaces.get(namespace) ?? []) out.set(key, Buffer.from(value));
    return out;
  }
}

/**
 * Runs async tasks one at a time per key, so that read-modify-write sequences on the same topic's
 * configs (IncrementalAlterConfigs from two connections) cannot lose an update.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await result;
    } finally {
      // The last task for a key removes the key, so the map does not grow with every topic ever altered.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

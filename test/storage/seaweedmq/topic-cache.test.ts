import { afterEach, describe, expect, it, vi } from 'vitest';
import { TopicCache } from '../../../src/storage/seaweedmq/topic-cache.js';
import type { Topics, TopicState } from '../../../src/storage/seaweedmq/topics.js';

const state = (name: string, partitions: number): TopicState => ({
  name,
  meta: { id: `id-${name}`, configs: {} },
  partitions,
  routes: [],
});

/** Counts the filer reads the cache makes. */
function topicsReading(current: () => TopicState): { topics: Topics; reads: () => number } {
  let reads = 0;
  const topics = {
    require: async () => {
      reads++;
      return current();
    },
  } as unknown as Topics;
  return { topics, reads: () => reads };
}

describe('TopicCache', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('serves a topic without reading the filer again until topicCacheMs has passed', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    let current = state('t', 3);
    const { topics, reads } = topicsReading(() => current);
    const cache = new TopicCache(topics, 1000);
    expect(cache.fresh('t')).toBeUndefined();
    expect((await cache.state('t')).partitions).toBe(3);
    expect(reads()).toBe(1);
    current = state('t', 5); // changed by another gateway
    vi.advanceTimersByTime(999);
    expect(cache.fresh('t')?.partitions).toBe(3);
    expect((await cache.state('t')).partitions).toBe(3);
    expect(reads()).toBe(1);
    vi.advanceTimersByTime(1);
    expect(cache.fresh('t')).toBeUndefined();
    expect((await cache.state('t')).partitions).toBe(5);
    expect(reads()).toBe(2);
  });

  it('forgets at once what this gateway changed, and takes what it set', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const cache = new TopicCache(topicsReading(() => state('t', 1)).topics, 1000);
    cache.set('t', state('t', 2));
    expect(cache.fresh('t')?.partitions).toBe(2);
    cache.forget('t');
    expect(cache.fresh('t')).toBeUndefined();
  });
});

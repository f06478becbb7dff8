import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import type { DeleteTopicsResponse } from '../../src/protocol/generated/index.js';
import {
  API,
  batch,
  createHarness,
  createTopics,
  creatable,
  fetchFrom,
  produce,
  ZERO_UUID,
} from './support.js';

describe('DeleteTopics', () => {
  it.each([0, 1, 2, 3, 4, 5])('v%i deletes by name and reports unknown names', async (version) => {
    const h = createHarness();
    const gone = await h.createTopic('gone');
    const res = await h.call<DeleteTopicsResponse>(API.deleteTopics, version, {
      topicNames: ['gone', 'never'],
      timeoutMs: 1000,
    });
    expect(res.responses.map((r) => [r.name, r.errorCode])).toEqual([
      ['gone', ErrorCode.NONE],
      ['never', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ]);
    if (version >= 5) {
      expect(res.responses[1]!.errorMessage).toBe('This server does not host this topic-partition.');
    }
    if (version >= 6) expect(res.responses[0]!.topicId).toBe(gone.id);
    expect(await h.storage.describeTopic('gone')).toBeUndefined();
  });

  it('v6 deletes by name or by id and refuses ambiguous or empty entries', async () => {
    const h = createHarness();
    await h.createTopic('by-name');
    const byId = await h.createTopic('by-id');
    await h.createTopic('both');
    const unknownId = 'ffffffffffffffffffffffffffffffff';
    const res = await h.call<DeleteTopicsResponse>(API.deleteTopics, 6, {
      topics: [
        { name: 'by-name', topicId: ZERO_UUID },
        { name: null, topicId: byId.id },
        { name: null, topicId: unknownId },
        { name: 'both', topicId: byId.id },
        { name: null, topicId: ZERO_UUID },
      ],
      timeoutMs: 1000,
    });
    expect(res.responses.map((r) => [r.name, r.errorCode, r.errorMessage])).toEqual([
      ['by-name', ErrorCode.NONE, null],
      ['by-id', ErrorCode.NONE, null],
      [null, ErrorCode.UNKNOWN_TOPIC_ID, 'This server does not host this topic ID.'],
      ['both', ErrorCode.INVALID_REQUEST, 'You may not specify both topic name and topic id.'],
      [null, ErrorCode.INVALID_REQUEST, 'Neither topic name nor id were specified.'],
    ]);
    expect((await h.storage.listTopics()).map((t) => t.name)).toEqual(['both']);
  });

  it('answers a name given twice once, with INVALID_REQUEST, and deletes nothing for it', async () => {
    const h = createHarness();
    await h.createTopic('twice');
    const res = await h.call<DeleteTopicsResponse>(API.deleteTopics, 6, {
      topics: [
        { name: 'twice', topicId: ZERO_UUID },
        { name: 'twice', topicId: ZERO_UUID },
      ],
      timeoutMs: 1000,
    });
    expect(res.responses).toEqual([
      {
        name: 'twice',
        topicId: ZERO_UUID,
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage: 'Duplicate topic name.',
      },
    ]);
    expect(await h.storage.describeTopic('twice')).toBeDefined();
  });

  it('a topic created again under the same name starts empty with a new id', async () => {
    const h = createHarness();
    const [first] = await createTopics(h, [creatable('again', { numPartitions: 2 })]);
    expect((await produce(h, 'again', batch(5))).errorCode).toBe(ErrorCode.NONE);
    await h.call<DeleteTopicsResponse>(API.deleteTopics, 5, { topicNames: ['again'], timeoutMs: 1000 });
    const [second] = await createTopics(h, [creatable('again', { numPartitions: 1 })]);
    expect(second!.errorCode).toBe(ErrorCode.NONE);
    expect(second!.topicId).not.toBe(first!.topicId);
    expect(await h.storage.offsets('again', 0)).toEqual({ logStartOffset: 0n, highWatermark: 0n });
    const read = await fetchFrom(h, 'again', 0n);
    expect(read).toMatchObject({ errorCode: ErrorCode.NONE, highWatermark: 0n });
  });

  it('ends a fetch waiting on the deleted topic with UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const h = createHarness();
    await h.createTopic('waited');
    // Parked for up to 10 minutes on the empty partition: only the deletion can end it within the bound.
    const waiting = fetchFrom(h, 'waited', 0n, { maxWaitMs: 600_000, minBytes: 1 });
    await new Promise((resolve) => setImmediate(resolve));
    await h.call<DeleteTopicsResponse>(API.deleteTopics, 4, { topicNames: ['waited'], timeoutMs: 1000 });
    const res = await within(waiting, 30_000);
    expect(res.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });
});

async function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, bound]);
  } finally {
    clearTimeout(timer);
  }
}

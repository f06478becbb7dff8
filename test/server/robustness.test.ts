import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import type { ApiVersionsResponse, MetadataResponse } from '../../src/protocol/generated/index.js';
import type { RunningGateway } from '../support/gateway.js';
import { startGateway } from '../support/gateway.js';
import { RawClient } from './support/client.js';
import { requestHeader, withSize } from './support/wire.js';

/*
 * Hostile or broken input on one connection closes that connection and nothing else: a second
 * connection, opened before the abuse, keeps getting real answers.
 */

const MAX_REQUEST_BYTES = 1 << 20;

let gateway: RunningGateway;
let witness: RawClient;
let correlation = 1000;

beforeAll(async () => {
  gateway = await startGateway({ config: { maxRequestBytes: MAX_REQUEST_BYTES } });
});

afterAll(async () => {
  await gateway.stop();
});

beforeEach(async () => {
  witness = await RawClient.connect(gateway.port);
});

afterEach(() => {
  witness.destroy();
});

/** A real ApiVersions and Metadata round trip on the witness connection. */
async function witnessStillServed(): Promise<void> {
  const versions = await witness.call<ApiVersionsResponse>(
    18,
    3,
    { clientSoftwareName: 'w', clientSoftwareVersion: '1' },
    ++correlation,
  );
  expect(versions.errorCode).toBe(ErrorCode.NONE);
  expect(versions.apiKeys.length).toBeGreaterThan(5);
  const metadata = await witness.call<MetadataResponse>(
    3,
    12,
    {
      topics: [{ topicId: '0'.repeat(32), name: 'witness' }],
      allowAutoTopicCreation: true,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    },
    ++correlation,
  );
  expect(metadata.brokers[0]!.port).toBe(gateway.port);
  expect(metadata.topics[0]).toMatchObject({ name: 'witness', errorCode: ErrorCode.NONE });
  expect(witness.isClosed).toBe(false);
}

/** Sends `bytes` on a fresh connection and expects the gateway to close it without answering. */
async function abuse(bytes: Buffer, opts: { endAfter?: boolean } = {}): Promise<void> {
  const victim = await RawClient.connect(gateway.port);
  try {
    victim.write(bytes);
    if (opts.endAfter) victim.socket.end();
    await victim.waitClosed();
    expect(victim.pending).toBe(0);
  } finally {
    victim.destroy();
  }
  await witnessStillServed();
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomBytes(seed: number, n: number): Buffer {
  const rand = mulberry32(seed);
  return Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));
}

describe('a connection sending garbage is closed; others carry on', () => {
  it('works before any abuse', async () => {
    await witnessStillServed();
  });

  it.each([1, 2, 3, 4, 5])('random byte stream (seed %i)', async (seed) => {
    const bytes = randomBytes(seed, 64 * 1024);
    // A random prefix that happened to declare a small frame would make the gateway wait for more
    // data, which is right; these seeds declare negative or oversized frames.
    const declared = bytes.readInt32BE(0);
    expect(declared < 0 || declared > MAX_REQUEST_BYTES).toBe(true);
    await abuse(bytes);
  });

  it.each([11, 12, 13, 14, 15])('random bodies in well-sized frames (seed %i)', async (seed) => {
    const body = randomBytes(seed, 200);
    // Keep the random api key off the keys the gateway serves, so the outcome is a close.
    body.writeInt16BE(1000 + seed, 0);
    await abuse(Buffer.concat([withSize(body), withSize(randomBytes(seed + 100, 50))]));
  });

  it('truncated frame followed by end of stream', async () => {
    const frame = withSize(requestHeader(18, 0));
    await abuse(frame.subarray(0, frame.length - 3), { endAfter: true });
  });

  it('size prefix cut short, then end of stream', async () => {
    await abuse(Buffer.from([0, 0]), { endAfter: true });
  });

  it('negative frame size', async () => {
    await abuse(Buffer.concat([int32(-5), Buffer.alloc(16)]));
  });

  it('frame size above --max-request-bytes, closed before the body is sent', async () => {
    await abuse(int32(MAX_REQUEST_BYTES + 1));
  });

  it('frame size 2^31-1', async () => {
    await abuse(int32(0x7fffffff));
  });

  it('empty frame', async () => {
    await abuse(int32(0));
  });

  it('frame too short for a request header', async () => {
    await abuse(withSize(Buffer.from([0, 18, 0])));
  });

  it('unknown api key', async () => {
    await abuse(withSize(requestHeader(4242, 0)));
  });

  it('api key with a definition but no handler', async () => {
    await abuse(withSize(requestHeader(17, 1)));
  });

  it('unsupported version of a served api', async () => {
    await abuse(withSize(requestHeader(3, 99)));
  });

  it('valid header with a garbage body', async () => {
    // Metadata v1: the topics array claims 100000 entries.
    await abuse(withSize(Buffer.concat([requestHeader(3, 1), int32(100_000), Buffer.from('garbage')])));
  });

  it('valid header with a body cut short inside the frame', async () => {
    const frame = Buffer.concat([requestHeader(3, 1), int32(1), Buffer.from([0, 10, 0x61])]);
    await abuse(withSize(frame));
  });

  it('client id length running past the frame', async () => {
    const header = Buffer.concat([Buffer.from([0, 18, 0, 1]), int32(1), Buffer.from([0x7f, 0xff])]);
    await abuse(withSize(header));
  });

  it('a good request and garbage in the same chunk', async () => {
    const victim = await RawClient.connect(gateway.port);
    try {
      victim.write(Buffer.concat([withSize(requestHeader(18, 0, { correlationId: 9 })), int32(-1)]));
      // The decoder fails on the second frame's size; the connection closes whatever came before.
      await victim.waitClosed();
    } finally {
      victim.destroy();
    }
    await witnessStillServed();
  });

  it('many abusive connections at once', async () => {
    const victims = await Promise.all(Array.from({ length: 20 }, () => RawClient.connect(gateway.port)));
    victims.forEach((v, i) => v.write(i % 2 === 0 ? int32(-1) : withSize(requestHeader(9000 + i, 0))));
    await Promise.all(victims.map((v) => v.waitClosed()));
    await witnessStillServed();
  });
});

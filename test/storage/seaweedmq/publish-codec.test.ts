import { describe, expect, it } from 'vitest';
import { encodeMessage, type KafkaRecord } from '../../../src/storage/seaweedmq/envelope.js';
import { FRAME_HEADER } from '../../../src/storage/seaweedmq/h2-stream.js';
import { encodeDataFrames, encodePublishRequest } from '../../../src/storage/seaweedmq/publish-codec.js';

const base: KafkaRecord = { key: null, value: null, headers: [], timestamp: 0n, timestampType: 0 };

/** One record at a time through the envelope, the request encoder and gRPC framing. */
function oneByOne(records: KafkaRecord[], stamps: bigint[]): Buffer {
  return Buffer.concat(
    records.map((r, i) => {
      const body = encodePublishRequest({ data: encodeMessage(r, stamps[i]!) });
      const header = Buffer.alloc(FRAME_HEADER);
      header.writeUInt32BE(body.length, 1);
      return Buffer.concat([header, body]);
    }),
  );
}

describe('encodeDataFrames', () => {
  const records: KafkaRecord[] = [
    { ...base, timestamp: 1_700_000_000_123n },
    { ...base, key: Buffer.alloc(0), value: Buffer.alloc(0), timestamp: 5n },
    { ...base, key: Buffer.from('k'), value: Buffer.alloc(300, 7), timestamp: -1n },
    {
      key: Buffer.alloc(200, 1),
      value: Buffer.alloc(70_000, 2),
      headers: [
        { key: 'a', value: Buffer.from('x') },
        { key: 'ключ', value: null },
        { key: '', value: Buffer.alloc(0) },
      ],
      timestamp: 42n,
      timestampType: 1,
    },
    {
      ...base,
      key: Buffer.from([0, 0, 0, 1]),
      value: Buffer.from([0, 0, 0, 0, 0, 0]),
      txn: { producerId: 4_000_000_000n, producerEpoch: 3, control: true },
    },
    { ...base, value: Buffer.from('v'), txn: { producerId: 7n, producerEpoch: 0, control: false } },
  ];

  it('writes the same bytes as encoding and framing each record on its own', () => {
    const stamps = [1n, 2n ** 62n, 0n, 1_764_000_000_000_000_000n, 127n, 128n];
    let next = 0;
    const fused = encodeDataFrames(records, () => stamps[next++]!);
    expect(next).toBe(records.length);
    expect(fused.equals(oneByOne(records, stamps))).toBe(true);
  });

  it('stamps records in order, one stamp each', () => {
    const seen: bigint[] = [];
    let ts = 100n;
    encodeDataFrames(records.slice(0, 3), () => {
      seen.push(++ts);
      return ts;
    });
    expect(seen).toEqual([101n, 102n, 103n]);
  });
});

import type * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { decodeFetchResponse } from '../../../src/storage/seaweedmq/fetch-codec.js';
import { MessagingClient } from '../../../src/storage/seaweedmq/proto.js';

const method = MessagingClient.service.FetchMessage as grpc.MethodDefinition<unknown, unknown>;

/** What a broker sends, encoded by proto-loader from the object. */
const wire = (res: object): Buffer => method.responseSerialize(res);

describe('decodeFetchResponse', () => {
  it.each<[string, object]>([
    [
      'messages with keys, values and stamps',
      {
        messages: [
          { key: Buffer.from('k1'), value: Buffer.alloc(300, 9), ts_ns: '1764000000000000001' },
          { key: Buffer.alloc(0), value: Buffer.from('v'), ts_ns: '0' },
          { key: Buffer.from('k3'), value: Buffer.alloc(0), ts_ns: '42' },
        ],
        high_water_mark: '123456789012',
        log_start_offset: '7',
        end_of_partition: true,
        next_offset: '123456789012',
      },
    ],
    ['an out-of-range answer', { error: 'offset out of range ✗', error_code: 2, next_offset: '5' }],
    ['an empty answer', {}],
    ['a negative error code', { error_code: -1, high_water_mark: '-1' }],
  ])('reads %s as proto-loader does', (_name, res) => {
    const bytes = wire(res);
    const ours = decodeFetchResponse(bytes);
    const theirs = method.responseDeserialize(bytes) as ReturnType<typeof decodeFetchResponse>;
    const plain = (r: typeof ours) => ({
      ...r,
      messages: r.messages.map((m) => ({
        key: m.key.toString('hex'),
        value: m.value.toString('hex'),
        ts: m.ts_ns,
      })),
    });
    expect(plain(ours)).toEqual(plain(theirs));
  });

  it('skips fields it does not know', () => {
    const known = wire({
      high_water_mark: '3',
      messages: [{ key: Buffer.from('a'), value: Buffer.from('b') }],
    });
    // Field 15 (varint) and field 16 (bytes), as a newer broker might add.
    const extra = Buffer.concat([Buffer.from([0x78, 0x05, 0x82, 0x01, 0x02, 0xaa, 0xbb]), known]);
    expect(decodeFetchResponse(extra).high_water_mark).toBe('3');
    expect(decodeFetchResponse(extra).messages[0]!.value.toString()).toBe('b');
  });
});

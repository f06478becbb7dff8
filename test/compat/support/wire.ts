import { connect, type Socket } from 'node:net';
import { validateBatches, type RecordBatch } from '../../../src/protocol/records/batch.js';
import { decodeResponse, requestFrame, withSize } from '../../server/support/wire.js';

/**
 * A one-request-at-a-time Kafka connection for what the runner must see below any client library:
 * which APIs the target advertises (ApiVersions), and the raw record batches a producer wrote
 * (producer id, epoch, sequence numbers), which no consumer API exposes.
 */
export class WireConnection {
  private buffered = Buffer.alloc(0);
  private waiting: ((frame: Buffer) => void) | undefined;
  private failed: Error | undefined;
  private correlationId = 0;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      if (this.buffered.length >= 4 && this.buffered.length >= 4 + this.buffered.readInt32BE(0)) {
        const size = this.buffered.readInt32BE(0);
        const frame = this.buffered.subarray(4, 4 + size);
        this.buffered = this.buffered.subarray(4 + size);
        const w = this.waiting;
        this.waiting = undefined;
        w?.(frame);
      }
    });
    socket.on('error', (e) => (this.failed = e));
  }

  static open(host: string, port: number, timeoutMs = 10_000): Promise<WireConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect ${host}:${port}: timed out`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', reject);
        resolve(new WireConnection(socket));
      });
      socket.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  async call<T>(apiKey: number, version: number, body: object, timeoutMs = 30_000): Promise<T> {
    if (this.failed) throw this.failed;
    const id = ++this.correlationId;
    const frame = await new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`api ${apiKey} v${version}: no response`)), timeoutMs);
      this.waiting = (f) => {
        clearTimeout(timer);
        resolve(f);
      };
      this.socket.write(
        withSize(requestFrame(apiKey, version, body, { correlationId: id, clientId: 'compat' })),
      );
    });
    const res = decodeResponse<T>(apiKey, version, frame);
    if (res.correlationId !== id) throw new Error(`correlation id ${res.correlationId}, expected ${id}`);
    return res.body;
  }

  close(): void {
    this.socket.destroy();
  }
}

interface ApiVersionsBody {
  errorCode: number;
  apiKeys: Array<{ apiKey: number; minVersion: number; maxVersion: number }>;
}

/** The API keys a broker advertises, from ApiVersions v0 (which every broker answers). */
export async function advertisedApis(host: string, port: number): Promise<Map<number, [number, number]>> {
  const c = await WireConnection.open(host, port);
  try {
    const body = await c.call<ApiVersionsBody>(18, 0, {});
    if (body.errorCode !== 0) throw new Error(`ApiVersions error ${body.errorCode}`);
    return new Map(body.apiKeys.map((k) => [k.apiKey, [k.minVersion, k.maxVersion]]));
  } finally {
    c.close();
  }
}

interface FetchBody {
  errorCode: number;
  responses: Array<{
    topic: string;
    partitions: Array<{
      partitionIndex: number;
      errorCode: number;
      highWatermark: bigint;
      records: Buffer | null;
    }>;
  }>;
}

/**
 * Every batch of one partition from offset 0 to the high watermark, through Fetch v11 (topic by name,
 * Kafka 2.3+), in as many round trips as the broker needs.
 */
export async function fetchBatches(
  host: string,
  port: number,
  topic: string,
  partition: number,
): Promise<RecordBatch[]> {
  const c = await WireConnection.open(host, port);
  const batches: RecordBatch[] = [];
  try {
    let offset = 0n;
    for (let round = 0; round < 1000; round++) {
      const body = await c.call<FetchBody>(1, 11, {
        replicaId: -1,
        maxWaitMs: 100,
        minBytes: 0,
        maxBytes: 64 << 20,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [
          {
            topic,
            partitions: [
              {
                partition,
                currentLeaderEpoch: -1,
                fetchOffset: offset,
                logStartOffset: -1n,
                partitionMaxBytes: 64 << 20,
              },
            ],
          },
        ],
        forgottenTopicsData: [],
        rackId: '',
      });
      const p = body.responses[0]?.partitions[0];
      if (!p) throw new Error('Fetch: no partition in response');
      if (body.errorCode !== 0 || p.errorCode !== 0) {
        throw new Error(`Fetch ${topic}[${partition}]: error ${body.errorCode || p.errorCode}`);
      }
      const got = p.records && p.records.length > 0 ? validateBatches(p.records, { fromClient: false }) : [];
      for (const b of got) {
        if (b.lastOffset >= offset) {
          batches.push(b);
          offset = b.lastOffset + 1n;
        }
      }
      if (offset >= p.highWatermark) return batches;
      if (got.length === 0) throw new Error(`Fetch ${topic}[${partition}]: no progress at offset ${offset}`);
    }
    throw new Error(`Fetch ${topic}[${partition}]: too many rounds`);
  } finally {
    c.close();
  }
}

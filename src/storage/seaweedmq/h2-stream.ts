/**
 * A bidirectional gRPC stream on Node's http2 directly, for PublishMessage, where grpc-js's work per
 * message (serializer, interceptors, retry bookkeeping, one HTTP/2 write each) was most of the
 * gateway's CPU: a Kafka batch of N records is written as N gRPC frames in one http2 write, and the
 * broker's acks are read frame by frame from the response body. Everything else keeps grpc-js.
 *
 * gRPC over HTTP/2: POST to /<package>.<Service>/<Method> with content-type application/grpc; every
 * message in either direction is framed as [flags: 1 byte = 0][length: uint32 big-endian][bytes];
 * the status comes in the trailers (grpc-status, grpc-message).
 */
import * as http2 from 'node:http2';
import { status } from '@grpc/grpc-js';

/** gRPC's length prefix: a compression flag and a 4-byte big-endian length. */
export const FRAME_HEADER = 5;

/** A failure shaped like grpc-js's ServiceError, so the callers' error handling applies unchanged. */
export class StreamError extends Error {
  constructor(
    readonly code: number,
    readonly details: string,
  ) {
    super(`${code} ${status[code] ?? ''}: ${details}`);
  }
}

/** One HTTP/2 connection per broker, shared by every stream to it (as grpc-js shares a channel). */
export class H2Sessions {
  private readonly sessions = new Map<string, http2.ClientHttp2Session>();

  get(address: string): http2.ClientHttp2Session {
    let session = this.sessions.get(address);
    if (session === undefined || session.closed || session.destroyed) {
      session = http2.connect(`http://${address}`, {
        // Acks are small; a larger window only matters for what the broker sends, so keep defaults
        // for the connection and let each stream buffer what it needs.
        settings: { enablePush: false, initialWindowSize: 4 * 1024 * 1024 },
      });
      const created = session;
      const forget = (): void => {
        if (this.sessions.get(address) === created) this.sessions.delete(address);
      };
      created.on('close', forget);
      created.on('goaway', forget);
      created.on('error', forget);
      this.sessions.set(address, created);
    }
    return session;
  }

  close(): void {
    for (const s of this.sessions.values()) s.destroy();
    this.sessions.clear();
  }
}

export interface StreamHandlers {
  /** One message from the server (a view; copy what must outlive the call). */
  message(bytes: Buffer): void;
  /** The stream is over: undefined for status OK, else why. Called once. */
  end(err: StreamError | undefined): void;
}

/** The client side of one streaming call. */
export class H2Stream {
  private readonly req: http2.ClientHttp2Stream;
  private pending: Buffer | undefined;
  private ended = false;
  private grpcStatus: number | undefined;
  private grpcMessage = '';

  constructor(
    sessions: H2Sessions,
    address: string,
    path: string,
    private readonly handlers: StreamHandlers,
  ) {
    let session: http2.ClientHttp2Session;
    try {
      session = sessions.get(address);
    } catch (err) {
      throw new StreamError(status.UNAVAILABLE, (err as Error).message);
    }
    this.req = session.request(
      {
        ':method': 'POST',
        ':path': path,
        'content-type': 'application/grpc',
        te: 'trailers',
      },
      { endStream: false },
    );
    this.req.on('response', (headers) => this.onHeaders(headers));
    this.req.on('trailers', (headers) => this.onHeaders(headers));
    this.req.on('data', (chunk: Buffer) => this.onData(chunk));
    this.req.on('error', (err: Error) => this.finish(new StreamError(status.UNAVAILABLE, err.message)));
    this.req.on('close', () => {
      const code = this.grpcStatus;
      if (code === undefined) {
        this.finish(new StreamError(status.UNAVAILABLE, `stream closed (http2 code ${this.req.rstCode})`));
      } else {
        this.finish(code === status.OK ? undefined : new StreamError(code, this.grpcMessage));
      }
    });
  }

  /** Writes the messages as gRPC frames in one write. */
  write(messages: readonly Buffer[]): void {
    let size = 0;
    for (const m of messages) size += FRAME_HEADER + m.length;
    const out = Buffer.allocUnsafe(size);
    let pos = 0;
    for (const m of messages) {
      out[pos] = 0;
      out.writeUInt32BE(m.length, pos + 1);
      pos += FRAME_HEADER + m.copy(out, pos + FRAME_HEADER);
    }
    this.writeFrames(out);
  }

  /** Writes messages already framed for gRPC (publish-codec.ts's encodeDataFrames). */
  writeFrames(frames: Buffer): void {
    if (!this.ended) this.req.write(frames);
  }

  /** No more messages from this side; the server ends the call when it is done. */
  end(): void {
    if (!this.ended) this.req.end();
  }

  cancel(): void {
    if (this.ended) return;
    this.finish(new StreamError(status.CANCELLED, 'cancelled'));
    this.req.close(http2.constants.NGHTTP2_CANCEL);
  }

  private onHeaders(headers: http2.IncomingHttpHeaders): void {
    const s = headers['grpc-status'];
    if (s !== undefined) {
      this.grpcStatus = Number(s);
      const m = headers['grpc-message'];
      this.grpcMessage = typeof m === 'string' ? decodeURIComponent(m) : '';
    }
    const httpStatus = headers[':status'];
    if (httpStatus !== undefined && Number(httpStatus) !== 200) {
      this.finish(new StreamError(status.UNAVAILABLE, `HTTP status ${httpStatus}`));
      this.req.close(http2.constants.NGHTTP2_CANCEL);
    }
  }

  private onData(chunk: Buffer): void {
    let buf = this.pending === undefined ? chunk : Buffer.concat([this.pending, chunk]);
    let pos = 0;
    while (buf.length - pos >= FRAME_HEADER) {
      const len = buf.readUInt32BE(pos + 1);
      if (buf.length - pos - FRAME_HEADER < len) break;
      if (!this.ended) this.handlers.message(buf.subarray(pos + FRAME_HEADER, pos + FRAME_HEADER + len));
      pos += FRAME_HEADER + len;
    }
    buf = buf.subarray(pos);
    this.pending = buf.length > 0 ? Buffer.from(buf) : undefined;
  }

  private finish(err: StreamError | undefined): void {
    if (this.ended) return;
    this.ended = true;
    this.handlers.end(err);
  }
}

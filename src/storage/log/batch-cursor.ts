/**
 * Walks the record batches of a segment file from a position, reading it in blocks and handing out
 * each batch as a view of the block that holds it (a batch larger than a block gets a read of its
 * own). Only the 61-byte headers are looked at; a header that cannot start a batch stops the walk
 * and says why, which is how recovery finds a torn or corrupt tail.
 */
import {
  BATCH_HEADER_SIZE,
  LOG_OVERHEAD,
  OFF_BASE_OFFSET,
  OFF_BATCH_LENGTH,
  OFF_LAST_OFFSET_DELTA,
  OFF_MAGIC,
} from '../../protocol/records/layout.js';
import type { LogFile } from './fs.js';

export const DEFAULT_BLOCK = 256 * 1024;

export class BatchCursor {
  private block = Buffer.alloc(0);
  /** File position of block[0]. */
  private blockAt: number;
  private at: number;
  /** Why the walk stopped before `end`, when it did. */
  problem: string | undefined;

  constructor(
    private readonly file: LogFile,
    position: number,
    private readonly end: number,
    private readonly blockSize = DEFAULT_BLOCK,
  ) {
    this.blockAt = position;
    this.at = position;
  }

  /** File position of the next batch (after next() returned one: of the one after it). */
  get position(): number {
    return this.at;
  }

  /** The next whole batch, or undefined at the end or at a header that cannot start a batch. */
  async next(): Promise<Buffer | undefined> {
    if (this.problem !== undefined) return undefined;
    const left = this.end - this.at;
    if (left <= 0) return undefined;
    if (left < BATCH_HEADER_SIZE) return this.stop(`${left} bytes at the end cannot hold a batch header`);
    if (!this.holds(this.at, BATCH_HEADER_SIZE)) await this.load(this.at, BATCH_HEADER_SIZE);
    const h = this.at - this.blockAt;
    const size = this.block.readInt32BE(h + OFF_BATCH_LENGTH) + LOG_OVERHEAD;
    if (size < BATCH_HEADER_SIZE) return this.stop(`batch length ${size - LOG_OVERHEAD} is below a header`);
    if (size > left) return this.stop(`batch of ${size} bytes runs past the ${left} bytes left`);
    const magic = this.block.readInt8(h + OFF_MAGIC);
    if (magic !== 2) return this.stop(`magic ${magic}`);
    if (this.block.readInt32BE(h + OFF_LAST_OFFSET_DELTA) < 0) return this.stop('negative last offset delta');
    if (!this.holds(this.at, size)) await this.load(this.at, size);
    const start = this.at - this.blockAt;
    this.at += size;
    return this.block.subarray(start, start + size);
  }

  /** Skips the batch just returned back: the next call starts again at `position`. */
  rewindTo(position: number): void {
    this.at = position;
  }

  private stop(problem: string): undefined {
    this.problem = `at byte ${this.at}: ${problem}`;
    return undefined;
  }

  private holds(position: number, length: number): boolean {
    return position >= this.blockAt && position + length <= this.blockAt + this.block.length;
  }

  private async load(position: number, atLeast: number): Promise<void> {
    const length = Math.min(this.end - position, Math.max(atLeast, this.blockSize));
    const block = Buffer.allocUnsafe(length);
    const got = await this.file.read(block, 0, length, position);
    if (got < atLeast) throw new Error(`${this.file.path}: read ${got} of ${atLeast} bytes at ${position}`);
    this.block = got === length ? block : block.subarray(0, got);
    this.blockAt = position;
  }
}

/** Base offset of a batch view. */
export function baseOffsetOf(batch: Buffer): bigint {
  return batch.readBigInt64BE(OFF_BASE_OFFSET);
}

/** Offset after the last one a batch view covers. */
export function nextOffsetOf(batch: Buffer): bigint {
  return batch.readBigInt64BE(OFF_BASE_OFFSET) + BigInt(batch.readInt32BE(OFF_LAST_OFFSET_DELTA)) + 1n;
}

/**
 * Packs small appends of one partition into shared chunks. Each retained Buffer costs a few hundred
 * bytes of JS objects and allocator overhead besides its bytes, which would triple the memory of a
 * log made of 100-byte batches (one message per produce, as kcat and linger.ms=0 producers send).
 * Chunks are filled in append order, so deleting from the start of the log frees whole chunks; a
 * chunk is pinned only while some of its batches are still held.
 */

/** Appends up to this size are copied into a chunk; larger ones are kept on their own. */
export const ARENA_MAX_COPY = 4096;
const FIRST_CHUNK = 4096;
/** Chunks grow to this size, so a partition holding little data holds little memory. */
const MAX_CHUNK = 64 * 1024;

export interface Placement {
  readonly chunk: Buffer;
  /** Where the copied bytes start in chunk. */
  readonly at: number;
}

export class Arena {
  private chunk: Buffer | undefined;
  private used = 0;
  private nextSize = FIRST_CHUNK;

  /** Copies `src` (at most ARENA_MAX_COPY bytes) into the current chunk, opening a new one if full. */
  copyIn(src: Buffer): Placement {
    if (src.length > ARENA_MAX_COPY)
      throw new Error(`arena copy of ${src.length} bytes exceeds ${ARENA_MAX_COPY}`);
    if (this.chunk === undefined || this.chunk.length - this.used < src.length) {
      // allocUnsafeSlow: outside Node's shared pool, so a chunk pins nothing but itself.
      this.chunk = Buffer.allocUnsafeSlow(this.nextSize);
      this.used = 0;
      this.nextSize = Math.min(MAX_CHUNK, this.nextSize * 2);
    }
    const at = this.used;
    src.copy(this.chunk, at);
    this.used += src.length;
    return { chunk: this.chunk, at };
  }
}

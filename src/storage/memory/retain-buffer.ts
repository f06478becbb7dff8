/**
 * Decides whether a buffer about to be kept for a long time should be copied first.
 *
 * A batch handed to append() is usually a view into a whole request frame (or a socket chunk, or an
 * 8 KB pool slab). Keeping the view keeps that whole ArrayBuffer alive for as long as the batch is
 * retained, so a small batch can pin many times its size. Copying costs one memcpy at append time;
 * not copying can cost the gateway its memory target, so we copy whenever the waste is significant.
 */

/**
 * Copy when the backing ArrayBuffer is more than this many times the view's length… The gateway's
 * memory target is 1.5x the data held, so a view may not pin much more than itself; a copy is one
 * memcpy, cheap next to the CRC check that already read every byte.
 */
export const RETAIN_MAX_RATIO = 1.25;
/** …and the backing ArrayBuffer is larger than this (tiny buffers are not worth a copy). */
export const RETAIN_MIN_BACKING_BYTES = 4096;

export function shouldCopyForRetention(buf: Buffer): boolean {
  const backing = buf.buffer.byteLength;
  return backing > RETAIN_MAX_RATIO * buf.length && backing > RETAIN_MIN_BACKING_BYTES;
}

/** Returns `buf` itself, or a copy in its own exactly sized ArrayBuffer when `buf` pins much more. */
export function retainCompact(buf: Buffer): Buffer {
  if (!shouldCopyForRetention(buf)) return buf;
  // allocUnsafeSlow: a pooled allocation would share an 8 KB slab and recreate the problem.
  const copy = Buffer.allocUnsafeSlow(buf.length);
  buf.copy(copy);
  return copy;
}

/**
 * A rate over sampled windows, measured as Kafka's quota sensors measure it (its Rate over a
 * SampledStat): `samples` windows of `windowMs`, the oldest ones dropped once they are
 * samples × windowMs old, and a rate window that counts at least samples-1 whole windows so a
 * burst at start-up is not measured over a few milliseconds.
 */
interface Sample {
  start: number;
  value: number;
}

export interface RateConfig {
  readonly samples: number;
  readonly windowMs: number;
}

export class SampledRate {
  private readonly samples: Sample[] = [];
  private current = 0;
  lastRecordMs = 0;

  constructor(private readonly config: RateConfig) {}

  record(value: number, now: number): void {
    this.lastRecordMs = now;
    let sample = this.samples[this.current];
    if (sample === undefined) {
      sample = { start: now, value: 0 };
      this.samples.push(sample);
    } else if (now - sample.start >= this.config.windowMs) {
      this.current = (this.current + 1) % this.config.samples;
      sample = this.samples[this.current];
      if (sample === undefined) {
        sample = { start: now, value: 0 };
        this.samples.push(sample);
      } else {
        sample.start = now;
        sample.value = 0;
      }
    }
    sample.value += value;
  }

  private purge(now: number): void {
    const expiry = this.config.samples * this.config.windowMs;
    for (const s of this.samples) {
      if (now - s.start >= expiry) {
        s.start = now;
        s.value = 0;
      }
    }
  }

  /** Milliseconds the rate is measured over. */
  windowSize(now: number): number {
    this.purge(now);
    let oldest = now;
    for (const s of this.samples) oldest = Math.min(oldest, s.start);
    let elapsed = now - oldest;
    const full = Math.floor(elapsed / this.config.windowMs);
    const minFull = this.config.samples - 1;
    if (full < minFull) elapsed += (minFull - full) * this.config.windowMs;
    return Math.max(elapsed, 1);
  }

  /** Units per second. */
  measure(now: number): number {
    this.purge(now);
    let total = 0;
    for (const s of this.samples) total += s.value;
    return total / (this.windowSize(now) / 1000);
  }
}

/**
 * Kafka's throttle time for an observed rate over a bound: the delay that brings the rate over the
 * measured window back to the bound, (observed - bound) / bound × window.
 */
export function throttleTimeMs(observed: number, bound: number, windowMs: number): number {
  return Math.round(((observed - bound) / bound) * windowMs);
}

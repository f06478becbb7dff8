/** Whether an external client can be used in this run, and if not, why. */
export type Availability<T> = { ok: true; client: T } | { ok: false; reason: string };

/**
 * A client that cannot be installed skips its tests on a developer machine (with the reason printed),
 * but fails them under CI, where the install step is part of the job and must work.
 */
export function unavailable<T>(reason: string): Availability<T> {
  if (process.env.CI) {
    throw new Error(`${reason} (CI must install it: see scripts/clients/)`);
  }
  console.warn(`[skip] ${reason}`);
  return { ok: false, reason };
}

/**
 * A client that no registry reachable from here will serve (not an install step that went wrong):
 * its tests skip everywhere, CI included, and say why.
 */
export function blocked<T>(reason: string): Availability<T> {
  console.warn(`[blocked] ${reason}`);
  return { ok: false, reason };
}

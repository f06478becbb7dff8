/**
 * /readyz: the gateway is ready when it listens, its store answers and its consumer groups are
 * loaded (or another gateway coordinates them). /healthz only says the process is up.
 */
import type { Services } from '../services.js';

/** A store call slower than this counts as the store not answering. */
const STORE_TIMEOUT_MS = 2000;

export interface Readiness {
  readonly ready: boolean;
  readonly checks: Record<string, { readonly ok: boolean; readonly detail: string }>;
}

async function storeCheck(services: Services): Promise<{ ok: boolean; detail: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${STORE_TIMEOUT_MS} ms`)), STORE_TIMEOUT_MS);
  });
  try {
    await Promise.race([services.storage.listTopics(), timeout]);
    return { ok: true, detail: `${services.storage.kind} answers` };
  } catch (err) {
    return { ok: false, detail: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

export async function readiness(services: Services, listening: () => boolean): Promise<Readiness> {
  const status = services.groups.status;
  // Gateways sharing the groups take part once the lock service knows them (src/coordination/).
  const shared = services.coordinatorSlots;
  const groupsOk = (status === 'active' && (shared?.registered ?? true)) || status === 'remote';
  const detail =
    shared === undefined
      ? `group coordinator ${status}`
      : `group coordinator ${status}, ${shared.registered ? 'sharing groups with the other gateways' : 'not registered with the lock service yet'}`;
  const checks = {
    listening: { ok: listening(), detail: listening() ? 'accepting Kafka connections' : 'not listening' },
    store: await storeCheck(services),
    groups: { ok: groupsOk, detail },
  };
  return { ready: Object.values(checks).every((c) => c.ok), checks };
}

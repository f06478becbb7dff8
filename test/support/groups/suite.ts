import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Availability } from '../clients/availability.js';
import { startTarget, type Target } from '../clients/target.js';
import type { LineProcess } from './line-process.js';

export interface GroupSuite {
  /** The broker under test, started once for the describe block. */
  target(): Target;
  /** Member and producer processes of the running test; killed after each test. */
  readonly running: LineProcess[];
}

/** Registers the hooks every consumer-group suite shares. Call inside the describe block. */
export function groupSuite(): GroupSuite {
  let target: Target | undefined;
  const running: LineProcess[] = [];
  beforeAll(async () => {
    target = await startTarget();
  });
  afterEach(async () => {
    for (const p of running.splice(0)) {
      p.kill();
      await p.exited;
    }
  });
  afterAll(async () => {
    await target?.stop();
  });
  return {
    target() {
      if (target === undefined) throw new Error('the target is not started');
      return target;
    },
    running,
  };
}

/** The installed client, or the reason it is missing as an error. */
export function installed<T>(availability: Availability<T>): T {
  if (!availability.ok) throw new Error(availability.reason);
  return availability.client;
}

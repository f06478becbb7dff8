import type { Fixture } from '../support/fixture.js';
import type { Cell, ClientSpec, Driver, Scenario } from '../types.js';

/** The broker under test as the scenarios see it. */
export interface Target {
  kind: 'gateway' | 'external';
  host: string;
  port: number;
  /** Bootstrap address per metadata scenario, or why the target cannot be reached that way. */
  bootstraps: Record<'meta-ipv4' | 'meta-localhost' | 'meta-ipv6', string | { skip: string }>;
  /** Whether the target advertises JoinGroup: until it does, group cells are pending. */
  groupsServed: boolean;
  /** Whether the target advertises EndTxn: until it does, transaction cells are pending. */
  txnServed: boolean;
  /** The topic (2 partitions) every metadata listing must show. */
  probeTopic: string;
}

export interface ClientRun {
  spec: ClientSpec;
  driver: Driver;
  target: Target;
  fixture: Fixture;
  /** Prefix of every topic and group this client's run creates. */
  base: string;
  workDir: string;
  /** Records per produce scenario (1,000 by default). */
  count: number;
  cells: Partial<Record<Scenario, Cell>>;
}

export const PENDING_GROUPS = 'needs consumer groups (the target does not advertise JoinGroup)';

/** A cell's check failing is an Error whose message says what differed. */
export class CheckFailed extends Error {}

export function check(ok: boolean, message: string): void {
  if (!ok) throw new CheckFailed(message);
}

/** What a cell's body may return: a pass (with an optional note), or pending with the reason. */
export type CellOutcome = string | void | { pending: string };

/** Runs one cell: pass unless it throws; a thrown error becomes the cell's failure detail. */
export async function cell(
  run: ClientRun,
  scenario: Scenario,
  body: () => Promise<CellOutcome>,
): Promise<void> {
  const started = Date.now();
  try {
    const outcome = await body();
    const ms = Date.now() - started;
    if (typeof outcome === 'object') {
      run.cells[scenario] = { status: 'pending', detail: outcome.pending, ms };
      return;
    }
    run.cells[scenario] = { status: 'pass', ...(outcome ? { detail: outcome } : {}), ms };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    run.cells[scenario] = { status: 'fail', detail: message.trim().slice(0, 4000), ms: Date.now() - started };
  }
}

export function mark(
  run: ClientRun,
  scenario: Scenario,
  status: 'n/a' | 'pending' | 'skipped',
  detail: string,
): void {
  run.cells[scenario] = { status, detail };
}

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Fixture } from '../support/fixture.js';
import { NotOffered } from '../clients.js';
import type { Cell, ClientSpec, Scenario } from '../types.js';
import { createTopicCell, deleteTopicCell, metadataCells } from './basic.js';
import type { ClientRun, Target } from './context.js';
import { groupCells } from './groups.js';
import { idempotentCell, roundtripCells } from './roundtrip.js';
import { commitAbortCell, consumeTransformProduceCell } from './transactions.js';

export interface ClientResult {
  id: string;
  name: string;
  version: string;
  notes: readonly string[];
  /** Set when the client could not be installed or started: no cell ran. */
  unavailable?: string;
  /** The registries reachable here do not offer the client at all (see NotOffered). */
  notOffered?: boolean;
  cells: Partial<Record<Scenario, Cell>>;
  ms: number;
}

export interface RunOptions {
  target: Target;
  fixture: Fixture;
  runId: string;
  workDir: string;
  count: number;
}

/** Installs (cached) and runs every scenario for one client, in order: each cell is independent. */
export async function runClient(spec: ClientSpec, o: RunOptions): Promise<ClientResult> {
  const started = Date.now();
  const workDir = path.join(o.workDir, spec.id);
  mkdirSync(workDir, { recursive: true });
  const helpers = { workDir, endOffsets: (topic: string) => o.fixture.endOffsets(topic) };
  let prepared;
  try {
    prepared = await spec.prepare(helpers);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    return {
      id: spec.id,
      name: spec.name,
      version: '?',
      notes: spec.notes,
      unavailable: reason,
      notOffered: e instanceof NotOffered,
      cells: {},
      ms: Date.now() - started,
    };
  }
  const run: ClientRun = {
    spec,
    driver: prepared.driver,
    target: o.target,
    fixture: o.fixture,
    base: `compat-${spec.id}-${o.runId}`,
    workDir,
    count: o.count,
    cells: {},
  };
  try {
    await metadataCells(run);
    await createTopicCell(run);
    await roundtripCells(run);
    await idempotentCell(run);
    await groupCells(run);
    await commitAbortCell(run);
    await consumeTransformProduceCell(run);
    await deleteTopicCell(run);
  } finally {
    await prepared.driver.close?.();
    // Leave a shared broker (the reference Kafka) as it was found.
    const mine = (await o.fixture.listTopics().catch(() => [])).filter((t) => t.startsWith(run.base));
    await o.fixture.deleteTopics(mine).catch(() => undefined);
  }
  return {
    id: spec.id,
    name: spec.name,
    version: prepared.version,
    notes: spec.notes,
    cells: run.cells,
    ms: Date.now() - started,
  };
}

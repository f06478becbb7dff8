/**
 * Three gateways on one SeaweedMQ namespace share the coordination of consumer groups through leases
 * in the filer (src/coordination/). One group has a Java member bootstrapped from each gateway; the
 * gateway coordinating it is killed (SIGKILL). The group must carry on with a live gateway as its
 * coordinator before any member's session times out, and consume every record, processing a record
 * twice only where its partition had not been committed yet when the gateway died.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createTopic } from '../support/clients/topics.js';
import { allEvents, waitAllProcessed } from '../support/groups/group-events.js';
import {
  describeGroup,
  javaGroupTools,
  produceSequence,
  startJavaGroup,
  type JavaGroupTools,
} from '../support/groups/java-groups.js';
import { account, committedAt, describeAccounting, processedRecords } from '../support/groups/ledger.js';
import type { LineProcess } from '../support/groups/line-process.js';
import { startGatewayProcess, type GatewayProcess } from './support/gateway-process.js';
import { uniqueNamespace } from './support/storage.js';

const groupTools = await javaGroupTools();
const TOPIC = 'failover-orders';
const GROUP = 'failover-group';
const PARTITIONS = 6;
const BATCH = 600;
/** Short leases keep the test short: a dead gateway's groups move after about twice this. */
const LEASE_MS = 3_000;
const SESSION_TIMEOUT_MS = 15_000;
const step = (what: string): void => console.error(`[group failover ${new Date().toISOString()}] ${what}`);

describe.skipIf(!groupTools.ok)('consumer group coordination failing over between gateways', () => {
  const gateways: GatewayProcess[] = [];
  const members: LineProcess[] = [];

  afterAll(async () => {
    if (process.env.GATEWAY_LOGS)
      for (const g of gateways) console.log(`gateway ${g.nodeId}:\n${g.log.join('\n')}`);
    for (const m of members) m.kill();
    await Promise.all(members.map((m) => m.exited));
    await Promise.all(gateways.map((g) => g.kill()));
  });

  it('the group reforms on a live gateway within the session timeout and consumes every record', async () => {
    if (!groupTools.ok) throw new Error(groupTools.reason);
    const tools: JavaGroupTools = groupTools.client;
    const namespace = uniqueNamespace('failover');
    const lease = ['--coordinator-lease-ms', String(LEASE_MS)];
    gateways.push(
      ...(await Promise.all(
        [1, 2, 3].map((nodeId) => startGatewayProcess({ nodeId, namespace, extraArgs: lease })),
      )),
    );
    step('gateways up');
    await createTopic(gateways[0]!.bootstrap, TOPIC, PARTITIONS);
    const first = await produceSequence(tools, {
      bootstrap: gateways[0]!.bootstrap,
      topic: TOPIC,
      partitions: PARTITIONS,
      count: BATCH,
    });
    expect(first).toHaveLength(BATCH);
    step('first batch produced');

    for (const [i, g] of gateways.entries()) {
      members.push(
        startJavaGroup(tools, {
          bootstrap: g.bootstrap,
          topic: TOPIC,
          group: GROUP,
          members: [`m${i + 1}`],
          sessionTimeoutMs: SESSION_TIMEOUT_MS,
          heartbeatIntervalMs: 1000,
          maxPollRecords: 20,
          batchDelayMs: 100,
          maxRuntimeMs: 300_000,
          label: `member via gateway ${g.nodeId}`,
        }),
      );
    }
    const processed = (): number => processedRecords(allEvents(members)).length;
    for (const m of members) {
      await m.waitFor(
        'a partition assigned',
        (e) => e.ev === 'assigned' && (e.parts as unknown[]).length > 0,
        120_000,
      );
    }
    await members[0]!.waitUntil('a third of the records processed', () => processed() >= BATCH / 3, 120_000);

    step('consuming');
    const before = await describeGroup(tools, gateways[0]!.bootstrap, GROUP);
    expect(before.description.state).toBe('Stable');
    expect(before.description.members).toHaveLength(3);
    const dead = gateways.find((g) => g.nodeId === before.coordinator)!;
    expect(dead).toBeDefined();
    await dead.kill('SIGKILL');
    const killedAt = Date.now();
    step(`killed the coordinator, gateway ${dead.nodeId}`);
    const live = gateways.filter((g) => g !== dead);

    const second = await produceSequence(tools, {
      bootstrap: live[0]!.bootstrap,
      topic: TOPIC,
      partitions: PARTITIONS,
      count: BATCH,
      start: BATCH,
    });
    const produced = [...first, ...second];
    step('second batch produced');
    await waitAllProcessed(members, produced, 240_000);

    step('all processed');
    const after = await describeGroup(tools, live[1]!.bootstrap, GROUP);
    expect(live.map((g) => g.nodeId)).toContain(after.coordinator);
    expect(after.description.state).toBe('Stable');
    expect(after.description.members).toHaveLength(3);
    await Promise.all(members.map((m) => m.stop()));

    const events = allEvents(members);
    // Expelled members (session timeouts) would show as lost partitions or fenced members.
    const trouble = events.filter((e) => e.t >= killedAt && ['lost', 'fenced', 'error'].includes(e.ev));
    expect(trouble).toEqual([]);
    const accounting = account(produced, processedRecords(events));
    const summary = describeAccounting(accounting);
    expect(accounting.lost, summary).toEqual([]);
    expect(accounting.unknown, summary).toEqual([]);
    expect(accounting.wrongValue, summary).toEqual([]);
    const committed = committedAt(events, killedAt);
    const unexcused = accounting.duplicates.filter((d) => d.o < (committed.get(d.p) ?? 0));
    expect(unexcused, summary).toEqual([]);
  }, 600_000);
});

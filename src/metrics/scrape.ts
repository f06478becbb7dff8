/**
 * Gauges of state, computed when /metrics is scraped and never on the request path: partition
 * offsets and sizes, consumer-group lag, group states and members, idempotent producers,
 * transactions per state. One snapshot serves every gauge of a scrape.
 */
import type { Gauge, Registry } from 'prom-client';
import type { Logger } from '../log.js';
import type { Services } from '../services.js';
import { scrapedGauge } from './families.js';

/** Kafka's classic group states, all reported (at 0 when none is in it). */
const GROUP_STATES = ['PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead', 'Empty'];
/** Offsets of this many partitions are asked for at once (each is a round trip on SeaweedMQ). */
const PARALLEL = 16;
/** Gauges scraped together share one snapshot taken at most this long ago. */
const SNAPSHOT_MS = 1000;

interface PartitionState {
  readonly topic: string;
  readonly partition: number;
  readonly highWatermark: bigint;
  readonly logStartOffset: bigint;
}

interface GroupState {
  readonly groupId: string;
  readonly state: string;
  readonly members: number;
  readonly offsets: { topic: string; partition: number; committed: bigint }[];
}

interface Snapshot {
  readonly partitions: PartitionState[];
  readonly sizes: { topic: string; partition: number; dir: string; bytes: bigint; segments?: number }[];
  readonly groups: GroupState[];
}

async function inBatches<T, R>(items: readonly T[], each: (item: T) => Promise<R | undefined>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += PARALLEL) {
    const done = await Promise.all(items.slice(i, i + PARALLEL).map(each));
    for (const r of done) if (r !== undefined) out.push(r);
  }
  return out;
}

async function takeSnapshot(services: Services, log: Logger): Promise<Snapshot> {
  const { storage, groups } = services;
  const topics = await storage.listTopics();
  const all = topics.flatMap((t) =>
    Array.from({ length: t.partitions }, (_, partition) => ({ t, partition })),
  );
  const partitions = await inBatches(all, async ({ t, partition }) => {
    try {
      const o = await storage.offsets(t.name, partition);
      return { topic: t.name, partition, ...o };
    } catch (err) {
      log.debug({ err, topic: t.name, partition }, 'metrics: partition offsets unavailable');
      return undefined;
    }
  });
  const sizes: Snapshot['sizes'] = [];
  if (storage.describeLogDirs !== undefined) {
    for (const dir of await storage.describeLogDirs()) {
      for (const p of dir.partitions) {
        sizes.push({
          topic: p.topic,
          partition: p.partition,
          dir: dir.path,
          bytes: p.sizeBytes,
          segments: p.segments,
        });
      }
    }
  }
  const listed = await groups.listGroups();
  const described = await groups.describeGroups(listed.groups.map((g) => g.groupId));
  const groupStates = await Promise.all(
    described.map(async (g) => {
      const fetched = await groups.fetchOffsets({
        groupId: g.groupId,
        partitions: null,
        requireStable: false,
      });
      return {
        groupId: g.groupId,
        state: g.state,
        members: g.members.length,
        offsets: fetched.partitions
          .filter((p) => p.offset >= 0n)
          .map((p) => ({ topic: p.topic, partition: p.partition, committed: p.offset })),
      };
    }),
  );
  return { partitions, sizes, groups: groupStates };
}

/** Registers the state gauges; each scrape takes (at most) one snapshot for all of them. */
export function registerStateGauges(registry: Registry, services: Services, log: Logger): void {
  let taken: { at: number; snapshot: Promise<Snapshot> } | undefined;
  const snapshot = (): Promise<Snapshot> => {
    const now = Date.now();
    if (taken === undefined || now - taken.at > SNAPSHOT_MS) {
      taken = { at: now, snapshot: takeSnapshot(services, log) };
      taken.snapshot.catch((err: unknown) => log.warn({ err }, 'metrics: state snapshot failed'));
    }
    return taken.snapshot;
  };
  // A store that cannot answer leaves these gauges empty rather than failing the whole scrape.
  const gauge = (name: string, help: string, labels: string[], fill: (g: Gauge, s: Snapshot) => void) =>
    scrapedGauge(registry, name, help, labels, async (g) => {
      const s = await snapshot().catch(() => undefined);
      if (s !== undefined) fill(g, s);
    });

  gauge('kafka_gateway_topics', 'Topics', [], (g, s) =>
    g.set(new Set(s.partitions.map((p) => p.topic)).size),
  );
  gauge('kafka_gateway_partitions', 'Partitions whose offsets could be read', [], (g, s) =>
    g.set(s.partitions.length),
  );
  const perPartition = (name: string, help: string, value: (p: PartitionState) => bigint) =>
    gauge(name, help, ['topic', 'partition'], (g, s) => {
      for (const p of s.partitions)
        g.set({ topic: p.topic, partition: String(p.partition) }, Number(value(p)));
    });
  perPartition(
    'kafka_gateway_partition_high_watermark',
    'Offset the next record of the partition gets (log end offset)',
    (p) => p.highWatermark,
  );
  perPartition(
    'kafka_gateway_partition_log_start_offset',
    'First offset the partition still holds',
    (p) => p.logStartOffset,
  );
  const perLogDir = (
    name: string,
    help: string,
    value: (p: Snapshot['sizes'][number]) => number | undefined,
  ) =>
    gauge(name, help, ['topic', 'partition', 'log_dir'], (g, s) => {
      for (const p of s.sizes) {
        const v = value(p);
        if (v !== undefined) g.set({ topic: p.topic, partition: String(p.partition), log_dir: p.dir }, v);
      }
    });
  perLogDir(
    'kafka_gateway_partition_size_bytes',
    'Bytes a partition takes in its log directory (stores that can tell)',
    (p) => (p.bytes < 0n ? undefined : Number(p.bytes)),
  );
  perLogDir(
    'kafka_gateway_partition_segments',
    'Segment files of a partition (stores with segments)',
    (p) => p.segments,
  );
  const hw = (s: Snapshot) =>
    new Map(s.partitions.map((p) => [`${p.topic}\u0000${p.partition}`, p.highWatermark]));
  gauge(
    'kafka_gateway_consumer_group_committed_offset',
    'Committed offset of a consumer group on a partition',
    ['group', 'topic', 'partition'],
    (g, s) => {
      for (const grp of s.groups) {
        for (const o of grp.offsets) {
          g.set({ group: grp.groupId, topic: o.topic, partition: String(o.partition) }, Number(o.committed));
        }
      }
    },
  );
  gauge(
    'kafka_gateway_consumer_group_lag',
    'Records between a group committed offset and the high watermark',
    ['group', 'topic', 'partition'],
    (g, s) => {
      const ends = hw(s);
      for (const grp of s.groups) {
        for (const o of grp.offsets) {
          const end = ends.get(`${o.topic}\u0000${o.partition}`);
          if (end === undefined) continue;
          const lag = end > o.committed ? end - o.committed : 0n;
          g.set({ group: grp.groupId, topic: o.topic, partition: String(o.partition) }, Number(lag));
        }
      }
    },
  );
  gauge('kafka_gateway_consumer_groups', 'Consumer groups, per state', ['state'], (g, s) => {
    for (const state of GROUP_STATES) g.set({ state }, s.groups.filter((grp) => grp.state === state).length);
  });
  gauge('kafka_gateway_consumer_group_members', 'Members of a consumer group', ['group'], (g, s) => {
    for (const grp of s.groups) g.set({ group: grp.groupId }, grp.members);
  });
  scrapedGauge(
    registry,
    'kafka_gateway_idempotent_producers',
    'Producer ids with state kept for idempotence, summed over partitions',
    [],
    (g) => g.set(services.producers.producerIdCount()),
  );
  scrapedGauge(
    registry,
    'kafka_gateway_transactions',
    'Transactional ids this gateway coordinates, per transaction state',
    ['state'],
    (g) => {
      const listed = services.transactions.coordinator.list({ states: [], producerIds: [], durationMs: -1n });
      const counts = new Map<string, number>();
      for (const t of listed.transactions) {
        counts.set(t.transactionState, (counts.get(t.transactionState) ?? 0) + 1);
      }
      for (const [state, n] of counts) g.set({ state }, n);
    },
  );
}

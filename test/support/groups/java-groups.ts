import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { unavailable, type Availability } from '../clients/availability.js';
import { checkResult, runProcess } from '../clients/process.js';
import { LineProcess, type ClientEvent } from './line-process.js';
import type { Produced } from './ledger.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const buildScript = path.join(root, 'scripts/clients/build-java.sh');

/**
 * Small heaps and the C1 compiler only: several consumer JVMs share two cores with the broker, and
 * these short-lived processes start faster and steal less CPU that way.
 */
const JVM_FLAGS = ['-Xmx256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Xss512k'];

/** The Java harness's consumer-group entry point (test/clients/java, class GroupMain). */
export interface JavaGroupTools {
  kafkaClientsVersion: string;
  classpath: string;
}

export async function javaGroupTools(
  version = process.env.KAFKA_CLIENTS_VERSION ?? '3.9.2',
): Promise<Availability<JavaGroupTools>> {
  const build = await runProcess('bash', [buildScript, version], { timeoutMs: 900_000 });
  if (build.code === 127) {
    return unavailable(`Java client harness: ${build.stderr.trim()}`);
  }
  const dir = checkResult('build-java.sh', build).stdout.toString('utf8').trim();
  return {
    ok: true,
    client: { kafkaClientsVersion: version, classpath: `${dir}/harness.jar${path.delimiter}${dir}/lib/*` },
  };
}

function javaArgs(tools: JavaGroupTools, sub: string, args: readonly string[]): string[] {
  return [...JVM_FLAGS, '-cp', tools.classpath, 'dev.kafkagateway.harness.GroupMain', sub, ...args];
}

export type Assignor = 'range' | 'roundrobin' | 'sticky' | 'cooperative-sticky';

export interface GroupConsumerOptions {
  bootstrap: string;
  topic: string;
  group: string;
  members: readonly string[];
  assignor?: Assignor;
  /** group.instance.id = member name. */
  static?: boolean;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  maxPollRecords?: number;
  /** Each member stops after processing this many records. */
  stopAfter?: number;
  /** With stopAfter: exit once no member runs. */
  exitWhenDone?: boolean;
  /** Pause after each non-empty poll, widening the window of processed-but-uncommitted work. */
  batchDelayMs?: number;
  /** Poll DescribeGroups through the AdminClient and print "group" events on change. */
  watchIntervalMs?: number;
  maxRuntimeMs?: number;
  consumerProps?: Record<string, string>;
  label?: string;
}

/**
 * Starts a JVM running group members (GroupConsumeCommand). Its stdin takes "add NAME", "remove NAME"
 * and "stop"; its events are JSON lines (see GroupMember.java).
 */
export function startJavaGroup(tools: JavaGroupTools, o: GroupConsumerOptions): LineProcess {
  const args = ['--bootstrap', o.bootstrap, '--topic', o.topic, '--group', o.group];
  for (const m of o.members) {
    args.push('--member', m);
  }
  args.push('--assignor', o.assignor ?? 'range', '--static', String(o.static ?? false));
  args.push('--session-timeout-ms', String(o.sessionTimeoutMs ?? 10_000));
  args.push('--heartbeat-interval-ms', String(o.heartbeatIntervalMs ?? 1000));
  args.push('--max-poll-records', String(o.maxPollRecords ?? 200));
  if (o.stopAfter !== undefined) {
    args.push('--stop-after', String(o.stopAfter));
  }
  if (o.exitWhenDone) {
    args.push('--exit-when-done', 'true');
  }
  if (o.batchDelayMs !== undefined) {
    args.push('--batch-delay-ms', String(o.batchDelayMs));
  }
  if (o.watchIntervalMs !== undefined) {
    args.push('--watch-interval-ms', String(o.watchIntervalMs));
  }
  const maxRuntimeMs = o.maxRuntimeMs ?? 300_000;
  args.push('--max-runtime-ms', String(maxRuntimeMs));
  for (const [k, v] of Object.entries(o.consumerProps ?? {})) {
    args.push('--consumer-prop', `${k}=${v}`);
  }
  return new LineProcess('java', javaArgs(tools, 'group-consume', args), {
    // The JVM bounds itself; this is the backstop if it hangs while closing.
    timeoutMs: maxRuntimeMs + 90_000,
    label: o.label ?? `java group ${o.members.join(',')}`,
  });
}

export interface SequenceProducerOptions {
  bootstrap: string;
  topic: string;
  partitions: number;
  count?: number;
  durationMs?: number;
  /** Records per second; 0 or absent = as fast as possible. */
  rate?: number;
  /** First sequence number (to continue an earlier run without reusing numbers). */
  start?: number;
}

/** Starts a producer of sequence-numbered records ("ack" events); stop early with send('stop'). */
export function startSequenceProducer(tools: JavaGroupTools, o: SequenceProducerOptions): LineProcess {
  const args = ['--bootstrap', o.bootstrap, '--topic', o.topic, '--partitions', String(o.partitions)];
  if (o.count !== undefined) {
    args.push('--count', String(o.count));
  }
  const durationMs = o.durationMs ?? 120_000;
  args.push(
    '--duration-ms',
    String(durationMs),
    '--rate',
    String(o.rate ?? 0),
    '--start',
    String(o.start ?? 0),
  );
  return new LineProcess('java', javaArgs(tools, 'seq-produce', args), {
    timeoutMs: durationMs + 180_000,
    label: 'java seq-produce',
  });
}

/** Runs a sequence producer to completion and returns what was acknowledged. */
export async function produceSequence(
  tools: JavaGroupTools,
  o: SequenceProducerOptions,
): Promise<Produced[]> {
  const producer = startSequenceProducer(tools, o);
  const exit = await producer.waitExit((o.durationMs ?? 120_000) + 120_000);
  if (exit.code !== 0) {
    throw producer.failure(`exit code ${String(exit.code ?? exit.signal)}`);
  }
  return acknowledged(producer.events);
}

export function acknowledged(events: readonly ClientEvent[]): Produced[] {
  return events
    .filter((e) => e.ev === 'ack')
    .map((e) => ({ n: e.n as number, p: e.p as number, o: e.o as number }));
}

/** What the AdminClient reports for a group (GroupAdminCommands.describe). */
export interface GroupDescription {
  group: string;
  coordinator: number;
  description: DescribedGroup;
  offsets: Array<{
    topic: string;
    partition: number;
    offset: number;
    metadata: string | null;
    end: number;
    lag: number;
  }>;
}

export interface DescribedGroup {
  state: string;
  assignor: string;
  simple: boolean;
  members: Array<{ client: string; id: string; instance: string | null; host: string; parts: number[] }>;
}

export async function describeGroup(
  tools: JavaGroupTools,
  bootstrap: string,
  group: string,
): Promise<GroupDescription> {
  const result = await runProcess(
    'java',
    javaArgs(tools, 'group-describe', ['--bootstrap', bootstrap, '--group', group]),
    {
      timeoutMs: 120_000,
    },
  );
  return JSON.parse(
    checkResult(`group-describe ${group}`, result).stdout.toString('utf8'),
  ) as GroupDescription;
}

export async function listGroups(
  tools: JavaGroupTools,
  bootstrap: string,
): Promise<Array<{ group: string; state: string | null; simple: boolean }>> {
  const result = await runProcess('java', javaArgs(tools, 'group-list', ['--bootstrap', bootstrap]), {
    timeoutMs: 120_000,
  });
  return checkResult('group-list', result)
    .stdout.toString('utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { group: string; state: string | null; simple: boolean });
}

import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { unavailable, type Availability } from '../clients/availability.js';
import { runProcess } from '../clients/process.js';
import { LineProcess } from './line-process.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

/** Group-consumer programs in languages other than Java, all printing the GroupMember event stream. */
export type MemberClient = 'franz-go' | 'sarama' | 'confluent-kafka-python';

export interface MemberClients {
  /** Directory of the Go binaries (scripts/clients/build-go-clients.sh), when Go is available. */
  goBin?: string;
  /** The venv's python (scripts/clients/install-python-clients.sh), when it could be installed. */
  python?: string;
}

/** Builds the Go clients. Skips locally (fails in CI) when Go is missing. */
export async function goClients(): Promise<Availability<string>> {
  const build = await runProcess('bash', [path.join(root, 'scripts/clients/build-go-clients.sh')], {
    timeoutMs: 900_000,
  });
  if (build.code !== 0) {
    return unavailable(`Go group clients: ${build.stderr.trim().split('\n').slice(-5).join('\n')}`);
  }
  return { ok: true, client: build.stdout.toString('utf8').trim() };
}

/** Installs confluent-kafka into its venv. Skips locally (fails in CI) when that is impossible. */
export async function pythonClient(): Promise<Availability<string>> {
  const install = await runProcess('bash', [path.join(root, 'scripts/clients/install-python-clients.sh')], {
    timeoutMs: 900_000,
  });
  if (install.code !== 0) {
    return unavailable(`confluent-kafka-python: ${install.stderr.trim().split('\n').slice(-5).join('\n')}`);
  }
  return { ok: true, client: install.stdout.toString('utf8').trim() };
}

export interface MemberOptions {
  bootstrap: string;
  topic: string;
  group: string;
  member: string;
  /** range | roundrobin | cooperative-sticky (Sarama: range | roundrobin | sticky). */
  assignor: string;
  instanceId?: string;
  stopAfter?: number;
  sessionTimeoutMs?: number;
  maxRuntimeMs?: number;
}

/** Starts one group member of the given client; "stop" on its stdin leaves the group cleanly. */
export function startMember(client: MemberClient, where: MemberClients, o: MemberOptions): LineProcess {
  const maxRuntimeMs = o.maxRuntimeMs ?? 240_000;
  const session = String(o.sessionTimeoutMs ?? 10_000);
  const options = { timeoutMs: maxRuntimeMs + 60_000, label: `${client} ${o.member}` };
  if (client === 'confluent-kafka-python') {
    if (!where.python) {
      throw new Error('confluent-kafka-python is not installed');
    }
    const args = [path.join(root, 'test/clients/python/group_consumer.py'), '--bootstrap', o.bootstrap];
    args.push('--topic', o.topic, '--group', o.group, '--member', o.member, '--assignor', o.assignor);
    args.push('--session-timeout-ms', session, '--max-runtime-s', String(maxRuntimeMs / 1000));
    args.push('--stop-after', String(o.stopAfter ?? 0));
    if (o.instanceId) {
      args.push('--instance-id', o.instanceId);
    }
    return new LineProcess(where.python, args, options);
  }
  if (!where.goBin) {
    throw new Error('the Go group clients are not built');
  }
  const binary = path.join(where.goBin, client === 'franz-go' ? 'franz-group' : 'sarama-group');
  const args = ['-brokers', o.bootstrap, '-topic', o.topic, '-group', o.group, '-member', o.member];
  args.push('-balancer', o.assignor, '-session-timeout-ms', session, '-max-runtime', `${maxRuntimeMs}ms`);
  args.push('-stop-after', String(o.stopAfter ?? 0));
  if (o.instanceId) {
    args.push('-instance-id', o.instanceId);
  }
  return new LineProcess(binary, args, options);
}

import { randomBytes } from 'node:crypto';
import { startGateway } from '../gateway.js';

/** The broker under test: a gateway started for this file, or an external one from KAFKA_BOOTSTRAP. */
export interface Target {
  bootstrap: string;
  /** 'external' when KAFKA_BOOTSTRAP points at a running broker (e.g. scripts/kafka-reference). */
  kind: 'gateway' | 'external';
  stop(): Promise<void>;
}

export interface TargetOptions {
  autoCreateTopics?: boolean;
  defaultPartitions?: number;
}

/**
 * KAFKA_BOOTSTRAP=host:port runs the same tests against any broker, which is how they are checked
 * against real Apache Kafka; otherwise test/support/gateway.ts starts kafka-gateway in process.
 */
export async function startTarget(options: TargetOptions = {}): Promise<Target> {
  const external = process.env.KAFKA_BOOTSTRAP;
  if (external) {
    return { bootstrap: external, kind: 'external', stop: async () => undefined };
  }
  const running = await startGateway(options);
  return { bootstrap: running.bootstrap, kind: 'gateway', stop: () => running.stop() };
}

/** Topic names unique per run, so tests can share a long-lived external broker. */
export function uniqueTopic(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

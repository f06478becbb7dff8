import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { findWeed, startCluster, stopCluster, type ClusterInfo } from '../test/seaweedmq/support/cluster.js';
import { freePort, waitListening, type GatewayProcess } from './gateway-process.js';

export type { ClusterInfo };

/** A throw-away SeaweedFS (weed server + mq.broker), the one the SeaweedMQ tests use. */
export function startSeaweedStack(): Promise<ClusterInfo> {
  return startCluster();
}

/** keepLogs leaves its directory (server, broker and SeaweedFS gateway logs) in place. */
export function stopSeaweedStack(cluster: ClusterInfo, keepLogs = false): void {
  stopCluster(cluster, keepLogs);
}

/**
 * SeaweedFS's gateway (4.44 to 4.53) advertises port 9093 in Metadata whatever -port says (with -ip set, its
 * GetAdvertisedAddress keeps the default port), so clients only reach it when it listens there.
 */
export const SEAWEEDFS_GATEWAY_PORT = 9093;

export interface SchemaRegistryStub {
  url: string;
  /** Paths asked for, to show the registry stays off the measured path. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * An empty Confluent-style schema registry: `GET /subjects` is `[]`, anything else "subject not
 * found". `weed mq.kafka.gateway` refuses to start without -schema-registry-url, and with an
 * unreachable one it retries the registry on every Fetch and refuses to create topics.
 */
export async function startSchemaRegistryStub(): Promise<SchemaRegistryStub> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    requests.push(`${req.method ?? 'GET'} ${url}`);
    const empty = req.method === 'GET' && url.replace(/\/+$/, '') === '/subjects';
    const body = empty ? '[]' : JSON.stringify({ error_code: 40401, message: 'Subject not found.' });
    res.writeHead(empty ? 200 : 404, { 'content-type': 'application/vnd.schemaregistry.v1+json' });
    res.end(body);
  });
  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * Starts `weed mq.kafka.gateway` against the masters; its log goes to logDir. Topics it
 * can create without a registered schema are only the "system" ones, whose names start with '_', so
 * the bench names its SeaweedMQ topics that way.
 */
export async function startSeaweedFsGateway(
  masters: string,
  logDir: string,
  registryUrl: string,
  partitions: number,
): Promise<GatewayProcess> {
  const port = SEAWEEDFS_GATEWAY_PORT;
  if (!(await portFree(port))) {
    throw new Error(`port ${port} is taken; SeaweedFS's gateway only works when it listens on ${port}`);
  }
  const log = openSync(path.join(logDir, 'seaweedfs-kafka-gateway.log'), 'a');
  const args = ['mq.kafka.gateway', '-ip=127.0.0.1', `-port=${port}`, `-master=${masters}`];
  args.push(`-default-partitions=${partitions}`, `-schema-registry-url=${registryUrl}`);
  const child = spawn(findWeed(), args, { stdio: ['ignore', log, log] });
  closeSync(log);
  return waitListening(child, port, 'weed mq.kafka.gateway');
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = http.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** Vitest global setup: one SeaweedFS for the whole SeaweedMQ suite, stopped when it ends. */
import type { TestProject } from 'vitest/node';
import { startCluster, stopCluster, type ClusterInfo } from './cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    seaweed: ClusterInfo;
  }
}

let cluster: ClusterInfo | undefined;

export async function setup(project: TestProject): Promise<void> {
  cluster = await startCluster();
  project.provide('seaweed', cluster);
}

export async function teardown(): Promise<void> {
  if (cluster) stopCluster(cluster);
}

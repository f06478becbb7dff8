import { defineConfig } from 'vitest/config';

// The SeaweedMQ suite: needs a real SeaweedFS, which the global setup builds (once) and starts.
export default defineConfig({
  test: {
    include: ['test/seaweedmq/**/*.test.ts'],
    globalSetup: ['test/seaweedmq/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // One SeaweedFS serves every file; running files one at a time keeps broker-restart tests from
    // disturbing the others.
    fileParallelism: false,
  },
});

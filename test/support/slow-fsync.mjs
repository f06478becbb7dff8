/* global process, setTimeout */
// Preloaded into a gateway child process (NODE_OPTIONS=--import) by tests that kill it: every
// fsync waits SLOW_FSYNC_MS first, as on a slow disk, which widens the moment between a batch being
// written and its acknowledgement. A SIGKILL then often lands inside it, so producers retry batches
// the restarted gateway already holds. Test instrumentation only: nothing in src/ knows of it.
import { open } from 'node:fs/promises';

const delay = Number(process.env.SLOW_FSYNC_MS ?? 0);
if (delay > 0) {
  const probe = await open(process.execPath, 'r');
  const proto = Object.getPrototypeOf(probe);
  await probe.close();
  for (const name of ['datasync', 'sync']) {
    const original = proto[name];
    proto[name] = async function slowed(...args) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      return original.apply(this, args);
    };
  }
}

/* global process, setTimeout */
// Preloaded into a gateway child process (NODE_OPTIONS=--import) by tests that kill it: every
// fsync, and every vectored write (the log store syncs its segments with O_DSYNC writes), returns
// SLOW_FSYNC_MS later than it would, as on a slow disk. That widens the moment between a batch being
// on disk and its acknowledgement, so a SIGKILL often lands inside it and producers retry batches the
// restarted gateway already holds. Test instrumentation only: nothing in src/ knows of it.
import { open } from 'node:fs/promises';

const delay = Number(process.env.SLOW_FSYNC_MS ?? 0);
if (delay > 0) {
  const probe = await open(process.execPath, 'r');
  const proto = Object.getPrototypeOf(probe);
  await probe.close();
  for (const name of ['datasync', 'sync', 'writev']) {
    const original = proto[name];
    proto[name] = async function slowed(...args) {
      const result = await original.apply(this, args);
      await new Promise((resolve) => setTimeout(resolve, delay));
      return result;
    };
  }
}

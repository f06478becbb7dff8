/** The shared storage contract on the log store: with Kafka's segment sizes, and with tiny segments and a dense index. */
import { silentLogger } from '../../../src/log.js';
import { LogStorage } from '../../../src/storage/log/log-storage.js';
import { storageContract } from '../contract.js';
import { compactionContract } from '../compaction-contract.js';
import { tempDirs } from './temp-dir.js';

const newDir = tempDirs('log-contract');

storageContract('log', async () => new LogStorage({ dataDir: newDir(), logger: silentLogger }));

storageContract(
  'log, a segment every few batches',
  async () =>
    new LogStorage({
      dataDir: newDir(),
      logger: silentLogger,
      defaults: { segmentBytes: 300, indexIntervalBytes: 1 },
    }),
);

compactionContract(
  'log, a segment per batch',
  async () => new LogStorage({ dataDir: newDir(), logger: silentLogger, defaults: { segmentBytes: 1 } }),
);

/** The shared storage contract, run against SeaweedMqStorage on the suite's real SeaweedFS. */
import { storageContract } from '../storage/contract.js';
import { connectedStorage } from './support/storage.js';

storageContract('seaweedmq', () => connectedStorage(), {
  // Records are SeaweedMQ messages; read() rebuilds batches from them, so client batch boundaries go.
  preservesBatchBoundaries: false,
  // SeaweedMQ re-creates every partition when the count changes (see docs/seaweedmq.md).
  growsNonEmptyTopics: false,
});

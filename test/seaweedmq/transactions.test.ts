import { javaHarness } from '../support/clients/java.js';
import { franzSuite } from '../support/transactions/franz-suite.js';
import { javaTransactionsSuite } from '../support/transactions/java-suite.js';
import { librdkafkaSuite } from '../support/transactions/librdkafka-suite.js';
import { streamsSuite } from '../support/transactions/streams-suite.js';
import { FAST_TXN_CONFIG, type StartTarget } from '../support/transactions/target.js';
import { startSeaweedGateway } from './support/gateway.js';

// The transaction suites of test/e2e on a gateway whose store is SeaweedMQ: markers, producer ids
// and the transactional flag travel in the record envelope, and read_committed is answered from
// what SeaweedMQ holds.

const seaweedTarget: StartTarget = async (config) => {
  const g = await startSeaweedGateway({ config: { ...FAST_TXN_CONFIG, ...config } });
  return { bootstrap: g.bootstrap, services: g.services, stop: () => g.stop() };
};

javaTransactionsSuite('SeaweedMQ', seaweedTarget, await javaHarness());
librdkafkaSuite('SeaweedMQ', seaweedTarget);
franzSuite('SeaweedMQ', seaweedTarget);
streamsSuite('SeaweedMQ', seaweedTarget);

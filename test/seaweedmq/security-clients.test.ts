/**
 * The secured-client suite (test/support/security-clients-suite.ts) on SeaweedMQ: kafkajs, the Java
 * client, kcat, confluent-kafka-python and franz-go over SASL_SSL (SCRAM-SHA-512) and SSL (client
 * certificate), with the SCRAM users and ACLs kept in the filer.
 */
import { DEFAULT_CONFIG } from '../../src/config.js';
import { startSecureGateway } from '../support/secure-gateway.js';
import { securityClientsSuite } from '../support/security-clients-suite.js';
import { cluster, connectedStorage, uniqueNamespace } from './support/storage.js';

const namespace = uniqueNamespace('secclients');

securityClientsSuite(async () =>
  startSecureGateway({
    storage: await connectedStorage({ namespace }),
    config: {
      store: 'seaweedmq',
      seaweedmq: { ...DEFAULT_CONFIG.seaweedmq, masters: [cluster().masters], namespace },
    },
  }),
);

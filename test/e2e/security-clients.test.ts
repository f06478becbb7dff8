/** The secured-client suite (test/support/security-clients-suite.ts) on the memory store. */
import { startSecureGateway } from '../support/secure-gateway.js';
import { securityClientsSuite } from '../support/security-clients-suite.js';

securityClientsSuite(() => startSecureGateway());

import { javaHarness } from '../support/clients/java.js';
import { javaTransactionsSuite } from '../support/transactions/java-suite.js';
import { JAVA4_CLIENTS, memoryTarget } from '../support/transactions/target.js';

javaTransactionsSuite('memory store', memoryTarget, await javaHarness());
javaTransactionsSuite('memory store', memoryTarget, await javaHarness(JAVA4_CLIENTS));

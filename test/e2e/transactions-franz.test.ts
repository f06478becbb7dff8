import { franzSuite } from '../support/transactions/franz-suite.js';
import { memoryTarget } from '../support/transactions/target.js';

franzSuite('memory store', memoryTarget);

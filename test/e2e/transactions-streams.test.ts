import { streamsSuite } from '../support/transactions/streams-suite.js';
import { memoryTarget } from '../support/transactions/target.js';

streamsSuite('memory store', memoryTarget);

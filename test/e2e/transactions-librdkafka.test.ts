import { librdkafkaSuite } from '../support/transactions/librdkafka-suite.js';
import { memoryTarget } from '../support/transactions/target.js';

librdkafkaSuite('memory store', memoryTarget);

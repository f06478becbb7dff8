export { SeaweedMqStorage } from './seaweedmq-storage.js';
export type { SeaweedMqOptions } from './options.js';

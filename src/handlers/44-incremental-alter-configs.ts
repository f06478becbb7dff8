/**
 * IncrementalAlterConfigs v0-1: SET, DELETE, APPEND and SUBTRACT (the last two on list configs such as
 * cleanup.policy) applied to a topic's current configs, then checked as a whole. Broker configs are
 * read-only here (deleting one is accepted: none is ever set).
 */
import { applyIncremental } from '../configs/alter.js';
import type {
  IncrementalAlterConfigsRequest,
  IncrementalAlterConfigsResponse,
} from '../protocol/generated/index.js';
import { alterResource } from './admin-common.js';
import type { AlterResult } from './admin-common.js';
import { defineHandler } from './handler.js';

const DELETE = 1;

export default defineHandler<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse>({
  apiKey: 44,
  minVersion: 0,
  maxVersion: 1,
  async handle(request, ctx) {
    const responses: AlterResult[] = [];
    for (const resource of request.resources) {
      const changes = resource.configs.map((c) => ({ name: c.name, value: c.value, op: c.configOperation }));
      // The gateway sets no broker config dynamically, so deleting one is a no-op that succeeds, as
      // on Kafka (kafka-reassign-partitions --verify clears the replication throttles this way).
      const broker = { ...resource, configs: resource.configs.filter((c) => c.configOperation !== DELETE) };
      responses.push(
        await alterResource(
          broker,
          request.validateOnly,
          (current) => applyIncremental(current, changes, ctx.services.configs),
          ctx,
        ),
      );
    }
    return { throttleTimeMs: 0, responses };
  },
});

/**
 * AlterConfigs v0-2: replaces a topic's whole config set with the given one (configs not named return
 * to their defaults), after checking every name and value. Broker configs are read-only here.
 */
import { replaceConfigs } from '../configs/alter.js';
import type { AlterConfigsRequest, AlterConfigsResponse } from '../protocol/generated/index.js';
import { alterResource } from './admin-common.js';
import type { AlterResult } from './admin-common.js';
import { defineHandler } from './handler.js';

export default defineHandler<AlterConfigsRequest, AlterConfigsResponse>({
  apiKey: 33,
  minVersion: 0,
  maxVersion: 2,
  async handle(request, ctx) {
    const responses: AlterResult[] = [];
    for (const resource of request.resources) {
      responses.push(
        await alterResource(resource, request.validateOnly, () => replaceConfigs(resource.configs), ctx),
      );
    }
    return { throttleTimeMs: 0, responses };
  },
});

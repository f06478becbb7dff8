import type { DeleteGroupsRequest, DeleteGroupsResponse } from '../protocol/generated/index.js';
import { defineHandler } from './handler.js';

export default defineHandler<DeleteGroupsRequest, DeleteGroupsResponse>({
  apiKey: 42,
  minVersion: 0,
  maxVersion: 2,
  async handle(request, ctx) {
    // A group named twice gets one result, as from Kafka.
    const results = await ctx.services.groups.deleteGroups(request.groupsNames);
    return { throttleTimeMs: 0, results };
  },
});

import type { ApiVersionsRequest, ApiVersionsResponse } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { defineHandler } from './handler.js';

export default defineHandler<ApiVersionsRequest, ApiVersionsResponse>({
  apiKey: 18,
  minVersion: 0,
  maxVersion: 4,
  handle(_request, ctx) {
    return {
      errorCode: ErrorCode.NONE,
      apiKeys: ctx.services.supportedApis.map((a) => ({
        apiKey: a.apiKey,
        minVersion: a.minVersion,
        maxVersion: a.maxVersion,
      })),
      throttleTimeMs: 0,
      supportedFeatures: [],
      finalizedFeaturesEpoch: -1n,
      finalizedFeatures: [],
      zkMigrationReady: false,
    };
  },
});

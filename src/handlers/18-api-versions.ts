import type { ApiVersionsRequest, ApiVersionsResponse } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { FINALIZED_FEATURES, FINALIZED_FEATURES_EPOCH, supportedFeatures } from './features.js';
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
      supportedFeatures: supportedFeatures(ctx.apiVersion),
      finalizedFeaturesEpoch: FINALIZED_FEATURES_EPOCH,
      finalizedFeatures: FINALIZED_FEATURES.map((f) => ({
        name: f.name,
        maxVersionLevel: f.level,
        minVersionLevel: f.level,
      })),
      zkMigrationReady: false,
    };
  },
});

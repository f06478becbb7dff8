import type { ApiHandler } from './handler.js';
import produce from './00-produce.js';
import fetch from './01-fetch.js';
import listOffsets from './02-list-offsets.js';
import metadata from './03-metadata.js';
import apiVersions from './18-api-versions.js';
import createTopics from './19-create-topics.js';
import deleteTopics from './20-delete-topics.js';
import initProducerId from './22-init-producer-id.js';

/** Every API the gateway serves. Dispatch, ApiVersions and API_VERSION_MATRIX.md derive from this list. */
export const HANDLERS: readonly ApiHandler[] = [
  produce,
  fetch,
  listOffsets,
  metadata,
  apiVersions,
  createTopics,
  deleteTopics,
  initProducerId,
] as readonly ApiHandler<never, unknown>[] as readonly ApiHandler[];

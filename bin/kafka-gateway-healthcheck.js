#!/usr/bin/env node
// Container healthcheck: exits 0 when the gateway's /readyz (or the path given) answers 200 on the
// metrics port (KAFKA_GATEWAY_METRICS_PORT, 9464 in the image), 1 otherwise.
/* global fetch, AbortSignal */
const path = process.argv[2] ?? '/readyz';
const port = process.env.KAFKA_GATEWAY_METRICS_PORT ?? '9464';
fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(5000) }).then(
  (res) => process.exit(res.ok ? 0 : 1),
  () => process.exit(1),
);

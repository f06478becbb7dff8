# kafka-gateway image: `docker build -t kafka-gateway .`, then
#   docker run -p 9092:9092 -v kafka-gateway-data:/var/lib/kafka-gateway kafka-gateway --advertised-host localhost
# for the durable log store in the volume; `--store memory` for a throw-away in-memory store, or
# `--masters host:9333` for SeaweedMQ (docker-compose.yml runs that). Arguments replace CMD; any flag of README.md can be given, or its KAFKA_GATEWAY_* variable.
# --advertised-host: without it Metadata names the container's own address, which clients outside
# Docker's network may not reach.
#
# The Node.js release is pinned to the one the project is tested on; Debian bookworm (glibc) because
# the native dependencies (@node-rs/crc32, snappy, lz4-napi) ship prebuilt linux-x64-gnu and
# linux-arm64-gnu packages that npm installs as optional dependencies, with nothing to compile.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# The lock file alone first, so the dependency layer is reused while only sources change.
# --ignore-scripts: no dependency needs an install script (the native ones are prebuilt packages);
# of the two that have one, esbuild is a dev tool the build does not run and protobufjs's only prints
# version warnings.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
# Socket reads are 64 KiB allocations: served by mmap, the memory that stalled or hostile connections
# held leaves the process once they close, instead of staying in glibc's heap (README, Memory bounds).
ENV MALLOC_MMAP_THRESHOLD_=65536
WORKDIR /app
# Owned by root and read-only to the `node` user that runs the server. proto/ must sit beside dist/:
# dist/storage/seaweedmq/proto.js looks for proto/seaweedfs/*.proto in the folders above it.
COPY package.json ./
COPY bin ./bin
COPY proto ./proto
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The log store's directory: a volume the `node` user owns, named by the environment so that it
# stays in effect whatever arguments replace CMD.
ENV KAFKA_GATEWAY_DATA_DIR=/var/lib/kafka-gateway
RUN mkdir -p /var/lib/kafka-gateway && chown node:node /var/lib/kafka-gateway
VOLUME /var/lib/kafka-gateway
USER node
# /metrics, /healthz and /readyz (docs/operations.md). The healthcheck asks /readyz: listening, store
# answering, consumer groups loaded; it reads the port from KAFKA_GATEWAY_METRICS_PORT, so change the
# port with that variable rather than with --metrics-port.
ENV KAFKA_GATEWAY_METRICS_PORT=9464
EXPOSE 9092
EXPOSE 9464
HEALTHCHECK --interval=10s --timeout=6s --start-period=30s --retries=3 \
  CMD ["node", "bin/kafka-gateway-healthcheck.js", "/readyz"]
ENTRYPOINT ["node", "bin/kafka-gateway.js"]
CMD ["--host", "0.0.0.0", "--port", "9092"]

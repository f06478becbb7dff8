#!/usr/bin/env bash
# Stops a SeaweedFS started by start.sh and removes its directory: stop.sh "$SEAWEED_DIR"
set -uo pipefail
dir="${1:-${SEAWEED_DIR:-}}"
if [[ -z "$dir" || ! -d "$dir" ]]; then
  echo "usage: stop.sh SEAWEED_DIR" >&2
  exit 2
fi
for name in broker server; do
  pidfile="$dir/$name.pid"
  [[ -f "$pidfile" ]] || continue
  pid="$(cat "$pidfile")"
  # Each server leads its own process group (setsid in start.sh): signal the group.
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
done
# weed puts local gRPC sockets at fixed paths in /tmp and leaves them behind.
if [[ -f "$dir/ports" ]]; then
  read -r master volume filer <"$dir/ports"
  rm -f "/tmp/seaweedfs-master-grpc-$((master + 10000)).sock" "/tmp/seaweedfs-volume-grpc-$((volume + 10000)).sock" \
    "/tmp/seaweedfs-filer-grpc-$((filer + 10000)).sock" "/tmp/seaweedfs-filer-$filer.sock"
fi
if [[ "${SEAWEED_KEEP_DIR:-}" != 1 ]]; then rm -rf "$dir"; fi

#!/usr/bin/env bash
# Stops a broker started by start.sh on the same port and deletes its data directory.
# Usage: scripts/kafka-reference/stop.sh [port]   (default 19092)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PORT="${1:-19092}"
STATE="$ROOT/.cache/kafka-reference/run-$PORT"

if [ ! -f "$STATE/pid" ]; then
  echo "kafka-reference: nothing running on port $PORT" >&2
  exit 0
fi
PID="$(cat "$STATE/pid")"
if kill -0 "$PID" 2>/dev/null; then
  kill "$PID"
  # Controlled shutdown normally takes a few seconds; force after 30 s.
  for _ in $(seq 1 60); do
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$PID" 2>/dev/null; then
    kill -9 "$PID"
  fi
fi
rm -f "$STATE/pid"
if [ -f "$STATE/data-dir" ]; then
  rm -rf "$(cat "$STATE/data-dir")"
  rm -f "$STATE/data-dir"
fi
echo "kafka-reference: stopped (port $PORT)"
